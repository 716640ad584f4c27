// fold: events -> bytes and counts per stack, under a measure.
//
// All three measures are computed in one pass, at O(1) per event:
// - total: every allocation adds to its row;
// - leaks: allocations add, their frees subtract (pairing by address in LiveHeap); what remains at the end;
// - peak: the rows as they stood when the process's live bytes were highest. Rather than copying every row at
//   each new high-water mark, a row saves its value the first time it changes after the mark (`touch`): a row
//   untouched since the last mark still holds its value at the mark. (Memray's high-water-mark aggregator uses
//   the same idea.)
// A row is (process, thread, allocator, stack). Rows are kept per input scope while reading; at the end their
// stacks are re-interned into the output scope by frame identity (so that the same function in two processes, or
// at two addresses, is one frame), and the folded stream is written: the processes' own records (headers,
// threads, memory samples, trailers) as they came, then the pid-0 scope with the tables and FoldedBatches.
//
// A FoldedBatch in the input (a stream that was folded before) is added as it is, so fold is idempotent:
// `fold | fold` equals `fold`, and a report can always fold its input first.
import type { Transform } from "node:stream";
import { CaptureError } from "../codec/errors";
import {
  Content,
  EventOrder,
  Measure,
  isAllocation,
  isDeallocation,
  newHeader,
  type EventBatch,
  type FoldedBatch,
  type Message,
  type ProcessTotals,
} from "../codec/model";
import { f64, u32, u8, type Growable } from "../model/growable";
import { Interner } from "../model/interner";
import { Scopes, type Scope } from "../model/scope";
import { LiveHeap } from "./live";
import { NumberMap } from "./number-map";
import { pushIterate, pushTransform } from "./push-transform";
import { EventOrderer } from "./order";

export type MeasureName = "peak" | "leaks" | "total";

export const MEASURES: Record<MeasureName, Measure> = {
  peak: Measure.PEAK,
  leaks: Measure.LEAKS,
  total: Measure.TOTAL,
};

export function measureName(m: Measure): MeasureName {
  return m === Measure.LEAKS ? "leaks" : m === Measure.TOTAL ? "total" : "peak";
}

export interface FoldOptions {
  /** The measure to fold by. Default: the measure of a folded input, else peak. */
  measure?: MeasureName;
  /** Problems that do not stop the fold (threads merged without watermarks). */
  onWarning?: (message: string) => void;
}

const FOLDER_NAME = "memtrace fold";
const OUT_BATCH = 16 * 1024;

class ProcessFold {
  readonly live: LiveHeap;
  liveBytes = 0;
  liveCount = 0;
  peakBytes = 0;
  peakTime = 0;
  /** Increases at every new high-water mark; a row's snapshot is valid if taken in the current epoch. */
  epoch = 0;
  allocations = 0;
  allocatedBytes = 0;
  deallocations = 0;
  unmatched = 0;
  endTime = 0;
  /** Row of (tid, stack * 128 + kind). */
  readonly rows = new Map<number, NumberMap>();
  private lastTid = -1;
  private lastRows: NumberMap | undefined;
  /** Output stack of each input stack, 0 = not mapped yet. */
  readonly outStack = u32();
  /** Output frame of each input frame, 0 = not mapped yet. */
  readonly outFrame = u32();

  constructor(
    readonly pid: number,
    readonly scope: Scope,
    onRelease: (key: number, bytes: number, count: number) => void,
  ) {
    this.live = new LiveHeap(onRelease);
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

  totals(rowsLiveCount: number): ProcessTotals {
    return {
      pid: this.pid,
      allocations: this.allocations,
      allocatedBytes: this.allocatedBytes,
      deallocations: this.deallocations,
      unmatchedDeallocations: this.unmatched,
      overwrittenAllocations: this.live.overwritten,
      peakBytes: this.peakBytes,
      peakTimeNs: this.peakTime,
      leakedBytes: this.liveBytes,
      leakedCount: rowsLiveCount,
      endTimeNs: this.endTime,
    };
  }
}

/** The push-based fold: push() every input Message, end() once; output goes to `emit`. */
export class Folder {
  private readonly scopes = new Scopes();
  private readonly orderer: EventOrderer;
  private readonly processes = new Map<number, ProcessFold>();
  private readonly processOrder: number[] = [];
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

  private readonly output = new Interner();
  /** Rows of folded input, already in the output scope: "pid,tid,kind,stack" -> [bytes, count]. */
  private readonly foldedIn = new Map<string, [number, number]>();
  private foldedMeasure: Measure | undefined;
  private readonly foldedTotals: ProcessTotals[] = [];
  private foldedTruncated = false;
  private readonly foldedScopeOut = new Map<Scope, { stacks: Growable<Uint32Array>; frames: Growable<Uint32Array> }>();

  constructor(
    private readonly emit: (m: Message) => void,
    private readonly options: FoldOptions = {},
  ) {
    this.orderer = new EventOrderer((m) => this.handle(m), {
      onApproximate: (pid) =>
        options.onWarning?.(
          `process ${pid}: too many events between watermarks; threads were merged approximately, so a free in one thread may miss its allocation in another`,
        ),
    });
  }

  push(m: Message): void {
    this.orderer.push(m);
  }

  end(): void {
    this.orderer.end();
    this.finish();
  }

  private handle(m: Message): void {
    const scope = this.scopes.apply(m);
    switch (m.type) {
      case "header":
        if (m.header.content === Content.FOLDED) {
          this.adoptFoldedHeader(m.header.fold?.measure, m.header.fold?.processes ?? [], m.header.fold?.truncated);
          return;
        }
        this.startProcess(m.pid, scope!);
        this.emit(m);
        return;
      case "events": {
        const p = this.processes.get(m.pid);
        if (!p) throw new CaptureError(`process ${m.pid}: events in a folded stream`, m.offset ?? 0);
        this.foldEvents(p, m.batch, m);
        return;
      }
      case "folded":
        this.addFolded(scope!, m.batch);
        return;
      case "thread":
      case "process":
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
    if (!this.processes.has(pid)) this.processOrder.push(pid);
    const p: ProcessFold = new ProcessFold(pid, scope, (key, bytes, count) => {
      this.touch(key, p.epoch);
      this.cur.data[key] -= bytes;
      this.curCount.data[key] -= count;
      p.liveBytes -= bytes;
    });
    this.processes.set(pid, p);
  }

  private foldEvents(p: ProcessFold, b: EventBatch, m: Message): void {
    const stacks = p.scope.stackCount;
    for (let i = 0; i < b.length; i++) {
      const kind = b.kind[i];
      const size = b.size[i];
      if (isAllocation(kind)) {
        const stack = b.stack[i];
        if (stack >= stacks)
          throw new CaptureError(`process ${p.pid}: an event refers to undefined stack ${stack}`, m.offset ?? 0);
        const key = this.rowOf(p, b.tid[i], kind, stack);
        const count = b.count[i];
        this.touch(key, p.epoch);
        this.cur.data[key] += size;
        this.curCount.data[key] += count;
        this.total.data[key] += size;
        this.totalCount.data[key] += count;
        p.liveBytes += size;
        p.allocations++;
        p.allocatedBytes += size;
        p.live.alloc(kind, b.address[i], size, key, count);
        if (p.liveBytes > p.peakBytes) {
          p.peakBytes = p.liveBytes;
          p.peakTime = b.time[i];
          p.epoch++;
        }
      } else if (isDeallocation(kind)) {
        p.deallocations++;
        if (!p.live.free(kind, b.address[i], size)) p.unmatched++;
      }
    }
    if (b.length > 0) p.endTime = Math.max(p.endTime, b.time[b.length - 1]);
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
      this.rowProcess.push(p);
      this.rowTid.push(tid);
      this.rowKind.push(kind);
      this.rowStack.push(stack);
      this.cur.push(0);
      this.curCount.push(0);
      this.snap.push(0);
      this.snapCount.push(0);
      this.snapEpoch.push(-1);
      this.total.push(0);
      this.totalCount.push(0);
    }
    return key;
  }

  private adoptFoldedHeader(
    measure: Measure | undefined,
    totals: ProcessTotals[],
    truncated: boolean | undefined,
  ): void {
    if (measure !== undefined && measure !== Measure.MEASURE_UNSPECIFIED) {
      if (this.foldedMeasure !== undefined && this.foldedMeasure !== measure) {
        throw new CaptureError(
          `the input holds streams folded by different measures (--${measureName(this.foldedMeasure)} and --${measureName(measure)})`,
          0,
        );
      }
      this.foldedMeasure = measure;
    }
    this.foldedTotals.push(...totals);
    if (truncated) this.foldedTruncated = true;
  }

  private addFolded(scope: Scope, b: FoldedBatch): void {
    let memo = this.foldedScopeOut.get(scope);
    if (!memo) {
      memo = { stacks: u32(), frames: u32() };
      this.foldedScopeOut.set(scope, memo);
    }
    for (let i = 0; i < b.length; i++) {
      const stack = b.stack[i];
      if (stack >= scope.stackCount) throw new CaptureError(`a folded row refers to undefined stack ${stack}`, 0);
      const out = this.mapStack(scope, memo.stacks, memo.frames, stack);
      const key = `${b.pid[i]},${b.tid[i]},${b.kind[i]},${out}`;
      const acc = this.foldedIn.get(key);
      if (acc) {
        acc[0] += b.bytes[i];
        acc[1] += b.count[i];
      } else this.foldedIn.set(key, [b.bytes[i], b.count[i]]);
    }
  }

  /** The output stack of an input stack: its frames re-interned, root first, by identity. */
  private mapStack(scope: Scope, memo: Growable<Uint32Array>, frameMemo: Growable<Uint32Array>, stack: number): number {
    if (stack === 0) return 0;
    memo.ensure(scope.stackCount);
    frameMemo.ensure(scope.frameCount);
    const known = memo.data;
    const knownFrame = frameMemo.data;
    if (known[stack] !== 0) return known[stack];
    // Walk up to the nearest mapped ancestor, then intern back down.
    const chain: number[] = [];
    let s = stack;
    while (s !== 0 && known[s] === 0) {
      chain.push(s);
      s = scope.stackParent.data[s];
    }
    let out = s === 0 ? 0 : known[s];
    for (let i = chain.length - 1; i >= 0; i--) {
      const id = chain[i];
      const frame = scope.stackFrame.data[id];
      if (knownFrame[frame] === 0) knownFrame[frame] = this.output.frame(scope.frameSpec(frame));
      out = this.output.stack(out, knownFrame[frame]);
      known[id] = out;
    }
    return out;
  }

  private finish(): void {
    const measure = this.chooseMeasure();
    const rows = new Map<string, [number, number, number, number, number, number]>();
    const add = (pid: number, tid: number, kind: number, stack: number, bytes: number, count: number) => {
      const key = `${pid},${tid},${kind},${stack}`;
      const row = rows.get(key);
      if (row) {
        row[4] += bytes;
        row[5] += count;
      } else rows.set(key, [pid, tid, kind, stack, bytes, count]);
    };
    const liveCount = new Map<ProcessFold, number>();
    for (let key = 0; key < this.rowProcess.length; key++) {
      const p = this.rowProcess[key];
      liveCount.set(p, (liveCount.get(p) ?? 0) + this.curCount.data[key]);
      let bytes: number;
      let count: number;
      if (measure === Measure.TOTAL) {
        bytes = this.total.data[key];
        count = this.totalCount.data[key];
      } else if (measure === Measure.LEAKS) {
        bytes = this.cur.data[key];
        count = this.curCount.data[key];
      } else {
        const atPeak = this.snapEpoch.data[key] === p.epoch;
        bytes = atPeak ? this.snap.data[key] : this.cur.data[key];
        count = atPeak ? this.snapCount.data[key] : this.curCount.data[key];
      }
      if (bytes === 0 && count === 0) continue;
      const stack = this.mapStack(p.scope, p.outStack, p.outFrame, this.rowStack.data[key]);
      add(p.pid, this.rowTid.data[key], this.rowKind.data[key], stack, bytes, count);
    }
    for (const [key, [bytes, count]] of this.foldedIn) {
      const [pid, tid, kind, stack] = key.split(",").map(Number);
      add(pid, tid, kind, stack, bytes, count);
    }

    const truncated =
      this.foldedTruncated || this.scopes.all().some((s) => s.header.content === Content.RAW && !s.trailerSeen);
    const processes = [
      ...this.foldedTotals,
      ...this.processOrder.map((pid) => {
        const p = this.processes.get(pid)!;
        return p.totals(liveCount.get(p) ?? 0);
      }),
    ];
    this.emit({
      type: "header",
      pid: 0,
      header: newHeader({
        content: Content.FOLDED,
        writer: FOLDER_NAME,
        eventOrder: EventOrder.ORDER_TOTAL,
        fold: { measure, processes, truncated },
      }),
    });
    const sorted = [...rows.values()].sort((a, b) => a[3] - b[3] || a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    for (const m of this.output.drain(0)) this.emit(m);
    for (let at = 0; at < sorted.length; at += OUT_BATCH) {
      const part = sorted.slice(at, at + OUT_BATCH);
      this.emit({ type: "folded", pid: 0, batch: foldedBatch(measure, part) });
    }
    this.emit({ type: "trailer", pid: 0, trailer: emptyTrailer() });
  }

  private chooseMeasure(): Measure {
    const asked = this.options.measure ? MEASURES[this.options.measure] : undefined;
    if (this.foldedMeasure !== undefined) {
      if (asked !== undefined && asked !== this.foldedMeasure) {
        throw new CaptureError(
          `the input was already folded with --${measureName(this.foldedMeasure)}; fold the raw capture with --${this.options.measure} instead`,
          0,
        );
      }
      return this.foldedMeasure;
    }
    return asked ?? Measure.PEAK;
  }
}

function foldedBatch(measure: Measure, rows: [number, number, number, number, number, number][]): FoldedBatch {
  const n = rows.length;
  const b: FoldedBatch = {
    measure,
    length: n,
    stack: new Uint32Array(n),
    bytes: new Float64Array(n),
    count: new Float64Array(n),
    pid: new Uint32Array(n),
    tid: new Uint32Array(n),
    kind: new Uint8Array(n),
  };
  rows.forEach(([pid, tid, kind, stack, bytes, count], i) => {
    b.pid[i] = pid;
    b.tid[i] = tid;
    b.kind[i] = kind;
    b.stack[i] = stack;
    b.bytes[i] = bytes;
    b.count[i] = count;
  });
  return b;
}

function emptyTrailer() {
  return {
    timeNs: 0,
    allocations: 0,
    deallocations: 0,
    allocatedBytes: 0,
    lostEvents: 0,
    truncatedStacks: 0,
    brokenStacks: 0,
    unresolvedFrames: 0,
    reentrantCalls: 0,
  };
}

/** fold as a Transform: Messages in, Messages out (object mode on both sides). */
export function fold(options: FoldOptions = {}): Transform {
  return pushTransform((emit) => new Folder(emit, options));
}

/** fold over an async iterable of Messages. */
export function foldMessages(
  source: AsyncIterable<Message> | Iterable<Message>,
  options: FoldOptions = {},
): AsyncGenerator<Message> {
  return pushIterate(source, (emit) => new Folder(emit, options));
}
