// The decoded form of a capture: one Message per Record of proto/memtrace.proto.
//
// These types are what every transform and sink sees. They follow the .proto field for field, with three
// differences that keep consumers simple and fast:
// - 64-bit values are plain numbers (the codec refuses values above 2^53 rather than lose precision), except the
//   wall-clock start time, which needs all 64 bits;
// - columnar records carry typed arrays with every optional column filled in (its default when absent), and
//   delta-coded columns already summed: EventBatch.time and .address are absolute;
// - the oneof body becomes the `type` discriminant.
import {
  CodeEventKind,
  Content,
  EventKind,
  EventOrder,
  FunctionKind,
  GcKind,
  Heap,
  Measure,
  ProcessEventKind,
  ThreadRole,
} from "./gen/memtrace_pb";

export {
  CodeEventKind,
  Content,
  EventKind,
  EventOrder,
  FunctionKind,
  GcKind,
  Heap,
  Measure,
  ProcessEventKind,
  ThreadRole,
};

import { FORMAT_NAME, FORMAT_VERSION } from "./constants";
export {
  DISTANCE_VERSION,
  FORMAT_NAME,
  FORMAT_VERSION,
  MAX_RECORD_BYTES,
  PAIRED_VERSION,
  STEP_VERSION,
} from "./constants";

export interface Settings {
  maxStackDepth: number;
  jsSampleIntervalBytes: number;
  jsPollIntervalNs: number;
  memoryIntervalNs: number;
  native: boolean;
  children: boolean;
  clockResolutionNs: number;
  jsKeepCollected: boolean;
  /** How much earlier than its true place an allocation's time may read (see the proto's Settings). */
  allocationTimeLeadNs: number;
  /** How much earlier than its true place a free's time may read (see the proto's Settings). */
  deallocationTimeLeadNs: number;
}

export interface ProcessTotals {
  pid: number;
  allocations: number;
  allocatedBytes: number;
  deallocations: number;
  unmatchedDeallocations: number;
  overwrittenAllocations: number;
  peakBytes: number;
  peakTimeNs: number;
  leakedBytes: number;
  leakedCount: number;
  endTimeNs: number;
  windowStartNs: number;
  windowEndNs: number;
  /** The time of the process's main-thread APP_ENDED; 0 when it has none. */
  appEndedNs: number;
  /** Live when the app's code ended (see the proto); the leaked figures when the stream does not say. */
  keptBytes: number;
  keptCount: number;
}

export interface FoldInfo {
  measure: Measure;
  processes: ProcessTotals[];
  truncated: boolean;
  temporaryThreshold: number;
  inverted: boolean;
  splitProcesses: boolean;
  splitThreads: boolean;
  heap: Heap;
  /** LEAKS at the end of the input even where the app's end was recorded. */
  afterTeardown: boolean;
  /** Every measure the stream holds rows of, its own first; empty in streams folded before this field. */
  measures: Measure[];
  /** Native allocations by size (powers of two) and their bytes; empty when not counted. */
  sizeCounts: number[];
  sizeBytes: number[];
  /** JS heap samples among the allocations, left out of the sizes. */
  jsSamples: number;
}

export interface Header {
  format: string;
  version: number;
  content: Content;
  writer: string;
  ppid: number;
  argv: string[];
  execArgv: string[];
  nodeVersion: string;
  hostname: string;
  platform: string;
  arch: string;
  /** Nanoseconds since the Unix epoch of the scope's time 0 (a bigint: it needs 61 bits). */
  startTimeUnixNs: bigint;
  settings: Settings;
  eventOrder: EventOrder;
  fold: FoldInfo | undefined;
  /** V8's version string; empty in a process that is not a Node.js, and in derived streams. */
  v8Version: string;
  /** The agent that names JS frames ("memtrace-agent 0.1.0 for V8 13.6"); empty when none was chosen. */
  agent: string;
  /** What the recording could not do, one sentence each, for people (never parsed). */
  notes: string[];
}

export interface FunctionInfo {
  /** String ids in the scope's string table. */
  name: number;
  file: number;
  module: number;
  line: number;
  column: number;
  kind: FunctionKind;
  /**
   * For a JS function placed in its original source by a source map: the script V8 ran (string id), the function's
   * line and column there and V8's name (string id, 0 when the same). Absent or 0 when not mapped.
   */
  generatedFile?: number;
  generatedLine?: number;
  generatedColumn?: number;
  generatedName?: number;
}

/** One batch of allocation and deallocation events; row i of every column is event i. */
export interface EventBatch {
  /** Number of events. The columns may be longer (reused buffers); only the first `length` entries count. */
  length: number;
  kind: Uint8Array;
  /** Thread of each event. */
  tid: Uint32Array;
  /** Nanoseconds since the scope's time 0. */
  time: Float64Array;
  address: Float64Array;
  size: Float64Array;
  stack: Uint32Array;
  /** Objects each event stands for (1 unless a JS sample says otherwise). */
  count: Float64Array;
}

export interface MemorySamples {
  tid: number;
  length: number;
  time: Float64Array;
  rss: Float64Array;
  jsHeapUsed: Float64Array;
  jsHeapTotal: Float64Array;
  external: Float64Array;
  arrayBuffers: Float64Array;
  nativeLive: Float64Array;
}

export interface ThreadInfo {
  tid: number;
  name: string;
  role: ThreadRole;
  workerId: number;
  timeNs: number;
  ended: boolean;
}

export interface ProcessEvent {
  kind: ProcessEventKind;
  timeNs: number;
  childPid: number;
  exitCode: number;
  signal: number;
  argv: string[];
  /** For APP_ENDED: the thread whose JavaScript ended; 0 otherwise. */
  tid: number;
}

export interface Mapping {
  start: number;
  end: number;
  fileOffset: number;
  path: string;
  buildId: string;
  executable: boolean;
  timeNs: number;
  removed: boolean;
}

export interface CodeEvent {
  kind: CodeEventKind;
  timeNs: number;
  start: number;
  size: number;
  newStart: number;
  function: number;
}

export interface GcEvent {
  tid: number;
  timeNs: number;
  durationNs: number;
  kind: GcKind;
  heapBefore: number;
  heapAfter: number;
}

export interface FoldedBatch {
  measure: Measure;
  length: number;
  stack: Uint32Array;
  bytes: Float64Array;
  count: Float64Array;
  /** Process, thread and allocator of each row; 0 where the fold did not keep them apart. */
  pid: Uint32Array;
  tid: Uint32Array;
  kind: Uint8Array;
}

/** Sums by row and bucket positions (TimelineTable), sorted by row, then from, then to. */
export interface TimelineTable {
  length: number;
  /** The row's index (absolute here; delta-coded on the wire). */
  row: Uint32Array;
  from: Uint32Array;
  /** In lifetimes: the bucket freed in + 1, 0 when never freed. Zeros in changes. */
  to: Uint32Array;
  bytes: Float64Array;
  count: Float64Array;
}

/** One process's memory over time, folded (Record.timeline). */
export interface Timeline {
  pid: number;
  bucketNs: number;
  /** Per bucket: live bytes at its moment (all, and of JS heap samples), and the moment's time. */
  high: Float64Array;
  highJs: Float64Array;
  momentNs: Float64Array;
  /** The rows: thread, allocator, stack of the folded scope. */
  rows: number;
  rowTid: Uint32Array;
  rowKind: Uint8Array;
  rowStack: Uint32Array;
  /** Per row, what was live when its thread's app code ended, for a process that recorded it. */
  kept: { bytes: Float64Array; count: Float64Array } | undefined;
  changes: TimelineTable;
  lifetimes: TimelineTable;
}

/** The sites of a version-2 scope (SiteTable): what an allocation is, save its time and thread. */
export interface SiteTable {
  firstId: number;
  length: number;
  kind: Uint8Array;
  size: Float64Array;
  stack: Uint32Array;
  count: Float64Array;
  /** Written as stack_delta (a version-4 scope's form): how it came, and how the encoder writes it. */
  stackDelta?: boolean;
}

/** How a PairedBatch's frees name their blocks on the wire (proto/memtrace.proto, FreeReference). */
export const FREE_AGE = 0;
export const FREE_STEP = 1;

/**
 * Paired events of one process (PairedBatch, version-2 and -3 scopes), with the deltas undone: absolute times and
 * threads, and the rows of the extra releases. `op` is as on the wire with a free's step read as its age (AGE),
 * whatever the wire's `freeReference` was; the encoder writes the ages back as steps when it is FREE_STEP.
 */
export interface PairedBatch {
  length: number;
  op: Float64Array;
  /** FREE_AGE or FREE_STEP: how the batch's frees are (or are to be) written. */
  freeReference: number;
  time: Float64Array;
  tid: Uint32Array;
  /** One per deallocation row. */
  freeKind: Uint8Array;
  /** One per mapping row; unmapLength one per MUNMAP row. */
  address: Float64Array;
  unmapLength: Float64Array;
  /** One per extra release: its row, the age released (0: the row's own block), and an ExtraRelease. */
  extraRow: Uint32Array;
  extraAge: Float64Array;
  extraKind: Uint8Array;
  /** One per late free (v = 1): the age of the block it frees; absent or empty where the writer did not say. */
  lateAge?: Float64Array;
}

export interface Trailer {
  timeNs: number;
  allocations: number;
  deallocations: number;
  allocatedBytes: number;
  lostEvents: number;
  truncatedStacks: number;
  brokenStacks: number;
  unresolvedFrames: number;
  reentrantCalls: number;
}

/** One decoded Record. `pid` names the scope; `offset` is where the Record starts in the (decompressed) stream. */
export type Message = (
  | { type: "header"; header: Header }
  | { type: "strings"; firstId: number; values: string[] }
  | { type: "functions"; firstId: number; functions: FunctionInfo[] }
  | {
      type: "frames";
      firstId: number;
      length: number;
      function: Uint32Array;
      address: Float64Array;
      line: Uint32Array;
      column: Uint32Array;
    }
  | {
      type: "stacks";
      firstId: number;
      length: number;
      /** Absolute, however the table came. */
      parent: Uint32Array;
      frame: Uint32Array;
      /** Written as parent_distance (a version-4 scope's form): how it came, and how the encoder writes it. */
      parentDistance?: boolean;
    }
  | { type: "events"; batch: EventBatch }
  | { type: "watermark"; timeNs: number }
  | { type: "memory"; samples: MemorySamples }
  | { type: "thread"; thread: ThreadInfo }
  | { type: "process"; event: ProcessEvent }
  | { type: "mapping"; mapping: Mapping }
  | { type: "code"; code: CodeEvent }
  /** A CodeEventBatch: code events in columns, each row as a CodeEvent. */
  | { type: "codeEvents"; events: CodeEvent[] }
  | {
      type: "resolution";
      length: number;
      frame: Uint32Array;
      function: Uint32Array;
      line: Uint32Array;
      column: Uint32Array;
      /** For frames of functions placed by a source map: the position in the script V8 ran (0: not mapped). */
      generatedLine?: Uint32Array;
      generatedColumn?: Uint32Array;
    }
  | { type: "gc"; gc: GcEvent }
  | { type: "folded"; batch: FoldedBatch }
  /** Rows of a measure other than the folded stream's own (Record.other_measure). */
  | { type: "otherMeasure"; batch: FoldedBatch }
  | { type: "trailer"; trailer: Trailer }
  /** Version-2 scopes: sites, and paired events. */
  | { type: "sites"; sites: SiteTable }
  /**
   * `raw`: the PairedBatch body's bytes, when the decoder was asked to keep them (DecodeOptions.paired "raw"); then
   * `batch` is decoded on first use (fold's native kernel reads the bytes and seldom needs it). `release`, when
   * present, gives the bytes back to the decoder for the next batch: a consumer that has read `raw` and will not
   * touch this Message again calls it, so that the batches' bytes stay out of the garbage (docs/pipeline.md).
   */
  | { type: "paired"; batch: PairedBatch; raw?: Uint8Array; release?: () => void }
  /** In a folded stream: one process's memory over time (fold --timeline). */
  | { type: "timeline"; timeline: Timeline }
  /** A Record of a kind this reader does not know: skipped by every consumer, shown by `dump`. */
  | { type: "unknown"; field: number; bytes: number }
) & { pid: number; offset?: number };

export type MessageType = Message["type"];
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

/** Whether an event kind belongs to the JS heap (V8's sampling heap profiler) rather than the native heap. */
export function isJsHeap(kind: number): boolean {
  return kind === EventKind.JS_SAMPLE || kind === EventKind.JS_SAMPLE_FREED;
}

/** Allocation kinds are 1-63, deallocation kinds 64-127 (the format reserves the ranges for new kinds). */
export function isAllocation(kind: number): boolean {
  return kind >= 1 && kind < 64;
}

export function isDeallocation(kind: number): boolean {
  return kind >= 64 && kind < 128;
}

export function emptySettings(): Settings {
  return {
    maxStackDepth: 0,
    jsSampleIntervalBytes: 0,
    jsPollIntervalNs: 0,
    memoryIntervalNs: 0,
    native: false,
    children: false,
    clockResolutionNs: 0,
    jsKeepCollected: false,
    allocationTimeLeadNs: 0,
    deallocationTimeLeadNs: 0,
  };
}

/** A Header with every field at its default, for writers to fill in. */
export function newHeader(fields: Partial<Header> = {}): Header {
  return {
    format: FORMAT_NAME,
    version: FORMAT_VERSION,
    content: Content.RAW,
    writer: "",
    ppid: 0,
    argv: [],
    execArgv: [],
    nodeVersion: "",
    hostname: "",
    platform: "",
    arch: "",
    startTimeUnixNs: 0n,
    settings: emptySettings(),
    eventOrder: EventOrder.ORDER_PER_THREAD,
    fold: undefined,
    v8Version: "",
    agent: "",
    notes: [],
    ...fields,
  };
}

/** A Trailer with every count at 0, for writers to fill in. */
export function newTrailer(fields: Partial<Trailer> = {}): Trailer {
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
    ...fields,
  };
}
