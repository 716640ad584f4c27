// The push side of the HTML flame graph's timeline: every Message of a raw capture in, each process's timeline
// (timeline.ts) out at the end, on one grid of buckets shared by the processes and within the entry budget.
import { CaptureError } from "../../codec/errors";
import { Content, type Heap, type Message } from "../../codec/model";
import { HEAPS, type HeapName } from "../../transforms/measures";
import { Scopes } from "../../model/scope";
import { EventOrderer, approximateMergeWarning } from "../../transforms/order";
import { ENTRY_BUDGET, MIN_BUCKETS, ProcessTimeline } from "./timeline";

export interface TimelineOptions {
  /** Problems that do not stop the fold (threads merged without watermarks). */
  onWarning?: (message: string) => void;
  /** The most table entries (intervals of all rows of all processes) to keep; default ENTRY_BUDGET. */
  budget?: number;
  /** Only the native heap, only the JS heap, or both (the default). */
  heap?: HeapName;
}

/** The push side: every Message of a raw capture in, the processes' timelines out at `finish()`. */
export class TimelineFolder {
  private readonly scopes = new Scopes();
  private readonly orderer: EventOrderer;
  private readonly byPid = new Map<number, ProcessTimeline>();
  readonly processes: ProcessTimeline[] = [];
  private readonly budget: number;
  private readonly heap: Heap;

  constructor(options: TimelineOptions = {}) {
    this.budget = options.budget ?? ENTRY_BUDGET;
    this.heap = HEAPS[options.heap ?? "all"];
    this.orderer = new EventOrderer((m) => this.handle(m), {
      onApproximate: (pid) => options.onWarning?.(approximateMergeWarning(pid)),
    });
  }

  push(m: Message): void {
    this.orderer.push(m);
  }

  /** Whether some process had no trailer: the capture was cut short. */
  get truncated(): boolean {
    return this.scopes.all().some((s) => s.header.content === Content.RAW && !s.trailerSeen);
  }

  finish(): ProcessTimeline[] {
    this.orderer.end();
    for (const p of this.processes) {
      const lastSample = p.samples.reduce((end, s) => Math.max(end, s.time), 0);
      p.finish(Math.max(p.trailer?.timeNs ?? 0, lastSample));
    }
    let width = this.processes.reduce((w, p) => Math.max(w, p.grid.width), 1);
    for (const p of this.processes) p.widen(width);
    // Past a budget of entries, the page would be slow to load: fewer, wider buckets hold fewer intervals.
    const entries = () => this.processes.reduce((n, p) => n + p.entries, 0);
    for (let before = Infinity; entries() > this.budget && entries() < 0.9 * before;) {
      if (Math.max(...this.processes.map((p) => p.grid.count)) < 2 * MIN_BUCKETS) break;
      before = entries();
      width *= 2;
      for (const p of this.processes) p.widen(width);
    }
    return this.processes;
  }

  private handle(m: Message): void {
    const scope = this.scopes.apply(m);
    switch (m.type) {
      case "header": {
        if (m.header.content === Content.FOLDED)
          throw new CaptureError(
            "the input holds a raw capture and a folded stream: give flame --html one or the other",
            m.offset ?? 0,
          );
        const p = new ProcessTimeline(m.pid, scope!, this.budget, this.heap);
        this.byPid.set(m.pid, p);
        this.processes.push(p);
        return;
      }
      case "events": {
        const p = this.byPid.get(m.pid);
        if (!p) throw new CaptureError(`process ${m.pid}: events in a folded stream`, m.offset ?? 0);
        p.foldEvents(m.batch, m);
        return;
      }
      case "memory": {
        const s = m.samples;
        const p = this.byPid.get(m.pid);
        for (let i = 0; i < s.length; i++) {
          p?.samples.push({ tid: s.tid, time: s.time[i], rss: s.rss[i], jsHeapUsed: s.jsHeapUsed[i] });
        }
        return;
      }
      case "trailer": {
        const p = this.byPid.get(m.pid);
        if (p) p.trailer = m.trailer;
        return;
      }
      case "process":
        this.byPid.get(m.pid)?.note(m.event);
        return;
      default:
        return;
    }
  }
}
