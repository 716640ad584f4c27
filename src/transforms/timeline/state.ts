// What fold and FoldTimeline ask of one process's timeline: the hooks at its events, and at the end its buckets and
// tables. ProcessTimeline (process.ts) keeps it in TypeScript; NativeTimeline (native.ts) in fold's kernel, which
// calls the hooks itself at the events it folds.
import type { KernelTimelineExport } from "../../native/kernel";

export type TimelineExport = KernelTimelineExport;

export interface TimelineState {
  /** The latest time of a memory sample or the trailer: the grid reaches it. */
  endTime: number;
  /** Before every event of the process (at time t, `rows` rows so far): moves to its bucket. */
  event(t: number, rows: number): void;
  allocate(row: number, size: number, count: number, tid: number, tag: number, js: boolean): void;
  /** After an allocation and what it released: a new high point of the bucket? */
  allocated(): void;
  release(row: number, bytes: number, count: number, tid: number, tag: number, js: boolean): void;
  /** Ends the last bucket; the grid reaches at least `end` and endTime. */
  finish(end: number, rows: number): void;
  /** Merges buckets until they are `width` ns wide. */
  widen(width: number): void;
  /** A bucket's width (ns), the buckets, the tables' entries. */
  readonly width: number;
  readonly buckets: number;
  readonly entries: number;
  /** The buckets' high points and the two tables (sorted, the empty entries left out). */
  export(): TimelineExport;
}
