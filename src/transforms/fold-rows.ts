// The rows of a fold, as columns: who each row is (process, thread, allocator, stack) and the three figures every
// fold keeps, whatever measure it is asked for (measures/measure.ts):
// - cur: what the row holds live now (allocations add, releases subtract);
// - snap: what it held at its process's latest high-water mark. Rather than copying every row at each new mark, a
//   row saves its value the first time it changes after the mark (`touch`): a row untouched since the last mark
//   still holds its value at the mark. (Memray's high-water-mark aggregator uses the same idea.)
// - total: everything allocated to it;
// - kept: what it held when its thread's app code ended (AppEnd freezes it then, or at the end): --leaks.
import { f64, u32, u8 } from "../model/growable";

export class FoldRows {
  readonly pid = u32();
  readonly tid = u32();
  readonly kind = u8();
  readonly stack = u32();
  readonly cur = f64();
  readonly curCount = f64();
  readonly snap = f64();
  readonly snapCount = f64();
  readonly snapEpoch = f64();
  readonly total = f64();
  readonly totalCount = f64();
  readonly kept = f64();
  readonly keptCount = f64();
  /** Whether `kept` holds the row's value; until then `cur` stands. */
  readonly frozen = u8();

  get length(): number {
    return this.pid.length;
  }

  /** A new row; returns its key. */
  add(pid: number, tid: number, kind: number, stack: number): number {
    const key = this.pid.push(pid);
    this.tid.push(tid);
    this.kind.push(kind);
    this.stack.push(stack);
    for (const col of [this.cur, this.curCount, this.snap, this.snapCount, this.total, this.totalCount]) col.push(0);
    this.kept.push(0);
    this.keptCount.push(0);
    this.frozen.push(0);
    this.snapEpoch.push(-1);
    return key;
  }

  /**
   * A row the native kernel made (paired_fold.h): its key is the next one, and the columns the kernel writes already
   * hold its values, in their reserved room; returns its key.
   */
  adopt(pid: number, tid: number, kind: number, stack: number): number {
    const key = this.pid.push(pid);
    this.tid.push(tid);
    this.kind.push(kind);
    this.stack.push(stack);
    for (const col of this.nativeColumns()) col.ensure(key + 1);
    this.kept.push(0);
    this.keptCount.push(0);
    this.frozen.push(0);
    return key;
  }

  /** Room for n rows in the columns the native kernel writes, so that it can make rows without stopping. */
  reserve(n: number): void {
    for (const col of this.nativeColumns()) col.reserve(n);
  }

  private nativeColumns() {
    return [this.cur, this.curCount, this.snap, this.snapCount, this.snapEpoch, this.total, this.totalCount];
  }

  /** A row keeps what it holds: at the first event after its thread's app end (AppEnd), or at the end. */
  freeze(key: number): void {
    if (this.frozen.data[key]) return;
    this.frozen.data[key] = 1;
    this.kept.data[key] = this.cur.data[key];
    this.keptCount.data[key] = this.curCount.data[key];
  }

  /** Saves a row's value before its first change after the latest high-water mark (`epoch`). */
  touch(key: number, epoch: number): void {
    if (this.snapEpoch.data[key] !== epoch) {
      this.snap.data[key] = this.cur.data[key];
      this.snapCount.data[key] = this.curCount.data[key];
      this.snapEpoch.data[key] = epoch;
    }
  }
}

/** A measure's own pair of columns (bytes and count per row). */
export class RowSums {
  readonly bytes = f64();
  readonly count = f64();

  grow(rows: number): void {
    this.bytes.ensure(rows);
    this.count.ensure(rows);
  }

  /** Room for n rows (FoldRows.reserve). */
  reserve(n: number): void {
    this.bytes.reserve(n);
    this.count.reserve(n);
  }

  add(key: number, bytes: number, count: number): void {
    this.bytes.data[key] += bytes;
    this.count.data[key] += count;
  }

  value(key: number, out: [number, number]): void {
    out[0] = this.bytes.data[key];
    out[1] = this.count.data[key];
  }
}
