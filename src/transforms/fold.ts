// fold: events -> bytes and counts per stack, under every measure one pass computes.
//
// A row is (process, thread, allocator, stack). Each measure is a strategy of its own (measures/, listed in
// measures/registry.ts); fold pairs frees with their allocations (LiveHeap, after EventOrderer has put each process's
// threads into one time order) and tells the measures. Every measure costs O(1) per event. One fold computes the
// measure asked for and every one-pass measure (peak, leaks, total, temporary): the folded stream holds the one
// asked for as its own (FoldedBatch Records) and the others beside it (other_measure Records), so that a report on a
// folded capture can show any of them without going back to the events.
//
// Rows are kept per input scope while reading; at the end FoldedWriter re-interns their stacks into the output scope
// and writes the folded stream after the processes' own records (headers, threads, memory samples, trailers), which
// pass through as they come.
//
// A folded stream in the input (one folded before) is added as it is, every measure it holds, so fold is
// idempotent: `fold | fold` equals `fold`, and a report can always fold its input first.
import type { Transform } from "node:stream";
import { CaptureError } from "../codec/errors";
import { UsageError } from "../errors";
import {
  Content,
  EventKind,
  FORMAT_VERSION,
  PAIRED_VERSION,
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
  type MessageOf,
  type PairedBatch,
  type ProcessTotals,
  type SiteTable,
} from "../codec/model";
import { SizeHistogram } from "../model/histogram";
import { Scopes, type Scope } from "../model/scope";
import { AppEnd } from "./app-end";
import { FoldedWriter, ScopeMemo, type OutputShape } from "./fold-output";
import { FoldRows } from "./fold-rows";
import { LiveHeap } from "./live";
import {
  HEAPS,
  MEASURES,
  ONE_PASS_MEASURES,
  definitionOf,
  describeTime,
  measureName,
  type FoldProcess,
  type HeapName,
  type MeasureAggregator,
  type MeasureDefinition,
  type MeasureName,
  type NativeMeasure,
  type TimeSpec,
} from "./measures";
import { NumberMap } from "./number-map";
import { EventOrderer, approximateMergeWarning } from "./order";
import { EXTRA_AWAITED, EXTRA_EARLY, EXTRA_OVERWRITTEN } from "./pair";
import { SerialBlocks } from "./serial-blocks";
import { FoldTimeline } from "./timeline/fold-timeline";
import { NativeTimeline } from "./timeline/native";
import type { TimelineState } from "./timeline/state";
import { f64, u32, u8 } from "../model/growable";
import { KernelSlot, KernelStop, PairedFault, loadKernel, type Kernel, type KernelPairedFold } from "../native/kernel";
import { stageIterate, stageTransform } from "../streams/stage";

export { MEASURES, measureName, type MeasureName } from "./measures";

export interface FoldOptions {
  /** The measure of the output. Default: the measure of a folded input, else `defaultMeasure`. */
  measure?: MeasureName;
  /**
   * For "leaks": what was live at the end of the input, after the runtime's teardown, also where the app's end
   * was recorded (by default each thread is taken when its app code ended: AppEnd).
   */
  afterTeardown?: boolean;
  /**
   * The measure of a raw capture when `measure` is not given (default peak). A report whose figures are about
   * everything allocated (stats) asks for total here; a folded input that holds it is read by it too.
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
  /**
   * Also fold each process's memory over time (timeline/), written as Timeline Records: what the HTML flame graph's
   * time window and memory chart read. The kernel keeps it for the processes it folds. false also leaves a folded
   * input's Timeline Records out (undefined passes them through).
   */
  timeline?: boolean;
  /** The most timeline table entries to keep (default ENTRY_BUDGET): past it, buckets widen. */
  timelineBudget?: number;
  /**
   * false: fold paired batches in TypeScript even when the native kernel is there (tests compare both). A measure
   * with per-event hooks and no native form (measures/measure.ts) makes fold run in TypeScript too.
   */
  kernel?: boolean;
}

// Read once: the enums are re-exported through getters, which the hot path would call at every event.
const { ALL: HEAP_ALL, JS: HEAP_JS } = Heap;
/** Rows of room the kernel's columns gain when it runs out (it makes new rows itself until then). */
const NATIVE_ROWS_ROOM = 4096;
const { JS_SAMPLE, MMAP, MREMAP, MUNMAP } = EventKind;

/** What fold keeps of a paired scope (version 2): its sites and live blocks by serial, and the counts of its pairs. */
class PairedState {
  readonly siteKind = u8();
  readonly siteSize = f64();
  readonly siteStack = u32();
  readonly siteCount = f64();
  readonly blocks = new SerialBlocks();
  serials = 0;
  unmatched = 0;
  overwritten = 0;
  /** Blocks released at an allocation (AWAITED) whose late free may still come: a bound that corrupt input breaks. */
  awaited = 0;

  constructor() {
    // Site 0 is not used.
    this.siteKind.push(0);
    this.siteSize.push(0);
    this.siteStack.push(0);
    this.siteCount.push(0);
  }
}

class ProcessFold implements FoldProcess {
  readonly live: LiveHeap;
  readonly memo: ScopeMemo;
  liveBytes = 0;
  peakBytes = 0;
  peakTime = 0;
  epoch = 0;
  allocations = 0;
  allocatedBytes = 0;
  deallocations = 0;
  endTime = 0;
  readonly keys: number[] = [];
  windowStart = 0;
  windowEnd = Infinity;
  windowDone = false;
  /** Row of (tid, stack * 128 + kind), per thread. */
  private readonly rows = new Map<number, NumberMap>();
  private lastTid = -1;
  private lastRows: NumberMap | undefined;
  /** Allocations made so far, per thread; the last thread's count is kept at hand (events come in runs). */
  private readonly threadAllocations = new Map<number, number>();
  private countTid = -1;
  private count = 0;
  /** When the app's code ended, per thread (for "leaks", and every fold's kept totals). */
  readonly appEnd: AppEnd;
  /** What the rows held when the app's code ended (summed at the end). */
  keptBytes = 0;
  keptCount = 0;
  /** For a version-2 scope. */
  paired: PairedState | undefined;
  /** The tag of the latest allocation (Folder.allocate). */
  lastTag = 0;
  /** Memory over time, when the fold keeps it (FoldOptions.timeline): in the kernel when `native` is there. */
  timeline: TimelineState | undefined;
  /** The native fold of this process's paired batches, and the figures it shares (KernelSlot). */
  native: KernelPairedFold | undefined;
  readonly nativeState = new Float64Array(KernelSlot.Length);

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

  /** After an allocation at time t: a new high-water mark starts a new epoch of the rows (FoldRows.touch). */
  notePeak(t: number): void {
    if (this.liveBytes > this.peakBytes) {
      this.peakBytes = this.liveBytes;
      this.peakTime = t;
      this.epoch++;
    }
  }

  /** Counts an allocation of a thread; returns its number (the block's tag). */
  nextAllocation(tid: number): number {
    if (this.native) return this.native.nextAllocation(tid);
    if (tid !== this.countTid) {
      if (this.countTid >= 0) this.threadAllocations.set(this.countTid, this.count);
      this.countTid = tid;
      this.count = this.threadAllocations.get(tid) ?? 0;
    }
    return ++this.count;
  }

  allocationsOf(tid: number): number {
    if (this.native) return this.native.allocationsOf(tid);
    return tid === this.countTid ? this.count : (this.threadAllocations.get(tid) ?? 0);
  }

  totals(leakedCount: number): ProcessTotals {
    return {
      pid: this.pid,
      allocations: this.allocations,
      allocatedBytes: this.allocatedBytes,
      deallocations: this.deallocations,
      unmatchedDeallocations: this.live.unmatched + (this.paired?.unmatched ?? 0),
      overwrittenAllocations: this.live.overwritten + (this.paired?.overwritten ?? 0),
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

/** What a reader sees of a raw process while the fold runs (the live view): its figures so far and its rows. */
export interface FoldProgress {
  readonly pid: number;
  readonly scope: Scope;
  /** The latest high-water mark's number: a row's `snap` holds its value at the peak if taken in this epoch. */
  readonly epoch: number;
  readonly liveBytes: number;
  readonly peakBytes: number;
  readonly allocations: number;
  readonly deallocations: number;
  /** The time of the latest event folded, in the process's clock. */
  readonly endTime: number;
  /** The process's rows, in the order they were made. */
  readonly keys: readonly number[];
}

/** A measure in this fold: its definition and its state. */
interface Computed {
  definition: MeasureDefinition;
  aggregator: MeasureAggregator;
}

/** The push-based fold: push() every input Message, end() once; output goes to `emit`. */
export class Folder {
  private readonly scopes = new Scopes();
  private readonly orderer: EventOrderer;
  private readonly processes = new Map<number, ProcessFold>();
  private readonly processOrder: ProcessFold[] = [];
  /** The measure asked for, if any. */
  private readonly measure: Measure | undefined;
  private readonly afterTeardown: boolean;
  private readonly temporaryThreshold: number;
  private readonly shape: OutputShape;
  private readonly heap: Heap;
  private readonly writer: FoldedWriter;
  private readonly rows = new FoldRows();
  /** Every measure this fold computes: the one asked for first, then the one-pass measures. */
  private readonly computed: Computed[];
  /** The measure with a window (at, between), if asked for. */
  private readonly windowed: Computed | undefined;
  // The hooks that measures define, gathered so that the hot path calls only those.
  private readonly onGrow: MeasureAggregator[];
  private readonly onAllocate: MeasureAggregator[];
  private readonly onRelease: MeasureAggregator[];
  private readonly freezeRow = (key: number) => this.rows.freeze(key);
  /** fold's native kernel of paired batches, when it is there and every measure computed has a native form. */
  private readonly kernel: Kernel | undefined;
  private readonly nativeTemporary: NativeMeasure["temporary"] | undefined;

  /** The sizes of the allocations folded; unknown once a folded input did not keep them. */
  private readonly sizes = new SizeHistogram();
  private sizesKnown = true;
  /** The processes' memory over time: folded here if asked for, and a folded input's, which passes through. */
  private readonly timeline: FoldTimeline;

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
      throw new UsageError("afterTeardown goes with the leaks measure");
    const asked = this.measure === undefined ? undefined : definitionOf(this.measure);
    if (asked?.window && !asked.window({ temporaryThreshold: 1, ...options }, 0)) {
      throw new UsageError(
        `the ${asked.name} measure needs ${asked.name === "at" ? "a time (options.at)" : "a window (options.window)"}`,
      );
    }
    const definitions = [...new Set([...(asked ? [asked] : []), ...ONE_PASS_MEASURES])];
    const settings = {
      temporaryThreshold: this.temporaryThreshold,
      at: options.at,
      window: options.window,
      afterTeardown: this.afterTeardown,
    };
    this.computed = definitions.map((definition) => ({
      definition,
      aggregator: definition.create(this.rows, settings),
    }));
    this.windowed = this.computed.find((c) => c.definition.window);
    this.onGrow = this.computed.filter((c) => c.aggregator.grow).map((c) => c.aggregator);
    this.onAllocate = this.computed.filter((c) => c.aggregator.allocate).map((c) => c.aggregator);
    this.onRelease = this.computed.filter((c) => c.aggregator.release).map((c) => c.aggregator);
    const hooked = (a: MeasureAggregator) => a.allocate || a.release || a.closeWindow;
    // The timeline hooks every event: the kernel keeps it itself (NativeTimeline).
    const native = this.computed.every((c) => !hooked(c.aggregator) || c.aggregator.native);
    this.kernel = options.kernel !== false && native ? loadKernel() : undefined;
    this.nativeTemporary = this.computed.find((c) => c.aggregator.native)?.aggregator.native?.temporary;
    this.shape = {
      inverted: options.inverted ?? false,
      splitProcesses: options.splitProcesses ?? false,
      splitThreads: options.splitThreads ?? false,
    };
    this.writer = new FoldedWriter(this.shape);
    this.timeline = new FoldTimeline(options.timelineBudget);
    this.heap = HEAPS[options.heap ?? "all"];
    this.orderer = new EventOrderer((m) => this.handle(m), {
      onApproximate: (pid) => options.onWarning?.(approximateMergeWarning(pid)),
    });
  }

  push(m: Message): void {
    try {
      this.orderer.push(m);
    } catch (e) {
      this.disposeNative();
      throw e;
    }
  }

  /** The rows so far and the raw processes' figures, for a reader that looks while folding (the live view). */
  get progress(): { rows: FoldRows; processes: readonly FoldProgress[] } {
    return { rows: this.rows, processes: this.processOrder };
  }

  end(): void {
    let out: Message[];
    try {
      this.orderer.end();
      out = this.finish();
    } finally {
      this.disposeNative();
    }
    for (const m of out) this.emit(m);
  }

  /** The native folds' memory goes when the fold ends or fails, not when the garbage collector gets to it. */
  private disposeNative(): void {
    for (const p of this.processOrder) {
      p.native?.dispose();
      p.native = undefined;
    }
  }

  private handle(m: Message): void {
    const scope = this.scopes.apply(m);
    switch (m.type) {
      case "header":
        if (m.header.content === Content.FOLDED) this.adoptFolded(m.header, m.offset);
        else {
          this.startProcess(m.pid, scope!);
          // The folded stream holds no paired events: its copy of a paired scope's Header is of version 1.
          this.emit(m.header.version > FORMAT_VERSION ? { ...m, header: { ...m.header, version: FORMAT_VERSION } } : m);
        }
        return;
      case "events": {
        const p = this.processes.get(m.pid);
        if (!p) throw new CaptureError(`process ${m.pid}: events in a folded stream`, m.offset ?? 0);
        // A version-2 scope's events are its paired rows (MEMTRACE_PAIRED=2 writes both, for tests only).
        if (p.scope.header.version >= PAIRED_VERSION)
          throw new CaptureError(
            `process ${m.pid}: unpaired events in a scope of version ${p.scope.header.version}`,
            m.offset ?? 0,
          );
        this.foldEvents(p, m.batch, m);
        return;
      }
      case "sites":
      case "paired": {
        const p = this.processes.get(m.pid);
        if (!p || scope!.header.version < PAIRED_VERSION)
          throw new CaptureError(`process ${m.pid}: paired events in a scope of version 1`, m.offset ?? 0);
        if (!p.paired) {
          p.paired = new PairedState();
          // A process whose unpaired events were folded before keeps TypeScript's thread counts.
          if (this.kernel && p.allocations === 0 && p.deallocations === 0) {
            const budget = p.timeline ? this.timeline.budget : -1;
            p.native = new this.kernel.PairedFold(this.nativeTemporary?.threshold ?? -1, budget);
            // No event was folded yet: the timeline has seen times only (memory samples), which it keeps.
            if (p.timeline) p.timeline = new NativeTimeline(p.native, p.timeline.endTime);
          }
        }
        if (m.type === "sites") {
          this.addSites(p.paired, m.sites, m);
          p.native?.addSites(m.sites.kind, m.sites.size, m.sites.stack, m.sites.count);
        } else if (p.native) this.foldPairedNatively(p, p.native, p.paired, m);
        else this.foldPaired(p, p.paired, m.batch, m);
        return;
      }
      case "folded":
        // The stream's own rows are its measure's, whatever a writer put in the batch.
        this.addFolded(scope!, scope!.header.fold?.measure ?? m.batch.measure, m.batch, m);
        return;
      case "otherMeasure":
        this.addFolded(scope!, m.batch.measure, m.batch, m);
        return;
      case "timeline":
        this.adoptTimeline(scope!, m);
        return;
      case "process":
        this.processes.get(m.pid)?.appEnd.note(m.event);
        this.emit(m);
        return;
      case "thread":
      case "memory":
      case "gc":
        this.timelineSaw(m);
        this.emit(m);
        return;
      case "trailer":
        this.timelineSaw(m);
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
    const windowed = this.windowed?.definition;
    if (windowed) {
      const o = this.options;
      const window = windowed.window!({ temporaryThreshold: 1, ...o }, o.durations?.get(pid));
      const [from, to] = windowed.name === "at" ? [o.at!, o.at!] : o.window!;
      if (!window) {
        throw new UsageError(
          `process ${pid}: a time given as a percentage needs the run's length (${describeTime(from)}..${describeTime(to)})`,
        );
      }
      if (window[1] < window[0])
        throw new UsageError(`the window ends (${describeTime(to)}) before it starts (${describeTime(from)})`);
      [p.windowStart, p.windowEnd] = window;
    }
    if (this.options.timeline) p.timeline = this.timeline.create();
    this.processes.set(pid, p);
    this.processOrder.push(p);
  }

  private timelineSaw(m: Message): void {
    const tl = this.processes.get(m.pid)?.timeline;
    if (tl) this.timeline.saw(tl, m);
  }

  /**
   * A folded input's timeline: kept, its stacks mapped, unless this fold narrows the heap (it cannot narrow it) or was
   * told to leave timelines out (timeline: false, not merely not asked for one).
   */
  private adoptTimeline(scope: Scope, m: MessageOf<"timeline">): void {
    if (this.heap !== Heap.ALL || this.options.timeline === false) return;
    const memo = this.foldedMemoOf(scope);
    for (const s of m.timeline.rowStack) {
      if (s >= scope.stackCount) throw new CaptureError(`a timeline row refers to undefined stack ${s}`, m.offset ?? 0);
    }
    this.timeline.adopt(m.timeline, (s) => this.writer.plainStack(memo, s));
  }

  private foldEvents(p: ProcessFold, b: EventBatch, m: Message): void {
    const stacks = p.scope.stackCount;
    const heap = this.heap;
    const tl = p.timeline;
    for (let i = 0; i < b.length; i++) {
      const kind = b.kind[i];
      if (heap !== HEAP_ALL && isJsHeap(kind) !== (heap === HEAP_JS)) continue;
      const size = b.size[i];
      const t = b.time[i];
      if (tl !== undefined) tl.event(t, p.keys.length);
      if (t > p.windowEnd && !p.windowDone) this.closeWindow(p);
      if (t >= p.appEnd.next) p.appEnd.rowsPassed(t, this.freezeRow);
      if (isAllocation(kind)) {
        const stack = b.stack[i];
        if (stack >= stacks)
          throw new CaptureError(`process ${p.pid}: an event refers to undefined stack ${stack}`, m.offset ?? 0);
        const tid = b.tid[i];
        const count = b.count[i];
        const key = this.allocate(p, tid, kind, stack, size, count, t);
        const tag = p.lastTag;
        p.live.alloc(kind, b.address[i], size, key, count, tag, t, tid);
        if (tl !== undefined) tl.allocated();
        p.notePeak(t);
      } else if (isDeallocation(kind)) {
        p.deallocations++;
        p.live.free(kind, b.address[i], size, t, b.tid[i]);
      }
    }
    if (b.length > 0) p.endTime = Math.max(p.endTime, b.time[b.length - 1]);
  }

  /** An allocation's share of its row and of the measures; returns the row. Its tag is left in p.lastTag. */
  private allocate(p: ProcessFold, tid: number, kind: number, stack: number, size: number, count: number, t: number) {
    const rows = this.rows;
    const key = this.rowOf(p, tid, kind, stack);
    rows.touch(key, p.epoch);
    rows.cur.data[key] += size;
    rows.curCount.data[key] += count;
    rows.total.data[key] += size;
    rows.totalCount.data[key] += count;
    p.liveBytes += size;
    p.allocations++;
    p.allocatedBytes += size;
    if (kind === JS_SAMPLE) this.sizes.jsSamples++;
    else this.sizes.add(size);
    const tag = (p.lastTag = p.nextAllocation(tid));
    p.timeline?.allocate(key, size, count, tid, tag, kind === JS_SAMPLE);
    const onAllocate = this.onAllocate;
    for (let j = 0; j < onAllocate.length; j++) onAllocate[j].allocate!(p, key, size, count, t, tag);
    return key;
  }

  private addSites(q: PairedState, t: SiteTable, m: Message): void {
    if (t.firstId !== q.siteKind.length)
      throw new CaptureError(`sites from ${t.firstId} follow ${q.siteKind.length - 1} sites`, m.offset ?? 0);
    q.siteKind.append(t.kind, t.length);
    q.siteSize.append(t.size, t.length);
    q.siteStack.append(t.stack, t.length);
    q.siteCount.append(t.count, t.length);
  }

  /**
   * foldEvents for paired events: the same calls in the same order, with LiveHeap's pairing read from the batch (a free
   * names its allocation by age) instead of found by address. Mappings are paired by LiveHeap, from their addresses.
   */
  private foldPaired(p: ProcessFold, q: PairedState, b: PairedBatch, m: Message): void {
    const bad = (fault: PairedFault, value = 0) =>
      new CaptureError(`process ${p.pid}: ${pairedFault(fault, value)}`, m.offset ?? 0);
    const stacks = p.scope.stackCount;
    const heap = this.heap;
    const blocks = q.blocks;
    const taken = blocks.taken;
    const siteKind = q.siteKind.data;
    const siteSize = q.siteSize.data;
    const siteStack = q.siteStack.data;
    const siteCount = q.siteCount.data;
    const sites = q.siteKind.length;
    let free = 0;
    let mapping = 0;
    let unmap = 0;
    let extra = 0;
    const nextExtra = () => (extra < b.extraRow.length ? b.extraRow[extra] : -1);
    const tl = p.timeline;
    for (let i = 0; i < b.length; i++) {
      const op = b.op[i];
      const t = b.time[i];
      const tid = b.tid[i];
      if (op % 2 === 0) {
        const site = op / 2;
        if (site === 0 || site >= sites) throw bad(PairedFault.UndefinedSite, site);
        const kind = siteKind[site];
        const serial = q.serials++;
        const isMapping = kind === MMAP || kind === MREMAP;
        if (isMapping && mapping >= b.address.length) throw bad(PairedFault.ColumnsMismatch);
        const address = isMapping ? b.address[mapping++] : 0;
        const hasExtra = nextExtra() === i;
        if (heap !== HEAP_ALL && isJsHeap(kind) !== (heap === HEAP_JS)) {
          if (hasExtra) extra++;
          continue;
        }
        const size = siteSize[site];
        const stack = siteStack[site];
        const count = siteCount[site];
        if (tl !== undefined) tl.event(t, p.keys.length);
        if (t > p.windowEnd && !p.windowDone) this.closeWindow(p);
        if (t >= p.appEnd.next) p.appEnd.rowsPassed(t, this.freezeRow);
        if (stack >= stacks) throw bad(PairedFault.UndefinedStack, stack);
        const key = this.allocate(p, tid, kind, stack, size, count, t);
        const tag = p.lastTag;
        if (isMapping) p.live.alloc(kind, address, size, key, count, tag, t, tid);
        else if (!hasExtra) blocks.put(serial, key, tag, site);
        else {
          const why = b.extraKind[extra];
          const age = b.extraAge[extra++];
          if (age === 0) {
            if (why !== EXTRA_EARLY) throw bad(PairedFault.EarlyNotEarly);
            if (q.unmatched <= 0) throw bad(PairedFault.EarlyWithoutFree);
            this.release(p, key, size, count, tag, false);
            q.unmatched--;
          } else {
            if (why === EXTRA_AWAITED) q.awaited++;
            blocks.put(serial, key, tag, site);
            if (!blocks.take(serial - age)) throw bad(PairedFault.ExtraNotLive, age);
            const s = taken.site;
            this.release(p, taken.key, siteSize[s], siteCount[s], taken.tag, why === EXTRA_OVERWRITTEN);
            q.overwritten++;
          }
        }
        if (tl !== undefined) tl.allocated();
        p.notePeak(t);
      } else {
        if (free >= b.freeKind.length) throw bad(PairedFault.FewerFreeKinds);
        const kind = b.freeKind[free++];
        const isUnmap = kind === MUNMAP;
        if (isUnmap && (mapping >= b.address.length || unmap >= b.unmapLength.length))
          throw bad(PairedFault.ColumnsMismatch);
        const address = isUnmap ? b.address[mapping++] : 0;
        const length = isUnmap ? b.unmapLength[unmap++] : 0;
        if (heap !== HEAP_ALL && isJsHeap(kind) !== (heap === HEAP_JS)) continue;
        if (tl !== undefined) tl.event(t, p.keys.length);
        if (t > p.windowEnd && !p.windowDone) this.closeWindow(p);
        if (t >= p.appEnd.next) p.appEnd.rowsPassed(t, this.freezeRow);
        p.deallocations++;
        if (isUnmap) {
          p.live.free(kind, address, length, t, tid);
          continue;
        }
        const v = (op - 1) / 2;
        if (v === 0) q.unmatched++;
        else if (v === 1) {
          if (q.awaited <= 0) throw bad(PairedFault.LateWithoutAwaited);
          q.awaited--;
          q.overwritten--;
        } else {
          if (!blocks.take(q.serials - (v - 1))) throw bad(PairedFault.FreeNotLive, v - 1);
          const s = taken.site;
          this.release(p, taken.key, siteSize[s], siteCount[s], taken.tag, false);
        }
      }
    }
    if (mapping > b.address.length || unmap > b.unmapLength.length || extra !== b.extraRow.length)
      throw bad(PairedFault.ColumnsMismatch);
    if (b.length > 0) p.endTime = Math.max(p.endTime, b.time[b.length - 1]);
  }

  /**
   * foldPaired in the native kernel (native/kernel/paired_fold.h): it reads the batch's bytes and does the rows'
   * and the one-pass measures' arithmetic, and stops where this must act: a new row, an app's end, a mapping.
   */
  private foldPairedNatively(p: ProcessFold, k: KernelPairedFold, q: PairedState, m: PairedMessage): void {
    if (m.raw && k.loadRaw(m.raw)) {
      // The kernel copied the columns: the bytes go back to the decoder for the next batch.
      m.release?.();
    } else {
      const b = m.batch;
      k.loadColumns(b.op, b.time, b.tid, b.freeKind, b.address, b.unmapLength, b.extraRow, b.extraAge, b.extraKind);
    }
    const s = p.nativeState;
    const rows = this.rows;
    const temporary = this.nativeTemporary?.sums;
    for (;;) {
      s[KernelSlot.LiveBytes] = p.liveBytes;
      s[KernelSlot.PeakBytes] = p.peakBytes;
      s[KernelSlot.PeakTime] = p.peakTime;
      s[KernelSlot.Epoch] = p.epoch;
      s[KernelSlot.Allocations] = p.allocations;
      s[KernelSlot.AllocatedBytes] = p.allocatedBytes;
      s[KernelSlot.Deallocations] = p.deallocations;
      s[KernelSlot.EndTime] = p.endTime;
      s[KernelSlot.JsSamples] = this.sizes.jsSamples;
      s[KernelSlot.AppEndNext] = p.appEnd.next;
      s[KernelSlot.StackCount] = p.scope.stackCount;
      s[KernelSlot.Heap] = this.heap;
      s[KernelSlot.RowCount] = rows.length;
      s[KernelSlot.ProcessRows] = p.keys.length;
      const stop = k.run(
        s,
        rows.cur.data,
        rows.curCount.data,
        rows.snap.data,
        rows.snapCount.data,
        rows.snapEpoch.data,
        rows.total.data,
        rows.totalCount.data,
        temporary?.bytes.data ?? null,
        temporary?.count.data ?? null,
        this.sizes.counts,
        this.sizes.sums,
      );
      p.liveBytes = s[KernelSlot.LiveBytes];
      p.peakBytes = s[KernelSlot.PeakBytes];
      p.peakTime = s[KernelSlot.PeakTime];
      p.epoch = s[KernelSlot.Epoch];
      p.allocations = s[KernelSlot.Allocations];
      p.allocatedBytes = s[KernelSlot.AllocatedBytes];
      p.deallocations = s[KernelSlot.Deallocations];
      p.endTime = s[KernelSlot.EndTime];
      this.sizes.jsSamples = s[KernelSlot.JsSamples];
      q.unmatched = s[KernelSlot.Unmatched];
      q.overwritten = s[KernelSlot.Overwritten];
      q.awaited = s[KernelSlot.Awaited];
      this.adoptNativeRows(p, q, s);
      const o = KernelSlot.Out;
      switch (stop) {
        case KernelStop.Done:
          return;
        case KernelStop.NeedRoom: {
          const room = rows.length + NATIVE_ROWS_ROOM;
          rows.reserve(room);
          temporary?.reserve(room);
          break;
        }
        case KernelStop.AppEnd:
          p.appEnd.rowsPassed(s[o], this.freezeRow);
          break;
        case KernelStop.MapAlloc: {
          const [kind, address, size, stack, count, t, tid] = s.subarray(o, o + 7);
          // The kernel moved the timeline to the event's bucket (timeline.event) before it stopped.
          const key = this.allocate(p, tid, kind, stack, size, count, t);
          p.live.alloc(kind, address, size, key, count, p.lastTag, t, tid);
          p.timeline?.allocated();
          p.notePeak(t);
          break;
        }
        case KernelStop.MapFree:
          p.live.free(s[o], s[o + 1], s[o + 2], s[o + 5], s[o + 6]);
          break;
        default:
          throw new CaptureError(`process ${p.pid}: ${pairedFault(s[o], s[o + 1])}`, m.offset ?? 0);
      }
    }
  }

  /** The rows the kernel made in its latest run (KernelSlot.Rows): each gets rowOf's bookkeeping, in order. */
  private adoptNativeRows(p: ProcessFold, q: PairedState, s: Float64Array): void {
    const n = s[KernelSlot.NewRows];
    for (let i = 0; i < n; i++) {
      const tid = s[KernelSlot.Rows + 2 * i];
      const site = s[KernelSlot.Rows + 2 * i + 1];
      const kind = q.siteKind.data[site];
      const stack = q.siteStack.data[site];
      const byStack = p.rowsOf(tid);
      const k = stack * 128 + kind;
      const key = this.rows.adopt(p.pid, tid, kind, stack);
      // The kernel makes a row only where rowOf would: it knows every row of the process but mappings'.
      if (byStack.get(k) >= 0 || key !== s[KernelSlot.RowCount] - n + i)
        throw new Error(`the kernel made row ${key} of process ${p.pid} twice or out of order`);
      this.addedRow(p, byStack, k, key, tid);
    }
  }

  private release(p: ProcessFold, key: number, bytes: number, count: number, tag: number, overwritten: boolean): void {
    const rows = this.rows;
    rows.touch(key, p.epoch);
    rows.cur.data[key] -= bytes;
    rows.curCount.data[key] -= count;
    p.liveBytes -= bytes;
    p.timeline?.release(key, bytes, count, rows.tid.data[key], tag, rows.kind.data[key] === JS_SAMPLE);
    const onRelease = this.onRelease;
    for (let j = 0; j < onRelease.length; j++) onRelease[j].release!(p, key, bytes, count, tag, overwritten);
  }

  /** The first event after the moment (at) or window (between). */
  private closeWindow(p: ProcessFold): void {
    p.windowDone = true;
    this.windowed?.aggregator.closeWindow?.(p);
  }

  private rowOf(p: ProcessFold, tid: number, kind: number, stack: number): number {
    const byStack = p.rowsOf(tid);
    const k = stack * 128 + kind;
    let key = byStack.get(k);
    if (key < 0) key = this.addedRow(p, byStack, k, this.rows.add(p.pid, tid, kind, stack), tid);
    return key;
  }

  /** A new row's bookkeeping (rowOf's, and the kernel's rows'); returns its key. */
  private addedRow(p: ProcessFold, byStack: NumberMap, k: number, key: number, tid: number): number {
    // Made after its thread's app code ended: nothing of it was kept.
    if (p.appEnd.addRow(key, tid)) this.rows.frozen.data[key] = 1;
    byStack.set(k, key);
    p.keys.push(key);
    for (const a of this.onGrow) a.grow!(key + 1);
    return key;
  }

  private adoptFolded(header: Header, offset: number | undefined): void {
    const info = header.fold;
    if (!info) throw new CaptureError("a folded stream's header has no fold information", offset ?? 0);
    const prev = this.foldedInfo;
    if (prev && measuresOf(prev).join() !== measuresOf(info).join()) {
      throw new CaptureError(
        `the input holds streams folded by different measures (${describeMeasures(prev)} and ${describeMeasures(info)})`,
        offset ?? 0,
      );
    }
    this.foldedInfo = info;
    this.foldedTotals.push(...info.processes);
    if (!this.sizes.addFolded(info)) this.sizesKnown = false;
  }

  private foldedMemoOf(scope: Scope): ScopeMemo {
    let memo = this.foldedMemos.get(scope);
    if (!memo) {
      memo = new ScopeMemo(scope);
      this.foldedMemos.set(scope, memo);
      // The folded scope's stacks, in the order they were defined (a folded stream defines its tables before its
      // rows): its rows come measure by measure, and mapping them as they come would number the stacks otherwise.
      if (this.heap === Heap.ALL) for (let s = 1; s < scope.stackCount; s++) this.writer.plainStack(memo, s);
    }
    return memo;
  }

  private addFolded(scope: Scope, measure: Measure, b: FoldedBatch, m: Message): void {
    const memo = this.foldedMemoOf(scope);
    const heap = this.heap;
    for (let i = 0; i < b.length; i++) {
      if (heap !== Heap.ALL && isJsHeap(b.kind[i]) !== (heap === Heap.JS)) continue;
      const stack = b.stack[i];
      if (stack >= scope.stackCount)
        throw new CaptureError(`a folded row refers to undefined stack ${stack}`, m.offset ?? 0);
      const out = this.writer.plainStack(memo, stack);
      this.writer.addMapped(measure, b.pid[i], b.tid[i], b.kind[i], out, b.bytes[i], b.count[i]);
    }
  }

  /** The measures of the output, its own first: the one asked for, or that of a folded input, else the default. */
  private chooseMeasures(): Measure[] {
    const folded = this.foldedInfo;
    if (!folded) {
      const own = this.measure ?? MEASURES[this.options.defaultMeasure ?? "peak"];
      return [own, ...this.computed.map((c) => c.definition.measure).filter((m) => m !== own)];
    }
    const held = measuresOf(folded);
    const wanted = this.measure ?? MEASURES[this.options.defaultMeasure ?? measureName(folded.measure)];
    // A report's default (stats' total) gives way to the input's own measure when the input does not hold it.
    const own = held.includes(wanted) ? wanted : this.measure === undefined ? folded.measure : undefined;
    if (own === undefined) {
      throw new CaptureError(
        `the input was already folded, with ${describeMeasures(folded)}; fold the raw capture with --${measureName(this.measure!)} instead`,
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
    return [own, ...held.filter((m) => m !== own)];
  }

  private finish(): Message[] {
    const measures = this.chooseMeasures();
    const leakedCount = new Map<ProcessFold, number>();
    for (const p of this.processOrder) if (!p.windowDone && p.windowEnd !== Infinity) this.closeWindow(p);
    const rows = this.rows;
    const value: [number, number] = [0, 0];
    for (let key = 0; key < rows.length; key++) {
      const p = this.processes.get(rows.pid.data[key])!;
      leakedCount.set(p, (leakedCount.get(p) ?? 0) + rows.curCount.data[key]);
      // Threads whose app code did not end before the input did: what they hold at the end is what they kept.
      rows.freeze(key);
      p.keptBytes += rows.kept.data[key];
      p.keptCount += rows.keptCount.data[key];
      for (const { definition, aggregator } of this.computed) {
        aggregator.value(p, key, value);
        if (value[0] === 0 && value[1] === 0) continue;
        const [tid, kind, stack] = [rows.tid.data[key], rows.kind.data[key], rows.stack.data[key]];
        this.writer.add(definition.measure, p.memo, p.pid, tid, kind, stack, value[0], value[1]);
      }
    }
    const folded = this.foldedInfo;
    const truncated =
      (folded?.truncated ?? false) || this.scopes.all().some((s) => s.header.content === Content.RAW && !s.trailerSeen);
    const info: FoldInfo = {
      measure: measures[0],
      measures,
      processes: [...this.foldedTotals, ...this.rawProcesses().map((p) => p.totals(leakedCount.get(p) ?? 0))],
      truncated,
      temporaryThreshold: measures.includes(Measure.TEMPORARY)
        ? (folded?.temporaryThreshold ?? this.temporaryThreshold)
        : 0,
      inverted: this.shape.inverted || (folded?.inverted ?? false),
      splitProcesses: this.shape.splitProcesses || (folded?.splitProcesses ?? false),
      splitThreads: this.shape.splitThreads || (folded?.splitThreads ?? false),
      // A heap asked for narrows a folded input's; otherwise the input's stands.
      heap: this.heap !== Heap.ALL ? this.heap : (folded?.heap ?? Heap.ALL),
      // Which moment the LEAKS rows took.
      afterTeardown: folded?.afterTeardown ?? this.afterTeardown,
      ...(this.sizesKnown ? this.sizes.toFoldInfo() : { sizeCounts: [], sizeBytes: [], jsSamples: 0 }),
    };
    return this.writer.messages(info, this.timelineMessages());
  }

  /** The Timeline Records, after the rows were frozen (their kept columns are final). */
  private timelineMessages(): Message[] {
    const rows = this.rows;
    return this.timeline.messages(this.rawProcesses(), {
      tid: rows.tid,
      kind: rows.kind,
      kept: rows.kept,
      keptCount: rows.keptCount,
      outputStack: (key) => {
        const p = this.processes.get(rows.pid.data[key])!;
        return this.writer.stackOf(p.memo, p.pid, rows.tid.data[key], rows.stack.data[key]);
      },
      appEnded: (pid) => this.processes.get(pid)?.appEnd.recorded ?? false,
    });
  }

  /**
   * The processes whose totals this fold computed. A folded input carries its processes' own records, Headers
   * included: those processes have no events here, and their totals come from the input's FoldInfo instead.
   */
  private rawProcesses(): ProcessFold[] {
    const folded = new Set(this.foldedTotals.map((t) => t.pid));
    return this.processOrder.filter((p) => !(folded.has(p.pid) && p.allocations === 0 && p.deallocations === 0));
  }
}

type PairedMessage = Extract<Message, { type: "paired" }>;

/** A corrupt paired batch, in the words of both paths (the TypeScript one and the kernel's). */
function pairedFault(fault: PairedFault, value: number): string {
  switch (fault) {
    case PairedFault.UndefinedSite:
      return `a paired event names undefined site ${value}`;
    case PairedFault.UndefinedStack:
      return `an event refers to undefined stack ${value}`;
    case PairedFault.EarlyNotEarly:
      return "an allocation releases its own block but not as an early free";
    case PairedFault.EarlyWithoutFree:
      return "an early free's allocation comes without a free that released nothing";
    case PairedFault.ExtraNotLive:
      return `an allocation releases a block that is not live (age ${value})`;
    case PairedFault.FewerFreeKinds:
      return "a paired batch has fewer free kinds than frees";
    case PairedFault.LateWithoutAwaited:
      return "a late free comes without a block released at an allocation";
    case PairedFault.FreeNotLive:
      return `a free releases a block that is not live (age ${value})`;
    case PairedFault.ColumnsMismatch:
      return "a paired batch's columns do not match its rows";
    default:
      return `the native fold failed (${fault as number})`;
  }
}

/** The measures a folded stream holds, its own first (streams folded before FoldInfo.measures hold their own). */
export function measuresOf(info: FoldInfo): Measure[] {
  return info.measures.length > 0 ? info.measures : [info.measure];
}

function describeMeasures(info: FoldInfo): string {
  return measuresOf(info)
    .map((m) => `--${measureName(m)}`)
    .join(", ");
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
