// The only door to memtrace-kernel.node (native/kernel/): fold of paired batches in C++, and zstd streams. Folder.foldPaired
// (src/transforms/fold.ts) stays the reference and the fallback: without the kernel (no prebuilt for this machine,
// or MEMTRACE_NO_KERNEL=1) fold runs in TypeScript, with the same output; src/codec/zstd.ts says what zstd does
// without it.
import { join } from "node:path";
import { nativeDir } from "./files";

/** Why run() returned (native/kernel/paired_fold.h). */
export enum KernelStop {
  Done = 0,
  /** The rows made are listed in full, or the row columns have no room: adopt them, grow the columns. */
  NeedRoom = 1,
  AppEnd = 2,
  MapAlloc = 3,
  MapFree = 4,
  Error = 5,
}

/** Why a paired batch is refused (paired_fold.h, Fault): fold.ts words each once, for both paths. */
export enum PairedFault {
  UndefinedSite = 1,
  UndefinedStack,
  EarlyNotEarly,
  EarlyWithoutFree,
  ExtraNotLive,
  FewerFreeKinds,
  LateWithoutAwaited,
  FreeNotLive,
  ColumnsMismatch,
}

/** The state array's slots (paired_fold.h, StateSlot). */
export enum KernelSlot {
  LiveBytes = 0,
  PeakBytes,
  PeakTime,
  Epoch,
  Allocations,
  AllocatedBytes,
  Deallocations,
  EndTime,
  JsSamples,
  AppEndNext,
  StackCount,
  Heap,
  Unmatched,
  Overwritten,
  Awaited,
  /** In and out: the fold's rows (FoldRows.length); a row the kernel makes takes the next key. */
  RowCount,
  /** Out: how many rows the run made, listed from Rows as (tid, site) pairs in the order of their keys. */
  NewRows,
  /** In: the process's rows (the timeline's `rows`: when its tables may make it halve the buckets). */
  ProcessRows,
  Out,
  Rows = Out + 8,
  Length = Rows + 2048,
}

/** One process's paired fold (native/kernel/kernel_addon.cpp states the interface). */
export interface KernelPairedFold {
  addSites(kind: Uint8Array, size: Float64Array, stack: Uint32Array, count: Float64Array): void;
  /** Reads a PairedBatch body; false when it is not in the plain form the kernel takes (then loadColumns). */
  loadRaw(body: Uint8Array): boolean;
  loadColumns(
    op: Float64Array,
    time: Float64Array,
    tid: Uint32Array,
    freeKind: Uint8Array,
    address: Float64Array,
    unmapLength: Float64Array,
    extraRow: Uint32Array,
    extraAge: Float64Array,
    extraKind: Uint8Array,
  ): void;
  run(
    state: Float64Array,
    cur: Float64Array,
    curCount: Float64Array,
    snap: Float64Array,
    snapCount: Float64Array,
    snapEpoch: Float64Array,
    total: Float64Array,
    totalCount: Float64Array,
    tempBytes: Float64Array | null,
    tempCount: Float64Array | null,
    sizeCounts: Float64Array,
    sizeSums: Float64Array,
  ): KernelStop;
  allocationsOf(tid: number): number;
  nextAllocation(tid: number): number;
  // The timeline's hooks (native/kernel/timeline.h), for the events folded in TypeScript (mappings); a fold made
  // without a timeline budget throws.
  timelineEvent(t: number, rows: number): void;
  timelineAllocate(row: number, size: number, count: number, tid: number, tag: number, js: 0 | 1): void;
  timelineAllocated(): void;
  timelineRelease(row: number, bytes: number, count: number, tid: number, tag: number, js: 0 | 1): void;
  timelineFinish(end: number, rows: number): void;
  timelineWiden(width: number): void;
  /** [bucket width (ns), buckets, table entries]. */
  timelineInfo(): Float64Array;
  timelineExport(): KernelTimelineExport;
  /** Frees it now (Node.js finalizes native objects between turns of the event loop only); not used after. */
  dispose(): void;
}

/** A table of sums by key, the entries that hold anything, by increasing key. */
export interface SortedSums {
  keys: Float64Array;
  bytes: Float64Array;
  count: Float64Array;
}

/** A timeline's buckets and tables (ProcessTimeline.export's shape). */
export interface KernelTimelineExport {
  high: Float64Array;
  highJs: Float64Array;
  momentNs: Float64Array;
  changes: SortedSums;
  lifetimes: SortedSums;
}

/** A zstd context (native/kernel/zstd_binding.h): one call of ZSTD_compressStream2 or ZSTD_decompressStream. */
export interface KernelZstdContext {
  /** [hint of what is left (0: the frame or flush is complete), bytes written to out, bytes taken from input]. */
  stream(out: Uint8Array, input: Uint8Array, directive?: number): [number, number, number];
  /** Frees the context now; not used after. */
  dispose(): void;
}

export interface Kernel {
  /** temporaryThreshold < 0: the fold has no temporary measure; timelineBudget absent or < 0: no timeline. */
  PairedFold: new (temporaryThreshold: number, timelineBudget?: number) => KernelPairedFold;
  /** Why zstd cannot be used (no libzstd.so.1, older than 1.4, MEMTRACE_NO_ZSTD set), or undefined. */
  zstdProblem(): string | undefined;
  ZstdCompressor: new (level: number, windowLog: number, checksum: 0 | 1) => KernelZstdContext;
  ZstdDecompressor: new (windowLogMax: number) => KernelZstdContext;
}

let loaded: Kernel | null | undefined;

/** The kernel for fold: undefined when it is not built for this machine or MEMTRACE_NO_KERNEL is set. */
export function loadKernel(): Kernel | undefined {
  return process.env.MEMTRACE_NO_KERNEL ? undefined : loadKernelModule();
}

/** The kernel whatever MEMTRACE_NO_KERNEL says (it chooses fold's path, not whether zstd is there). */
export function loadKernelModule(): Kernel | undefined {
  if (loaded === undefined) {
    try {
      loaded = require(join(nativeDir(), "memtrace-kernel.node")) as Kernel;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}
