// The keys of the timeline's two tables (timeline.ts): a row and bucket positions packed into one number, exact
// below 2^53 for up to 2^35 rows, so that a table is one NumberMap and its entries sort by row, then by time.
/** The "freed in bucket" of a lifetime that was never freed. */
export const NEVER = 511;
// Keys: changes row * POSITIONS + position; lifetimes (row * BUCKET_KEYS + allocated) * BUCKET_KEYS + freed.
const POSITIONS = 1024;
const BUCKET_KEYS = 512;

export function changeKey(row: number, position: number): number {
  return row * POSITIONS + position;
}

export function lifetimeKey(row: number, allocated: number, freed: number): number {
  return (row * BUCKET_KEYS + allocated) * BUCKET_KEYS + freed;
}

// The parts of keys, as arithmetic rather than arrays: tables of millions of entries are re-keyed whole.
export const changeRow = (key: number) => Math.floor(key / POSITIONS);
export const changePosition = (key: number) => key % POSITIONS;
export const lifetimeRow = (key: number) => Math.floor(key / (BUCKET_KEYS * BUCKET_KEYS));
export const lifetimeAllocated = (key: number) => Math.floor(key / BUCKET_KEYS) % BUCKET_KEYS;
export const lifetimeFreed = (key: number) => key % BUCKET_KEYS;
