// One process's memory over time, folded as fold pairs its events (fold's pairing calls the hooks below), for the
// memory timeline and the HTML flame graph's time window: the data of Memray's temporal flame graph, in a size that
// depends on the rows and the buckets (grid.ts), never on the events.
//
// Two tables over the process's rows (fold's row keys):
// - changes, by (row, position): the live bytes and count that the row gained (allocations) or lost (frees) at
//   each position of the grid. What was live at bucket k's moment is the sum of a row's changes at positions <= 2k:
//   the page re-folds "live at the window's high-water mark" from this;
// - lifetimes, by (row, bucket allocated, bucket freed or NEVER): what was allocated in a window (the sum over the
//   allocation buckets in it) and what of that was still live at its end (freed in a later bucket, or never).
// Over the whole run these give exactly fold's --peak, --leaks --after-teardown and --total; over a window, they are
// exact at the buckets' edges and moments.
//
// Whether an event comes before or after its bucket's moment is only known when the bucket ends (a higher point may
// come later), and only events after the latest high point are in doubt: they wait in a per-row sum ("tentative")
// until the next high point (then they were before it) or the bucket's end (then after). So every event costs O(1),
// and a release finds its allocation's bucket from the block's tag (its number among its thread's allocations).
import { f64, u32, u8 } from "../../model/growable";
import { BucketGrid, MAX_BUCKETS } from "./grid";
import {
  NEVER,
  changeKey,
  changePosition,
  changeRow,
  lifetimeAllocated,
  lifetimeFreed,
  lifetimeKey,
  lifetimeRow,
} from "./keys";
import type { TimelineExport, TimelineState } from "./state";
import { Sums } from "./sums";

/**
 * About 15 MiB of page: a capture whose rows are busy in every bucket (millions of short-lived allocations over
 * thousands of stacks and threads) gets fewer, wider buckets rather than a page too large to open.
 */
export const ENTRY_BUDGET = 1_000_000;
/** Buckets kept at the least, however large the tables. */
export const MIN_BUCKETS = 16;

export class ProcessTimeline implements TimelineState {
  readonly grid = new BucketGrid();
  /** Live bytes now, all and of JS heap samples. */
  private live = 0;
  private liveJs = 0;
  changes = new Sums();
  lifetimes = new Sums();
  /** The time of the event being folded. */
  private time = 0;
  /** The latest time of a memory sample or the trailer: the grid reaches it. */
  endTime = 0;

  // Changes after the current bucket's latest high point, per row, until it is known on which side they are.
  private readonly tentBytes = f64();
  private readonly tentCount = f64();
  private readonly tentMarked = u8();
  private readonly touched = u32();

  /**
   * Per thread, pairs (bucket, first tag) in increasing order: the thread's allocations from that tag on were made in
   * that bucket or later. A release finds its allocation's bucket here.
   */
  private readonly marks = new Map<number, number[]>();
  private marksTid = -1;
  private marksOf: number[] = [];

  /** Buckets kept at most: fewer once the tables outgrow the budget. */
  private maxBuckets = MAX_BUCKETS;

  // A row's entries for the current bucket k, found once a bucket rather than at every event: lifetimes (row, k,
  // NEVER) and (row, k, k), changes (row, 2k); valid while the row's stamp is `stamp` (the grid has not changed).
  private stamp = 1;
  private readonly cacheStamp = f64();
  private readonly cacheNever = f64();
  private readonly cacheSame = f64();
  private readonly cacheBefore = f64();

  constructor(private readonly budget = ENTRY_BUDGET) {}

  /** Entries of the two tables. */
  get entries(): number {
    return this.changes.size + this.lifetimes.size;
  }

  /** Before every event of the process (at time t, `rows` rows so far): moves to its bucket. */
  event(t: number, rows: number): void {
    this.time = t;
    const grid = this.grid;
    let index = grid.indexOf(t);
    // Threads merged without watermarks may go back in time a little: such events stay in the current bucket.
    if (index <= grid.current) return;
    if (grid.count > 0) this.settle(2 * grid.current + 1);
    // Tables past the budget, with several intervals per row (which wider buckets merge): halve the buckets now
    // and keep fewer from here on. Cheaper than re-keying large tables at the end, and it bounds the memory.
    if (this.entries > this.budget && this.entries > 2 * rows && grid.count >= 2 * MIN_BUCKETS) {
      this.halve();
      let max = 2 * MIN_BUCKETS;
      while (max < grid.count) max *= 2;
      this.maxBuckets = Math.min(this.maxBuckets, max);
      index = grid.indexOf(t);
    }
    while (index >= this.maxBuckets) {
      this.halve();
      index = grid.indexOf(t);
    }
    grid.openTo(index, this.live, this.liveJs);
    this.stamp++;
  }

  /** An allocation of `size` bytes to row `row` by thread `tid`, its `tag`-th. */
  allocate(row: number, size: number, count: number, tid: number, tag: number, js: boolean): void {
    const k = this.grid.current;
    this.live += size;
    if (js) this.liveJs += size;
    this.cacheOf(row);
    if (this.cacheNever.data[row] < 0) this.cacheNever.data[row] = this.lifetimes.indexOf(lifetimeKey(row, k, NEVER));
    this.lifetimes.addAt(this.cacheNever.data[row], size, count);
    const marks = this.threadMarks(tid);
    if (marks.length === 0 || marks[marks.length - 2] < k) marks.push(k, tag);
    this.tentative(row, size, count);
  }

  /** After an allocation and what it released (a block at the same address): a new high point of the bucket? */
  allocated(): void {
    const k = this.grid.current;
    if (this.live > this.grid.high[k]) {
      // The changes in doubt, this allocation's included, happened at or before the new moment.
      this.settle(2 * k);
      this.grid.raise(this.time, this.live, this.liveJs);
    }
  }

  /** Bytes of row `row` released: the block was thread `tid`'s `tag`-th allocation. */
  release(row: number, bytes: number, count: number, tid: number, tag: number, js: boolean): void {
    this.live -= bytes;
    if (js) this.liveJs -= bytes;
    // A release is never a high point: it waits with the other changes after the latest one.
    this.tentative(row, -bytes, -count);
    const allocated = this.bucketOfTag(tid, tag);
    const k = this.grid.current;
    if (allocated !== k) {
      this.lifetimes.add(lifetimeKey(row, allocated, NEVER), -bytes, -count);
      this.lifetimes.add(lifetimeKey(row, allocated, k), bytes, count);
      return;
    }
    // Made in this bucket: the row's cached entries, added to in the same order.
    this.cacheOf(row);
    if (this.cacheNever.data[row] < 0) this.cacheNever.data[row] = this.lifetimes.indexOf(lifetimeKey(row, k, NEVER));
    this.lifetimes.addAt(this.cacheNever.data[row], -bytes, -count);
    if (this.cacheSame.data[row] < 0) this.cacheSame.data[row] = this.lifetimes.indexOf(lifetimeKey(row, k, k));
    this.lifetimes.addAt(this.cacheSame.data[row], bytes, count);
  }

  /** Makes the row's cache valid for the current bucket. */
  private cacheOf(row: number): void {
    this.cacheStamp.ensure(row + 1);
    this.cacheNever.ensure(row + 1);
    this.cacheSame.ensure(row + 1);
    this.cacheBefore.ensure(row + 1);
    if (this.cacheStamp.data[row] === this.stamp) return;
    this.cacheStamp.data[row] = this.stamp;
    this.cacheNever.data[row] = -1;
    this.cacheSame.data[row] = -1;
    this.cacheBefore.data[row] = -1;
  }

  private threadMarks(tid: number): number[] {
    if (tid === this.marksTid) return this.marksOf;
    let marks = this.marks.get(tid);
    if (!marks) this.marks.set(tid, (marks = []));
    this.marksTid = tid;
    this.marksOf = marks;
    return marks;
  }

  private bucketOfTag(tid: number, tag: number): number {
    const marks = this.threadMarks(tid);
    let lo = 0;
    let hi = marks.length / 2 - 1;
    if (hi < 0) return 0;
    // Most blocks are freed soon: made since the thread's latest mark.
    if (marks[2 * hi + 1] <= tag) return marks[2 * hi];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (marks[2 * mid + 1] <= tag) lo = mid;
      else hi = mid - 1;
    }
    return marks[2 * lo];
  }

  private tentative(row: number, bytes: number, count: number): void {
    this.tentBytes.ensure(row + 1);
    this.tentCount.ensure(row + 1);
    this.tentMarked.ensure(row + 1);
    if (!this.tentMarked.data[row]) {
      this.tentMarked.data[row] = 1;
      this.touched.push(row);
    }
    this.tentBytes.data[row] += bytes;
    this.tentCount.data[row] += count;
  }

  /** The changes in doubt happened at `position`: before a new high point, or after the last one of a bucket. */
  private settle(position: number): void {
    // Before a high point of the current bucket (position 2k), the row's cached entry serves.
    const before = position === 2 * this.grid.current;
    for (let i = 0; i < this.touched.length; i++) {
      const row = this.touched.data[i];
      if (before) {
        this.cacheOf(row);
        if (this.cacheBefore.data[row] < 0) this.cacheBefore.data[row] = this.changes.indexOf(changeKey(row, position));
        this.changes.addAt(this.cacheBefore.data[row], this.tentBytes.data[row], this.tentCount.data[row]);
      } else this.changes.add(changeKey(row, position), this.tentBytes.data[row], this.tentCount.data[row]);
      this.tentBytes.data[row] = 0;
      this.tentCount.data[row] = 0;
      this.tentMarked.data[row] = 0;
    }
    this.touched.length = 0;
  }

  private halve(): void {
    this.stamp++;
    const remap = this.grid.halve();
    this.changes = this.changes.rekey((key) => changeKey(changeRow(key), remap[changePosition(key)]));
    this.lifetimes = this.lifetimes.rekey((key) => {
      const freed = lifetimeFreed(key);
      return lifetimeKey(lifetimeRow(key), lifetimeAllocated(key) >> 1, freed === NEVER ? NEVER : freed >> 1);
    });
    for (const marks of this.marks.values()) {
      let n = 0;
      for (let i = 0; i < marks.length; i += 2) {
        const bucket = marks[i] >> 1;
        // Two marks in one merged bucket: the first (smaller tag) stands.
        if (n > 0 && marks[n - 2] === bucket) continue;
        marks[n++] = bucket;
        marks[n++] = marks[i + 1];
      }
      marks.length = n;
    }
  }

  /** Ends the last bucket; the grid reaches at least `end` (the run's last event, sample or trailer). */
  finish(end: number, rows: number): void {
    this.event(Math.max(end, this.endTime), rows);
    if (this.grid.count > 0) this.settle(2 * this.grid.current + 1);
  }

  /** Merges buckets until they are `width` ns wide (every process of a capture shares one grid). */
  widen(width: number): void {
    while (this.grid.width < width) this.halve();
  }

  get width(): number {
    return this.grid.width;
  }

  get buckets(): number {
    return this.grid.count;
  }

  export(): TimelineExport {
    const grid = this.grid;
    return {
      high: Float64Array.from(grid.high),
      highJs: Float64Array.from(grid.highJs),
      momentNs: Float64Array.from(grid.momentTime),
      changes: this.changes.sorted(),
      lifetimes: this.lifetimes.sorted(),
    };
  }
}
