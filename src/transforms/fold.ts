// fold: events -> bytes and counts per stack, under a measure.
//
// Every measure costs O(1) per event:
// - total: every allocation adds to its row;
// - leaks: allocations add, their frees subtract (pairing by address in LiveHeap); the rows as they stood when the
//   app's code ended (AppEnd: each thread's rows copied once, at the first event after its moment), or what
//   remains at the end for threads without one (and for all with afterTeardown);
// - peak: the rows as they stood when the process's live bytes were highest. Rather than copying every row at
//   each new high-water mark, a row saves its value the first time it changes after the mark (`touch`): a row
//   untouched since the last mark still holds its value at the mark. (Memray's high-water-mark aggregator uses
//   the same idea.) Peak, leaks and total are always kept: they cost little and give every fold its totals.
// - temporary N: at a free, the block is temporary if fewer than N allocations happened in its thread since it
//   was made (LiveHeap keeps the thread's allocation number as the block's tag);
// - at T: the rows copied once, at the first event after T;
// - between T1 T2: allocations made in the window; with leaks, minus those freed before T2.
// A row is (process, thread, allocator, stack). Rows are kept per input scope while reading; at the end
// FoldedWriter re-interns their stacks into the output scope and writes the folded stream after the processes'
// own records (headers, threads, memory samples, trailers), which pass through as they come.
//
// A FoldedBatch in the input (a stream folded before) is added as it is, so fold is idempotent: `fold | fold`
// equals `fold`, and a report can always fold its input first.
import type { Transform } from "node:stream";
import { CaptureError } from "../codec/errors";
import {
  Content,
  Heap,
  Measure,
  isAllocation,
  isJsHeap,
  isDeallocation,
  type EventBatch,
  type FoldInfo,
  type FoldedBatch,
  type Header,
  type Message,
  type ProcessTotals,
} from "../codec/model";
import { f64, u32, u8 } from "../model/growable";
import { Scopes, type Scope } from "../model/scope";
import { FoldedWriter, ScopeMemo, type OutputShape } from "./fold-output";
import { AppEnd } from "./app-end";
import { LiveHeap } from "./live";
import {
  HEAPS,
  MEASURES,
  describeTime,
  measureName,
  resolveTime,
  type HeapName,
  type MeasureName,
  type TimeSpec,
} from "./measures";
import { NumberMap } from "./number-map";
import { EventOrderer, approximateMergeWarning } from "./order";
import { stageIterate, stageTransform } from "../streams/stage";

export { MEASURES, measureName, type MeasureName } from "./measures";

export interface FoldOptions {
  /** The measure to fold by. Default: the measure of a folded input, else `defaultMeasure`. */
  measure?: MeasureName;
  /**
   * For "leaks": what was live at the end of the input, after the runtime's teardown, also where the app's end
   * was recorded (by default each thread is taken when its app code ended: AppEnd).
   */
  afterTeardown?: boolean;
  /**
   * The measure of a raw capture when `measure` is not given (default peak). A report whose figures are about
   * everything allocated (stats) asks for total here, and still reads a folded input by that input's own measure.
   * Only the measures every fold keeps (peak, leaks, total) can be a default.
   */
  defaultMeasure?: "peak" | "leaks" | "total";
  /** For "temporary": freed before this many other allocations in the thread (default 1). */
  temporaryThreshold?: number;
  /** For "at": the moment. */
  at?: TimeSpec;
  /** For "between" and "between-leaks": the window. */
  window?: [TimeSpec, TimeSpec];
  /** Each process's run length (ns), needed to resolve times given as percentages. */
  durations?: Map<number, number>;
  /** Stacks from the allocating frame outwards. */
  inverted?: boolean;
  /** A synthetic root frame per process / per thread. */
  splitProcesses?: boolean;
  splitThreads?: boolean;
  /** Only the native heap, only the JS heap (V8's samples), or both (the default). */
  heap?: HeapName;
  /** Problems that do not stop the fold (threads merged without watermarks). */
  onWarning?: (message: string) => void;
}

// Read once: the enums are re-exported through getters, which the hot path would call at every event.
const { TEMPORARY, BETWEEN, BETWEEN_LEAKS } = Measure;
const { ALL: HEAP_ALL, JS: HEAP_JS } = Heap;

const NOT_IN_WINDOW = 0;
const IN_WINDOW = 1;

class ProcessFold {
  readonly live: LiveHeap;
  readonly memo: ScopeMemo;
  liveBytes = 0;
  peakBytes = 0;
  peakTime = 0;
  /** Increases at every new high-water mark; a row's snapshot is valid if taken in the current epoch. */
  epoch = 0;
  allocations = 0;
  allocatedBytes = 0;
  deallocations = 0;
  endTime = 0;
  /** The current event's time (for releases, which happen inside LiveHeap). */
  now = 0;
  /** The rows of this process. */
  readonly keys: number[] = [];
  /** For "at" and the "between" measures: the moment or window, in this process's time. */
  windowStart = 0;
  windowEnd = Infinity;
  /** "at": the copy is made; "between-leaks": the window has closed. */
  windowDone = false;
  /** Row of (tid, stack * 128 + kind), per thread. */
  private readonly rows = new Map<number, NumberMap>();
  private lastTid = -1;
  private lastRows: NumberMap | undefined;
  /** Allocations made so far, per thread (for "temporary"). */
  readonly allocationsByThread = new Map<number, number>();
  /** When the app's code ended, per thread (for "leaks", and every fold's kept totals). */
  readonly appEnd: AppEnd;
  /** What the rows held when the app's code ended (summed at the end). */
  keptBytes = 0;
  keptCount = 0;

  constructor(
    readonly pid: number,
    readonly scope: Scope,
    onRelease: (p: ProcessFold, key: number, bytes: number, count: number, tag: number, overwritten: boolean) => void,
  ) {
    this.memo = new ScopeMemo(scope);
    this.appEnd = new AppEnd(pid);
    this.live = new LiveHeap(
      (key, bytes, count, tag, overwritten) => onRelease(this, key, bytes, count, tag, overwritten),
      {
        allocationTimeLeadNs: scope.header.settings.allocationTimeLeadNs,
        deallocationTimeLeadNs: scope.header.settings.deallocationTimeLeadNs,
      },
    );
  }

  /** The rows of one thread (the last thread's are kept at hand: events come in runs of one thread). */
  rowsOf(tid: number): NumberMap {
    if (tid === this.lastTid) return this.lastRows!;
    let rows = this.rows.get(tid);
    if (!rows) {
      rows = new NumberMap();
      this.rows.set(tid, rows);
    }
    this.lastTid = tid;
    this.lastRows = rows;
    return rows;
  }

  totals(leakedCount: number): ProcessTotals {
    return {
      pid: this.pid,
      allocations: this.allocations,
      allocatedBytes: this.allocatedBytes,
      deallocations: this.deallocations,
      unmatchedDeallocations: this.live.unmatched,
      overwrittenAllocations: this.live.overwritten,
      peakBytes: this.peakBytes,
      peakTimeNs: this.peakTime,
      leakedBytes: this.liveBytes,
      leakedCount,
      endTimeNs: this.endTime,
      windowStartNs: Number.isFinite(this.windowStart) ? this.windowStart : 0,
      windowEndNs: Number.isFinite(this.windowEnd) ? this.windowEnd : this.endTime,
      appEndedNs: this.appEnd.processEnded ?? 0,
      keptBytes: this.keptBytes,
      keptCount: this.keptCount,
    };
  }
}

/** The push-based fold: push() every input Message, end() once; output goes to `emit`. */
export class Folder {
  private readonly scopes = new Scopes();
  private readonly orderer: EventOrderer;
  private readonly processes = new Map<number, ProcessFold>();
  private readonly processOrder: ProcessFold[] = [];
  private readonly measure: Measure | undefined;
  private readonly afterTeardown: boolean;
  private readonly temporaryThreshold: number;
  private readonly shape: OutputShape;
  private readonly heap: Heap;
  private readonly writer: FoldedWriter;

  // Rows, as columns.
  private readonly rowProcess: ProcessFold[] = [];
  private readonly rowTid = u32();
  private readonly rowKind = u8();
  private readonly rowStack = u32();
  private readonly cur = f64();
  private readonly curCount = f64();
  private readonly snap = f64();
  private readonly snapCount = f64();
  private readonly snapEpoch = f64();
  private readonly total = f64();
  private readonly totalCount = f64();
  /** The chosen measure's own figures, for temporary, at and the between measures. */
  private readonly extra = f64();
  private readonly extraCount = f64();
  /** What each row held when its thread's app code ended (AppEnd), once `frozen`; until then `cur` stands. */
  private readonly kept = f64();
  private readonly keptCount = f64();
  private readonly frozen = u8();
  private readonly freezeRow = (key: number) => this.freeze(key);

  // Folded input.
  private foldedInfo: FoldInfo | undefined;
  private readonly foldedMemos = new Map<Scope, ScopeMemo>();
  private readonly foldedTotals: ProcessTotals[] = [];

  constructor(
    private readonly emit: (m: Message) => void,
    private readonly options: FoldOptions = {},
  ) {
    this.measure = options.measure ? MEASURES[options.measure] : undefined;
    this.temporaryThreshold = options.temporaryThreshold ?? 1;
    this.afterTeardown = options.afterTeardown ?? false;
    if (this.afterTeardown && this.measure !== Measure.LEAKS)
      throw new RangeError("afterTeardown goes with the leaks measure");
    if (this.measure === Measure.AT && !options.at) throw new RangeError("the at measure needs a time (options.at)");
    if ((this.measure === Measure.BETWEEN || this.measure === Measure.BETWEEN_LEAKS) && !options.window) {
      throw new RangeError("the between measures need a window (options.window)");
    }
    this.shape = {
      inverted: options.inverted ?? false,
      splitProcesses: options.splitProcesses ?? false,
      splitThreads: options.splitThreads ?? false,
    };
    this.writer = new FoldedWriter(this.shape);
    this.heap = HEAPS[options.heap ?? "all"];
    this.orderer = new EventOrderer((m) => this.handle(m), {
      onApproximate: (pid) => options.onWarning?.(approximateMergeWarning(pid)),
    });
  }

  push(m: Message): void {
    this.orderer.push(m);
  }

  end(): void {
    this.orderer.end();
    for (const m of this.finish()) this.emit(m);
  }

  private handle(m: Message): void {
    const scope = this.scopes.apply(m);
    switch (m.type) {
      case "header":
        if (m.header.content === Content.FOLDED) this.adoptFolded(m.header, m.offset);
        else {
          this.startProcess(m.pid, scope!);
          this.emit(m);
        }
        return;
      case "events": {
        const p = this.processes.get(m.pid);
        if (!p) throw new CaptureError(`process ${m.pid}: events in a folded stream`, m.offset ?? 0);
        this.foldEvents(p, m.batch, m);
        return;
      }
      case "folded":
        this.addFolded(scope!, m.batch, m);
        return;
      case "process":
        this.processes.get(m.pid)?.appEnd.note(m.event);
        this.emit(m);
        return;
      case "thread":
      case "memory":
      case "gc":
        this.emit(m);
        return;
      case "trailer":
        if (scope!.header.content !== Content.FOLDED) this.emit(m);
        return;
      default:
        // Tables were applied to the scope; mappings, code events, resolutions and watermarks are consumed.
        return;
    }
  }

  private startProcess(pid: number, scope: Scope): void {
    const p = new ProcessFold(pid, scope, (p, key, bytes, count, tag, overwritten) =>
      this.release(p, key, bytes, count, tag, overwritten),
    );
    const o = this.options;
    if (this.measure === Measure.AT || this.measure === Measure.BETWEEN || this.measure === Measure.BETWEEN_LEAKS) {
      const duration = o.durations?.get(pid);
      const [from, to] = this.measure === Measure.AT ? [o.at!, o.at!] : o.window!;
      const start = resolveTime(from, duration);
      const end = resolveTime(to, duration);
      if (start === undefined || end === undefined) {
        throw new RangeError(
          `process ${pid}: a time given as a percentage needs the run's length (${describeTime(from)}..${describeTime(to)})`,
        );
      }
      if (end < start)
        throw new RangeError(`the window ends (${describeTime(to)}) before it starts (${describeTime(from)})`);
      p.windowStart = this.measure === Measure.AT ? 0 : start;
      p.windowEnd = end;
    }
    this.processes.set(pid, p);
    this.processOrder.push(p);
  }

  private foldEvents(p: ProcessFold, b: EventBatch, m: Message): void {
    const stacks = p.scope.stackCount;
    const measure = this.measure;
    const heap = this.heap;
    for (let i = 0; i < b.length; i++) {
      const kind = b.kind[i];
      if (heap !== HEAP_ALL && isJsHeap(kind) !== (heap === HEAP_JS)) continue;
      const size = b.size[i];
      const t = b.time[i];
      if (t > p.windowEnd && !p.windowDone) this.closeWindow(p);
      if (t >= p.appEnd.next) p.appEnd.rowsPassed(t, this.freezeRow);
      p.now = t;
      if (isAllocation(kind)) {
        const stack = b.stack[i];
        if (stack >= stacks)
          throw new CaptureError(`process ${p.pid}: an event refers to undefined stack ${stack}`, m.offset ?? 0);
        const tid = b.tid[i];
        const key = this.rowOf(p, tid, kind, stack);
        const count = b.count[i];
        this.touch(key, p.epoch);
        this.cur.data[key] += size;
        this.curCount.data[key] += count;
        this.total.data[key] += size;
        this.totalCount.data[key] += count;
        p.liveBytes += size;
        p.allocations++;
        p.allocatedBytes += size;
        let tag = 0;
        if (measure === TEMPORARY) {
          tag = (p.allocationsByThread.get(tid) ?? 0) + 1;
          p.allocationsByThread.set(tid, tag);
        } else if (measure === BETWEEN || measure === BETWEEN_LEAKS) {
          if (t >= p.windowStart && t <= p.windowEnd) {
            tag = IN_WINDOW;
            this.extra.data[key] += size;
            this.extraCount.data[key] += count;
          } else tag = NOT_IN_WINDOW;
        }
        p.live.alloc(kind, b.address[i], size, key, count, tag, t, tid);
        if (p.liveBytes > p.peakBytes) {
          p.peakBytes = p.liveBytes;
          p.peakTime = t;
          p.epoch++;
        }
      } else if (isDeallocation(kind)) {
        p.deallocations++;
        p.live.free(kind, b.address[i], size, t, b.tid[i]);
      }
    }
    if (b.length > 0) p.endTime = Math.max(p.endTime, b.time[b.length - 1]);
  }

  private release(p: ProcessFold, key: number, bytes: number, count: number, tag: number, overwritten: boolean): void {
    this.touch(key, p.epoch);
    this.cur.data[key] -= bytes;
    this.curCount.data[key] -= count;
    p.liveBytes -= bytes;
    if (this.measure === TEMPORARY) {
      // Allocations the block's thread made after it, before this free.
      const since = (p.allocationsByThread.get(this.rowTid.data[key]) ?? 0) - tag;
      if (!overwritten && tag > 0 && since < this.temporaryThreshold) {
        this.extra.data[key] += bytes;
        this.extraCount.data[key] += count;
      }
    } else if (this.measure === BETWEEN_LEAKS && tag === IN_WINDOW && !p.windowDone) {
      this.extra.data[key] -= bytes;
      this.extraCount.data[key] -= count;
    }
  }

  /** The first event after the moment (at) or window (between): copy or freeze the process's rows. */
  private closeWindow(p: ProcessFold): void {
    p.windowDone = true;
    if (this.measure !== Measure.AT) return;
    for (const key of p.keys) {
      this.extra.data[key] = this.cur.data[key];
      this.extraCount.data[key] = this.curCount.data[key];
    }
  }

  /** A row keeps what it holds: at the first event after its thread's app end (AppEnd), or at the end. */
  private freeze(key: number): void {
    if (this.frozen.data[key]) return;
    this.frozen.data[key] = 1;
    this.kept.data[key] = this.cur.data[key];
    this.keptCount.data[key] = this.curCount.data[key];
  }

  /** Saves a row's value before its first change after the latest high-water mark. */
  private touch(key: number, epoch: number): void {
    if (this.snapEpoch.data[key] !== epoch) {
      this.snap.data[key] = this.cur.data[key];
      this.snapCount.data[key] = this.curCount.data[key];
      this.snapEpoch.data[key] = epoch;
    }
  }

  private rowOf(p: ProcessFold, tid: number, kind: number, stack: number): number {
    const byStack = p.rowsOf(tid);
    const k = stack * 128 + kind;
    let key = byStack.get(k);
    if (key < 0) {
      key = this.rowProcess.length;
      byStack.set(k, key);
      p.keys.push(key);
      this.rowProcess.push(p);
      this.rowTid.push(tid);
      this.rowKind.push(kind);
      this.rowStack.push(stack);
      for (const col of [
        this.cur,
        this.curCount,
        this.snap,
        this.snapCount,
        this.total,
        this.totalCount,
        this.extra,
        this.extraCount,
        this.kept,
        this.keptCount,
      ]) {
        col.push(0);
      }
      this.snapEpoch.push(-1);
      // Made after its thread's app code ended: nothing of it was kept.
      this.frozen.push(p.appEnd.addRow(key, tid) ? 1 : 0);
    }
    return key;
  }

  private adoptFolded(header: Header, offset: number | undefined): void {
    const info = header.fold;
    if (!info) throw new CaptureError("a folded stream's header has no fold information", offset ?? 0);
    const prev = this.foldedInfo;
    if (prev && prev.measure !== info.measure) {
      throw new CaptureError(
        `the input holds streams folded by different measures (--${measureName(prev.measure)} and --${measureName(info.measure)})`,
        offset ?? 0,
      );
    }
    this.foldedInfo = info;
    this.foldedTotals.push(...info.processes);
  }

  private addFolded(scope: Scope, b: FoldedBatch, m: Message): void {
    let memo = this.foldedMemos.get(scope);
    if (!memo) {
      memo = new ScopeMemo(scope);
      this.foldedMemos.set(scope, memo);
    }
    const heap = this.heap;
    for (let i = 0; i < b.length; i++) {
      if (heap !== Heap.ALL && isJsHeap(b.kind[i]) !== (heap === Heap.JS)) continue;
      const stack = b.stack[i];
      if (stack >= scope.stackCount)
        throw new CaptureError(`a folded row refers to undefined stack ${stack}`, m.offset ?? 0);
      this.writer.addMapped(b.pid[i], b.tid[i], b.kind[i], this.writer.plainStack(memo, stack), b.bytes[i], b.count[i]);
    }
  }

  /** The measure of the output: the one asked for, or that of a folded input, else the default (peak). */
  private chooseMeasure(): Measure {
    const folded = this.foldedInfo;
    if (!folded) return this.measure ?? MEASURES[this.options.defaultMeasure ?? "peak"];
    if (this.measure !== undefined && this.measure !== folded.measure) {
      throw new CaptureError(
        `the input was already folded with --${measureName(folded.measure)}; fold the raw capture with --${measureName(this.measure)} instead`,
        0,
      );
    }
    if (this.afterTeardown && !folded.afterTeardown) {
      throw new CaptureError(
        "the input was already folded with --leaks at the app's end; fold the raw capture with --leaks --after-teardown instead",
        0,
      );
    }
    const s = this.shape;
    if (
      folded.inverted !== s.inverted ||
      folded.splitProcesses !== s.splitProcesses ||
      folded.splitThreads !== s.splitThreads
    ) {
      if (s.inverted || s.splitProcesses || s.splitThreads) {
        throw new CaptureError(
          "the input was already folded with other stack options (--inverted, --split-*): fold the raw capture",
          0,
        );
      }
    }
    return folded.measure;
  }

  private finish(): Message[] {
    const measure = this.chooseMeasure();
    const afterTeardown = measure === Measure.LEAKS && (this.foldedInfo?.afterTeardown ?? this.afterTeardown);
    const leakedCount = new Map<ProcessFold, number>();
    for (const p of this.processOrder) if (!p.windowDone && p.windowEnd !== Infinity) this.closeWindow(p);
    for (let key = 0; key < this.rowProcess.length; key++) {
      const p = this.rowProcess[key];
      leakedCount.set(p, (leakedCount.get(p) ?? 0) + this.curCount.data[key]);
      // Threads whose app code did not end before the input did: what they hold at the end is what they kept.
      this.freeze(key);
      p.keptBytes += this.kept.data[key];
      p.keptCount += this.keptCount.data[key];
      const [bytes, count] = this.valueOf(key, p, measure, afterTeardown);
      if (bytes === 0 && count === 0) continue;
      this.writer.add(
        p.memo,
        p.pid,
        this.rowTid.data[key],
        this.rowKind.data[key],
        this.rowStack.data[key],
        bytes,
        count,
      );
    }
    const folded = this.foldedInfo;
    const truncated =
      (folded?.truncated ?? false) || this.scopes.all().some((s) => s.header.content === Content.RAW && !s.trailerSeen);
    const info: FoldInfo = {
      measure,
      processes: [...this.foldedTotals, ...this.rawProcesses().map((p) => p.totals(leakedCount.get(p) ?? 0))],
      truncated,
      temporaryThreshold: measure === Measure.TEMPORARY ? (folded?.temporaryThreshold ?? this.temporaryThreshold) : 0,
      inverted: this.shape.inverted || (folded?.inverted ?? false),
      splitProcesses: this.shape.splitProcesses || (folded?.splitProcesses ?? false),
      splitThreads: this.shape.splitThreads || (folded?.splitThreads ?? false),
      // A heap asked for narrows a folded input's; otherwise the input's stands.
      heap: this.heap !== Heap.ALL ? this.heap : (folded?.heap ?? Heap.ALL),
      afterTeardown,
    };
    return this.writer.messages(info);
  }

  /**
   * The processes whose totals this fold computed. A folded input carries its processes' own records, Headers
   * included: those processes have no events here, and their totals come from the input's FoldInfo instead.
   */
  private rawProcesses(): ProcessFold[] {
    const folded = new Set(this.foldedTotals.map((t) => t.pid));
    return this.processOrder.filter((p) => !(folded.has(p.pid) && p.allocations === 0 && p.deallocations === 0));
  }

  private valueOf(key: number, p: ProcessFold, measure: Measure, afterTeardown: boolean): [number, number] {
    switch (measure) {
      case Measure.TOTAL:
        return [this.total.data[key], this.totalCount.data[key]];
      case Measure.LEAKS:
        return afterTeardown
          ? [this.cur.data[key], this.curCount.data[key]]
          : [this.kept.data[key], this.keptCount.data[key]];
      case Measure.PEAK: {
        const atPeak = this.snapEpoch.data[key] === p.epoch;
        return atPeak ? [this.snap.data[key], this.snapCount.data[key]] : [this.cur.data[key], this.curCount.data[key]];
      }
      default:
        return [this.extra.data[key], this.extraCount.data[key]];
    }
  }
}

/** fold as a Transform: Messages in, the folded stream's Messages out (object mode on both sides). */
export function fold(options: FoldOptions = {}): Transform {
  return stageTransform((emit) => new Folder(emit, options));
}

/** fold over an async iterable of Messages. */
export function foldMessages(
  source: AsyncIterable<Message> | Iterable<Message>,
  options: FoldOptions = {},
): AsyncGenerator<Message> {
  return stageIterate(source, (emit) => new Folder(emit, options));
}
