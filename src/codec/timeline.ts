// Record.timeline <-> Timeline: one process's memory over time, folded (proto/memtrace.proto, message Timeline).
// Columns of varints as the other columnar bodies, and two sub-messages (TimelineTable) for the tables.
import { ColumnarFields } from "./columns";
import type { Timeline, TimelineTable } from "./model";
import { ByteWriter, WireError, zigzag } from "./wire";

export function encodeTimeline(t: Timeline, w: ByteWriter): void {
  if (t.pid !== 0) {
    w.tag(1, 0);
    w.varint(t.pid);
  }
  if (t.bucketNs !== 0) {
    w.tag(2, 0);
    w.varint(t.bucketNs);
  }
  const buckets = t.high.length;
  w.packed(3, t.high, buckets);
  w.packed(4, t.highJs, buckets);
  w.packed(5, t.momentNs, buckets);
  w.packed(6, t.rowTid, t.rows);
  w.packed(7, t.rowKind, t.rows);
  w.packed(8, t.rowStack, t.rows);
  if (t.kept) {
    w.tag(9, 0);
    w.varint(1);
    w.packedArray(10, Array.from(t.kept.bytes, zigzag));
    w.packedArray(11, Array.from(t.kept.count, zigzag));
  }
  w.lengthDelimited(12, encodeTable(t.changes, false));
  w.lengthDelimited(13, encodeTable(t.lifetimes, true));
}

function encodeTable(table: TimelineTable, withTo: boolean): Uint8Array {
  const w = new ByteWriter(1024);
  const n = table.length;
  const delta = new Array<number>(n);
  for (let i = 0; i < n; i++) delta[i] = table.row[i] - (i > 0 ? table.row[i - 1] : 0);
  w.packedArray(1, delta);
  w.packed(2, table.from, n);
  if (withTo) w.packed(3, table.to, n);
  w.packedArray(4, Array.from(table.bytes, zigzag));
  w.packedArray(5, Array.from(table.count, zigzag));
  return w.finish();
}

/** Decodes a Timeline body in buf[start, end); throws WireError where it does not hold together. */
export function decodeTimeline(buf: Uint8Array, start: number, end: number): Timeline {
  const c = new ColumnarFields(buf, start, end, [3, 4, 5, 6, 7, 8, 10, 11]);
  const buckets = c.count(3);
  const rows = c.count(6);
  const high = c.read(3, "high", new Float64Array(buckets), buckets);
  const t: Timeline = {
    pid: c.scalars[1],
    bucketNs: c.scalars[2],
    high,
    highJs: c.read(4, "high_js", new Float64Array(buckets), buckets),
    momentNs: c.read(5, "moment_ns", new Float64Array(buckets), buckets),
    rows,
    rowTid: c.read(6, "row_tid", new Uint32Array(rows), rows),
    rowKind: c.read(7, "row_kind", new Uint8Array(rows), rows),
    rowStack: c.read(8, "row_stack", new Uint32Array(rows), rows),
    kept:
      c.scalars[9] !== 0
        ? {
            bytes: c.readZigzag(10, "kept_bytes", new Float64Array(rows), rows),
            count: c.readZigzag(11, "kept_count", new Float64Array(rows), rows),
          }
        : undefined,
    changes: decodeTable(c, 12, "changes", rows, 2 * buckets, 1),
    lifetimes: decodeTable(c, 13, "lifetimes", rows, buckets, buckets + 1),
  };
  if (buckets > 0 && (t.bucketNs <= 0 || !Number.isInteger(Math.log2(t.bucketNs))))
    throw new WireError(`a timeline's bucket width ${t.bucketNs} is not a power of two`, start);
  return t;
}

function decodeTable(
  c: ColumnarFields,
  field: number,
  name: string,
  rows: number,
  fromLimit: number,
  toLimit: number,
): TimelineTable {
  const blob = c.blobs[field];
  const empty = { length: 0, row: new Uint32Array(0), from: new Uint32Array(0), to: new Uint32Array(0) };
  if (!blob) return { ...empty, bytes: new Float64Array(0), count: new Float64Array(0) };
  const t = new ColumnarFields(c.buf, blob[0], blob[1], [1, 2, 3, 4, 5]);
  const n = t.count(1);
  const row = t.readSummed(1, `${name}.row_delta`, new Float64Array(n), n, 0, false);
  const table: TimelineTable = {
    length: n,
    row: Uint32Array.from(row),
    from: t.read(2, `${name}.from`, new Uint32Array(n), n),
    to: t.read(3, `${name}.to`, new Uint32Array(n), n),
    bytes: t.readZigzag(4, `${name}.bytes`, new Float64Array(n), n),
    count: t.readZigzag(5, `${name}.count`, new Float64Array(n), n),
  };
  for (let i = 0; i < n; i++) {
    const to = table.to[i];
    if (row[i] >= rows || table.from[i] >= fromLimit || to >= toLimit || (to !== 0 && to - 1 < table.from[i]))
      throw new WireError(`a timeline's ${name} entry ${i} lies outside its rows or buckets`, blob[0]);
  }
  return table;
}
