// The raw capture folded over time, for the HTML flame graph's time window: the data of Memray's temporal flame
// graph, aggregated so that its size depends on the unique stacks and the buckets, never on the events.
//
// Events are paired as fold pairs them (EventOrderer merges each process's threads by time, LiveHeap pairs frees
// with allocations by address), and each process keeps two tables over its rows (thread, stack):
// - changes, by (row, position): the live bytes and count that the row gained (allocations) or lost (frees) at
//   each position of the bucket grid (grid.ts). What was live at a bucket's moment k is the sum of a row's changes
//   at positions <= 2k: the page re-folds "live at the window's high-water mark" from this;
// - lifetimes, by (row, bucket allocated, bucket freed or NEVER): what was allocated in the window (the sum over
//   the allocation buckets in it) and what of that was still live at its end (freed in a later bucket, or never).
// Over the whole run these give exactly fold's --peak, --leaks --after-teardown and --total; over a window, they are
// exact at the buckets' edges and moments. fold's --leaks, what each row held when its thread's app code ended
// (AppEnd), is kept beside them, one value per row: the whole run's leaks view.
//
// Whether an event comes before or after its bucket's moment is only known when the bucket ends (a higher point may
// come later), and only events after the latest high point are in doubt: they wait in a per-row sum ("tentative")
// until the next high point (then they were before it) or the bucket's end (then after). So every event costs O(1).
import { CaptureError } from "../../codec/errors";
import {
  EventKind,
  Heap,
  isAllocation,
  isDeallocation,
  isJsHeap,
  type EventBatch,
  type Message,
  type ProcessEvent,
  type Trailer,
} from "../../codec/model";
import { f64, u32, u8 } from "../../model/growable";
import type { Scope } from "../../model/scope";
import { AppEnd } from "../../transforms/app-end";
import { LiveHeap } from "../../transforms/live";
import { NumberMap } from "../../transforms/number-map";
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
import { Sums } from "./sums";

/**
 * About 15 MiB of page: a capture whose rows are busy in every bucket (millions of short-lived allocations over
 * thousands of stacks and threads) gets fewer, wider buckets rather than a page too large to open.
 */
export const ENTRY_BUDGET = 1_000_000;
/** Buckets kept at the least, however large the tables. */
export const MIN_BUCKETS = 16;

/** One memory sample of the process: process-wide RSS (tid 0) or an isolate's JS heap. */
export interface Sample {
  tid: number;
  time: number;
  rss: number;
  jsHeapUsed: number;
}

export class ProcessTimeline {
  readonly grid = new BucketGrid();
  private readonly heap: LiveHeap;
  /** The number of the next event. */
  private seq = 0;
  /** Live bytes and blocks now (at the end: what leaked), and the live bytes of JS heap samples. */
  liveBytes = 0;
  liveCount = 0;
  private liveJs = 0;

  // What fold's ProcessTotals say, counted the same way.
  allocations = 0;
  allocatedBytes = 0;
  deallocations = 0;
  peakBytes = 0;
  peakTime = 0;
  endTime = 0;
  trailer: Trailer | undefined;

  /** Rows: thread, stack (in `scope`) and whether they are JS heap samples. */
  readonly rowTid = u32();
  readonly rowStack = u32();
  readonly rowJs = u8();
  private readonly rows = new Map<number, NumberMap>();
  changes = new Sums();
  lifetimes = new Sums();
  readonly samples: Sample[] = [];

  /** When the app's code ended, and per row what was live then (once `frozen`; until then `liveNow`). */
  readonly appEnd: AppEnd;
  private readonly liveNow = f64();
  private readonly liveNowCount = f64();
  readonly kept = f64();
  readonly keptCount = f64();
  /** Their sums, once finished. */
  keptBytes = 0;
  keptTotalCount = 0;
  private readonly frozen = u8();
  private readonly freezeRow = (row: number) => this.freeze(row);

  // Changes after the current bucket's latest high point, per row, until it is known on which side they are.
  private readonly tentBytes = f64();
  private readonly tentCount = f64();
  private readonly tentMarked = u8();
  private readonly touched = u32();

  /** Buckets kept at most: fewer once the tables outgrow the budget. */
  private maxBuckets = MAX_BUCKETS;

  constructor(
    readonly pid: number,
    readonly scope: Scope,
    private readonly budget = ENTRY_BUDGET,
    /** Only this heap's events (native, JS samples, or both). */
    private readonly only: Heap = Heap.ALL,
  ) {
    this.appEnd = new AppEnd(pid);
    this.heap = new LiveHeap((row, bytes, count, allocSeq) => this.release(row, bytes, count, allocSeq), {
      allocationTimeLeadNs: scope.header.settings.allocationTimeLeadNs,
      deallocationTimeLeadNs: scope.header.settings.deallocationTimeLeadNs,
    });
  }

  get overwritten(): number {
    return this.heap.overwritten;
  }

  get unmatched(): number {
    return this.heap.unmatched;
  }

  /** Entries of the two tables. */
  get entries(): number {
    return this.changes.size + this.lifetimes.size;
  }

  get rowCount(): number {
    return this.rowTid.length;
  }

  foldEvents(b: EventBatch, m: Message): void {
    const stacks = this.scope.stackCount;
    const only = this.only;
    for (let i = 0; i < b.length; i++) {
      const kind = b.kind[i];
      if (only !== Heap.ALL && isJsHeap(kind) !== (only === Heap.JS)) continue;
      const t = b.time[i];
      this.enter(t);
      if (t >= this.appEnd.next) this.appEnd.rowsPassed(t, this.freezeRow);
      if (isAllocation(kind)) {
        const stack = b.stack[i];
        if (stack >= stacks)
          throw new CaptureError(`process ${this.pid}: an event refers to undefined stack ${stack}`, m.offset ?? 0);
        this.alloc(kind, b.tid[i], stack, b.address[i], b.size[i], b.count[i], t);
      } else if (isDeallocation(kind)) {
        this.deallocations++;
        this.heap.free(kind, b.address[i], b.size[i], t, b.tid[i]);
      }
      this.seq++;
    }
    if (b.length > 0) this.endTime = Math.max(this.endTime, b.time[b.length - 1]);
  }

  private alloc(kind: number, tid: number, stack: number, address: number, size: number, count: number, t: number) {
    const js = kind === EventKind.JS_SAMPLE;
    const row = this.rowOf(tid, stack, js);
    const k = this.grid.current;
    this.liveBytes += size;
    this.liveCount += count;
    if (js) this.liveJs += size;
    this.allocations++;
    this.allocatedBytes += size;
    this.liveNow.data[row] += size;
    this.liveNowCount.data[row] += count;
    this.lifetimes.add(lifetimeKey(row, k, NEVER), size, count);
    // As in fold: a block at an address that was live releases the old one first, then the high point is checked.
    this.heap.alloc(kind, address, size, row, count, this.seq, t, tid);
    if (this.liveBytes > this.grid.high[k]) {
      this.settle(2 * k);
      this.grid.raise(this.seq, t, this.liveBytes, this.liveJs);
      this.changes.add(changeKey(row, 2 * k), size, count);
    } else this.tentative(row, size, count);
    if (this.liveBytes > this.peakBytes) {
      this.peakBytes = this.liveBytes;
      this.peakTime = t;
    }
  }

  private release(row: number, bytes: number, count: number, allocSeq: number): void {
    this.liveBytes -= bytes;
    this.liveCount -= count;
    if (this.rowJs.data[row]) this.liveJs -= bytes;
    this.liveNow.data[row] -= bytes;
    this.liveNowCount.data[row] -= count;
    // A release is never a high point: it waits with the other changes after the latest one.
    this.tentative(row, -bytes, -count);
    const allocated = this.grid.bucketOfSeq(allocSeq);
    this.lifetimes.add(lifetimeKey(row, allocated, NEVER), -bytes, -count);
    this.lifetimes.add(lifetimeKey(row, allocated, this.grid.current), bytes, count);
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
    for (let i = 0; i < this.touched.length; i++) {
      const row = this.touched.data[i];
      this.changes.add(changeKey(row, position), this.tentBytes.data[row], this.tentCount.data[row]);
      this.tentBytes.data[row] = 0;
      this.tentCount.data[row] = 0;
      this.tentMarked.data[row] = 0;
    }
    this.touched.length = 0;
  }

  /** Moves to the bucket of time t: closes the current one and merges buckets when t is beyond the last. */
  private enter(t: number): void {
    const grid = this.grid;
    let index = grid.indexOf(t);
    // Threads merged without watermarks may go back in time a little: such events stay in the current bucket.
    if (index <= grid.current) return;
    if (grid.count > 0) this.settle(2 * grid.current + 1);
    // Tables past the budget, with several intervals per row (which wider buckets merge): halve the buckets now
    // and keep fewer from here on. Cheaper than re-keying large tables at the end, and it bounds the memory.
    if (this.entries > this.budget && this.entries > 2 * this.rowCount && grid.count >= 2 * MIN_BUCKETS) {
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
    grid.openTo(index, this.seq, this.liveBytes, this.liveJs);
  }

  private halve(): void {
    const remap = this.grid.halve();
    this.changes = this.changes.rekey((key) => changeKey(changeRow(key), remap[changePosition(key)]));
    this.lifetimes = this.lifetimes.rekey((key) => {
      const freed = lifetimeFreed(key);
      return lifetimeKey(lifetimeRow(key), lifetimeAllocated(key) >> 1, freed === NEVER ? NEVER : freed >> 1);
    });
  }

  /** Ends the last bucket; the grid reaches at least `end` (the run's end, or its last memory sample). */
  finish(end: number): void {
    this.enter(Math.max(end, this.endTime));
    if (this.grid.count > 0) this.settle(2 * this.grid.current + 1);
    // Threads whose app code did not end before the capture did: what they hold at the end is what they kept.
    for (let row = 0; row < this.rowCount; row++) {
      this.freeze(row);
      this.keptBytes += this.kept.data[row];
      this.keptTotalCount += this.keptCount.data[row];
    }
  }

  /** A ProcessEvent of the process: APP_ENDED sets a moment of the leaks view. */
  note(e: ProcessEvent): void {
    this.appEnd.note(e);
  }

  private freeze(row: number): void {
    if (this.frozen.data[row]) return;
    this.frozen.data[row] = 1;
    this.kept.data[row] = this.liveNow.data[row];
    this.keptCount.data[row] = this.liveNowCount.data[row];
  }

  /** Merges buckets until they are `width` ns wide (every process of a page shares one grid). */
  widen(width: number): void {
    while (this.grid.width < width) this.halve();
  }

  private rowOf(tid: number, stack: number, js: boolean): number {
    let byStack = this.rows.get(tid);
    if (!byStack) {
      byStack = new NumberMap();
      this.rows.set(tid, byStack);
    }
    const key = stack * 2 + (js ? 1 : 0);
    let row = byStack.get(key);
    if (row < 0) {
      row = this.rowTid.push(tid);
      this.rowStack.push(stack);
      this.rowJs.push(js ? 1 : 0);
      for (const column of [this.liveNow, this.liveNowCount, this.kept, this.keptCount]) column.push(0);
      // Made after its thread's app code ended: nothing of it was kept.
      this.frozen.push(this.appEnd.addRow(row, tid) ? 1 : 0);
      byStack.set(key, row);
    }
    return row;
  }
}
