// A process's timeline kept in fold's kernel (native/kernel/timeline.h, ProcessTimeline's port): the kernel calls
// its hooks at the paired events it folds, and fold calls them here at those it folds itself (mappings).
import type { KernelPairedFold } from "../../native/kernel";
import type { TimelineExport, TimelineState } from "./state";

export class NativeTimeline implements TimelineState {
  /** `endTime`: the times a ProcessTimeline it takes over saw before the process's first event. */
  constructor(
    private readonly fold: KernelPairedFold,
    public endTime = 0,
  ) {}

  event(t: number, rows: number): void {
    this.fold.timelineEvent(t, rows);
  }

  allocate(row: number, size: number, count: number, tid: number, tag: number, js: boolean): void {
    this.fold.timelineAllocate(row, size, count, tid, tag, js ? 1 : 0);
  }

  allocated(): void {
    this.fold.timelineAllocated();
  }

  release(row: number, bytes: number, count: number, tid: number, tag: number, js: boolean): void {
    this.fold.timelineRelease(row, bytes, count, tid, tag, js ? 1 : 0);
  }

  finish(end: number, rows: number): void {
    this.fold.timelineFinish(Math.max(end, this.endTime), rows);
  }

  widen(width: number): void {
    this.fold.timelineWiden(width);
  }

  get width(): number {
    return this.fold.timelineInfo()[0];
  }

  get buckets(): number {
    return this.fold.timelineInfo()[1];
  }

  get entries(): number {
    return this.fold.timelineInfo()[2];
  }

  export(): TimelineExport {
    return this.fold.timelineExport();
  }
}
