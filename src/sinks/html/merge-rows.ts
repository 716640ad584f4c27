// A Timeline table's entries under the page's rows (several rows of a Record may be one row of the page: two
// allocators of a stack, or two stacks with the same labels), summed and sorted by row, then by bucket positions,
// as the page's delta-coded columns. Linear in the entries: a counting sort by row, then each row's entries summed
// in dense arrays indexed by their positions, whose few keys sort natively.
import type { TimelineTable } from "../../codec/model";

export interface MergedColumns {
  /** Each entry's row minus the previous entry's. */
  row: number[];
  /** The entry's position (changes) or the bucket allocated in (lifetimes). */
  from: number[];
  /** Lifetimes: buckets from allocation to free, -1 for never freed. */
  lasted: number[];
  bytes: number[];
  count: number[];
}

/**
 * Merges `table`'s rows by `newRow` (`rows` page rows). `buckets` is the Record's bucket count; `lifetimes` says
 * whether the entries are lifetimes (from, to) or changes (a position).
 */
export function mergeRows(
  table: TimelineTable,
  newRow: readonly number[],
  rows: number,
  buckets: number,
  lifetimes: boolean,
): MergedColumns {
  const n = table.length;
  const start = new Int32Array(rows + 1);
  for (let e = 0; e < n; e++) start[newRow[table.row[e]] + 1]++;
  for (let r = 0; r < rows; r++) start[r + 1] += start[r];
  const order = new Int32Array(n);
  const next = start.slice(0, rows);
  for (let e = 0; e < n; e++) order[next[newRow[table.row[e]]]++] = e;
  // Sub-keys sort as the page wants: lifetimes by bucket allocated, then freed, never freed last.
  const span = buckets + 1;
  const keys = lifetimes ? buckets * span : 2 * buckets;
  const bytes = new Float64Array(keys);
  const count = new Float64Array(keys);
  const marked = new Uint8Array(keys);
  const touched = new Int32Array(Math.min(keys, n));
  const out: MergedColumns = { row: [], from: [], lasted: [], bytes: [], count: [] };
  let previous = 0;
  for (let r = 0; r < rows; r++) {
    let t = 0;
    for (let i = start[r]; i < start[r + 1]; i++) {
      const e = order[i];
      const to = table.to[e];
      const key = lifetimes ? table.from[e] * span + (to === 0 ? buckets : to - 1) : table.from[e];
      if (!marked[key]) {
        marked[key] = 1;
        touched[t++] = key;
      }
      bytes[key] += table.bytes[e];
      count[key] += table.count[e];
    }
    const sorted = touched.subarray(0, t).sort();
    for (const key of sorted) {
      if (bytes[key] !== 0 || count[key] !== 0) {
        out.row.push(r - previous);
        previous = r;
        if (lifetimes) {
          const from = Math.floor(key / span);
          const freed = key % span;
          out.from.push(from);
          out.lasted.push(freed === buckets ? -1 : freed - from);
        } else out.from.push(key);
        out.bytes.push(bytes[key]);
        out.count.push(count[key]);
      }
      bytes[key] = 0;
      count[key] = 0;
      marked[key] = 0;
    }
  }
  return out;
}
