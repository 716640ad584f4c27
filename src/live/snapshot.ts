// What the live view shows, as plain data: a viewer asks with a LiveRequest and gets LiveSnapshots. Both cross a
// worker boundary or a TCP connection as JSON, so they hold numbers and strings only, and a snapshot is small
// (the top rows of one selection, never the capture).

/** The figures the rows can show: what is live now, what was live at the peak so far, what was allocated lately. */
export const LIVE_MEASURES = ["live", "peak", "recent"] as const;
export type LiveMeasure = (typeof LIVE_MEASURES)[number];

/** How many seconds "recent" looks back. */
export const RECENT_SECONDS = 10;

export interface LiveRequest {
  /** The process shown; undefined: the first one recorded. */
  pid?: number;
  /** The thread shown; undefined: the process's main thread. Ignored when `merged`. */
  tid?: number;
  /** Every thread of the process together. */
  merged: boolean;
  measure: LiveMeasure;
  /** At most this many rows by each of total bytes, own bytes and allocations. */
  rows: number;
}

export interface LiveThread {
  pid: number;
  tid: number;
  /** The recorder's name for it: a worker's `name` where node tells it, "libuv worker", "V8 worker"... */
  name: string;
  /** The app view's kind: "main thread", "worker thread", "libuv threadpool", "V8 platform", "other thread". */
  kind: string;
  ended: boolean;
}

export interface LiveProcess {
  pid: number;
  command: string;
  liveBytes: number;
  peakBytes: number;
  /** Allocation and free events folded so far. */
  events: number;
  /** From the process's start to its latest event folded. */
  durationNs: number;
  /** Live bytes over the run, oldest first, one point per `seriesStepNs` of the process's time. */
  series: number[];
  seriesStepNs: number;
  /** The process's end, once its trailer came: its exit status or signal number as it recorded them. */
  ended: boolean;
}

export interface LiveRow {
  /** The location as reports name it: "fn (file:line)", a native function, a runtime category. */
  label: string;
  /** Its function's name, and where it is (file:line for JavaScript, the library for native code). */
  name: string;
  file: string;
  totalBytes: number;
  ownBytes: number;
  totalCount: number;
  ownCount: number;
}

export interface LiveSnapshot {
  /** Counts up with every snapshot of one source. */
  seq: number;
  request: LiveRequest;
  processes: LiveProcess[];
  threads: LiveThread[];
  /** The process shown (undefined before the first Header came). */
  pid?: number;
  /** The thread shown, when not merged. */
  tid?: number;
  /** Bytes and allocations of the whole selection under the measure (the 100% of the percentages). */
  totalBytes: number;
  totalCount: number;
  /** How many locations the selection has (the rows are the top of them). */
  locations: number;
  rows: LiveRow[];
  /**
   * How old the table (rows and their totals) is, when only the header's figures are new: a fold that is behind and
   * short of CPU computes the table less often than it refreshes the header. Absent when the table is new.
   */
  tableAgeMs?: number;
  /** Capture bytes not read yet: how far the fold is behind the recording. */
  behindBytes: number;
  /** The whole capture was read: nothing more will come. */
  complete: boolean;
  /** The recorded app's own end, when the side that started it knows it. */
  app?: AppStatus;
  /** A problem reading the capture, said once on screen. */
  error?: string;
}

export interface AppStatus {
  running: boolean;
  /** Its exit code, or the signal that ended it. */
  code?: number | null;
  signal?: string | null;
  /** Where its stdout and stderr went, when not to this terminal. */
  logFile?: string;
}
