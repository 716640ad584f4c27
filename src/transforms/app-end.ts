// When the app's own code ended in one process, thread by thread: the moments at which --leaks takes what the app
// kept, before the runtime's teardown frees it (ProcessEventKind.APP_ENDED in proto/memtrace.proto).
//
// A thread's blocks (by the thread that allocated them) are taken at its own APP_ENDED (a worker's), or at the
// process's (its main thread's) if that comes first or the thread has none; a process without APP_ENDED is taken
// at the end of its input, as captures were read before the marker existed. The recorder writes each marker before
// any Watermark later than its time, so a reader merging threads by Watermarks notes it before any event at or
// after it, and the moment passes at the first such event.
import { ProcessEventKind, type ProcessEvent } from "../codec/model";

/** tid of a pending moment that is the process's (its main thread's). */
const PROCESS = -1;

export class AppEnd {
  /** The time of the process's APP_ENDED (its main thread's), once noted. */
  processEnded: number | undefined;
  /** The earliest moment noted and not passed; Infinity when none is pending. */
  next = Infinity;
  private readonly pending: { time: number; tid: number }[] = [];
  private readonly noted = new Set<number>();
  private readonly passed = new Set<number>();
  private processPassed = false;
  /** The caller's rows (of what it aggregates), all and by thread, for rowsPassed(). */
  private readonly rows: number[] = [];
  private readonly threadRows = new Map<number, number[]>();

  constructor(private readonly pid: number) {}

  /** Takes note of a ProcessEvent of the process (anything but APP_ENDED is ignored, as is a thread's second). */
  note(e: ProcessEvent): void {
    if (e.kind !== ProcessEventKind.APP_ENDED) return;
    const tid = e.tid === 0 || e.tid === this.pid ? PROCESS : e.tid;
    if (this.noted.has(tid)) return;
    this.noted.add(tid);
    if (tid === PROCESS) this.processEnded = e.timeNs;
    this.pending.push({ time: e.timeNs, tid });
    this.pending.sort((a, b) => a.time - b.time);
    this.next = this.pending[0].time;
  }

  /**
   * Passes the moments at or before `time`, earliest first: `thread(tid)` for a thread's own, then no more for
   * that thread; `rest()` for the process's, then no more for any thread.
   */
  pass(time: number, thread: (tid: number) => void, rest: () => void): void {
    while (this.pending.length > 0 && this.pending[0].time <= time) {
      const { tid } = this.pending.shift()!;
      if (this.processPassed) continue;
      if (tid === PROCESS) {
        this.processPassed = true;
        rest();
      } else if (!this.passed.has(tid)) {
        this.passed.add(tid);
        thread(tid);
      }
    }
    this.next = this.pending.length > 0 ? this.pending[0].time : Infinity;
  }

  /** Whether the process recorded any APP_ENDED. */
  get recorded(): boolean {
    return this.noted.size > 0;
  }

  /** Whether the thread's moment has passed: what it allocates from now on was not kept by the app. */
  hasPassed(tid: number): boolean {
    return this.processPassed || this.passed.has(tid);
  }

  /** A new row of thread `tid`. Returns whether the thread's moment has passed (the row keeps nothing). */
  addRow(row: number, tid: number): boolean {
    this.rows.push(row);
    let rows = this.threadRows.get(tid);
    if (!rows) {
      rows = [];
      this.threadRows.set(tid, rows);
    }
    rows.push(row);
    return this.hasPassed(tid);
  }

  /** Passes the moments at or before `time`: `freeze(row)` for every row whose thread's moment passed then. */
  rowsPassed(time: number, freeze: (row: number) => void): void {
    this.pass(
      time,
      (tid) => {
        for (const row of this.threadRows.get(tid) ?? []) freeze(row);
      },
      () => {
        for (const row of this.rows) freeze(row);
      },
    );
  }
}
