// The timeline beside fold's measures (fold --timeline): one ProcessTimeline per raw process, told of every event by
// fold's pairing, and at the end one Timeline Record per process, on one grid of buckets shared by the processes and
// within the entry budget. A folded input's Timeline Records pass through with their stacks mapped to the output's.
//
// Unlike the measures, the timeline needs a hook at every event (to move from bucket to bucket), not only at
// allocations and releases: a process folded in fold's kernel keeps its timeline there (NativeTimeline), any other in
// TypeScript (ProcessTimeline).
import type { Message, Timeline, TimelineTable } from "../../codec/model";
import type { SortedSums } from "../../native/kernel";
import { NEVER, changePosition, changeRow, lifetimeAllocated, lifetimeFreed, lifetimeRow } from "./keys";
import { ENTRY_BUDGET, MIN_BUCKETS, ProcessTimeline } from "./process";
import type { TimelineState } from "./state";

/** A raw process as the timeline's end sees it. */
export interface TimelineProcess {
  readonly pid: number;
  readonly timeline: TimelineState | undefined;
  /** The time of its latest event. */
  readonly endTime: number;
  /** Its rows (fold's row keys), in the order they were made. */
  readonly keys: readonly number[];
}

/** What the timeline reads of fold's rows. */
export interface TimelineRows {
  tid: { data: Uint32Array };
  kind: { data: Uint8Array };
  kept: { data: Float64Array };
  keptCount: { data: Float64Array };
  /** The output stack of a row. */
  outputStack(key: number): number;
  /** Whether the process recorded its app's end (then the rows' kept columns are the whole run's leaks view). */
  appEnded(pid: number): boolean;
}

export class FoldTimeline {
  private readonly adopted: Timeline[] = [];

  constructor(readonly budget = ENTRY_BUDGET) {}

  create(): ProcessTimeline {
    return new ProcessTimeline(this.budget);
  }

  /** A memory sample or a trailer of a raw process: the grid reaches its time. */
  saw(timeline: TimelineState, m: Message): void {
    if (m.type === "memory") {
      const time = m.samples.time;
      for (let i = 0; i < m.samples.length; i++) timeline.endTime = Math.max(timeline.endTime, time[i]);
    } else if (m.type === "trailer") timeline.endTime = Math.max(timeline.endTime, m.trailer.timeNs);
  }

  /** A folded input's Timeline, its stacks mapped to the output's. */
  adopt(t: Timeline, outputStack: (stack: number) => number): void {
    this.adopted.push({ ...t, rowStack: t.rowStack.map(outputStack) });
  }

  /** The Timeline Records of the raw processes (ended here) and of the folded input. */
  messages(processes: readonly TimelineProcess[], rows: TimelineRows): Message[] {
    const raw = processes.filter((p) => p.timeline !== undefined);
    for (const p of raw) p.timeline!.finish(p.endTime, p.keys.length);
    let width = raw.reduce((w, p) => Math.max(w, p.timeline!.width), 1);
    for (const p of raw) p.timeline!.widen(width);
    // Past a budget of entries, the page would be slow to load: fewer, wider buckets hold fewer intervals.
    const entries = () => raw.reduce((n, p) => n + p.timeline!.entries, 0);
    for (let before = Infinity; entries() > this.budget && entries() < 0.9 * before;) {
      if (Math.max(...raw.map((p) => p.timeline!.buckets)) < 2 * MIN_BUCKETS) break;
      before = entries();
      width *= 2;
      for (const p of raw) p.timeline!.widen(width);
    }
    const out: Message[] = raw.map((p) => ({ type: "timeline", pid: 0, timeline: record(p, rows) }));
    for (const timeline of this.adopted) out.push({ type: "timeline", pid: 0, timeline });
    return out;
  }
}

function record(p: TimelineProcess, rows: TimelineRows): Timeline {
  const tl = p.timeline!;
  const tables = tl.export();
  const keys = p.keys;
  const n = keys.length;
  // Row keys are fold's, over every process: the Record numbers its own rows from 0.
  const index = new Map<number, number>();
  const rowTid = new Uint32Array(n);
  const rowKind = new Uint8Array(n);
  const rowStack = new Uint32Array(n);
  const appEnded = rows.appEnded(p.pid);
  const kept = appEnded ? { bytes: new Float64Array(n), count: new Float64Array(n) } : undefined;
  keys.forEach((key, i) => {
    index.set(key, i);
    rowTid[i] = rows.tid.data[key];
    rowKind[i] = rows.kind.data[key];
    rowStack[i] = rows.outputStack(key);
    if (kept) {
      kept.bytes[i] = rows.kept.data[key];
      kept.count[i] = rows.keptCount.data[key];
    }
  });
  const rowOf = (key: number) => index.get(key)!;
  return {
    pid: p.pid,
    bucketNs: tl.width,
    high: tables.high,
    highJs: tables.highJs,
    momentNs: tables.momentNs,
    rows: n,
    rowTid,
    rowKind,
    rowStack,
    kept,
    changes: table(
      tables.changes,
      (key) => rowOf(changeRow(key)),
      changePosition,
      () => 0,
    ),
    lifetimes: table(
      tables.lifetimes,
      (key) => rowOf(lifetimeRow(key)),
      lifetimeAllocated,
      (key) => (lifetimeFreed(key) === NEVER ? 0 : lifetimeFreed(key) + 1),
    ),
  };
}

/** A table's entries, sorted by key: by row (fold's keys grow as rows are made), then buckets. */
function table(
  sums: SortedSums,
  row: (key: number) => number,
  from: (key: number) => number,
  to: (key: number) => number,
): TimelineTable {
  const n = sums.keys.length;
  const out = { row: new Uint32Array(n), from: new Uint32Array(n), to: new Uint32Array(n) };
  sums.keys.forEach((key, i) => {
    out.row[i] = row(key);
    out.from[i] = from(key);
    out.to[i] = to(key);
  });
  return { length: n, ...out, bytes: sums.bytes, count: sums.count };
}
