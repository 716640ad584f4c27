// The folded profile: what every report reads.
//
// It is built from a folded stream (the output of fold) by ProfileBuilder, and then only read. Its size depends on
// the unique stacks, threads and processes, never on the number of events. Rows are (stack, process, thread,
// allocator) -> bytes and count under one measure; stacks and frames live in the folded scope's tables.
import { CaptureError } from "../codec/errors";
import {
  Content,
  Heap,
  Measure,
  newHeader,
  type FoldInfo,
  type GcEvent,
  type Header,
  type Message,
  type ProcessEvent,
  type ThreadInfo,
  type Trailer,
} from "../codec/model";
import { f64, u32, u8 } from "./growable";
import { Scope } from "./scope";

export interface MemorySeries {
  /** Per isolate (tid) or 0 for process-wide samples: columns of time and figures. */
  time: number[];
  rss: number[];
  jsHeapUsed: number[];
  jsHeapTotal: number[];
  external: number[];
  arrayBuffers: number[];
  nativeLive: number[];
}

export interface ProcessInfo {
  pid: number;
  header: Header;
  threads: Map<number, ThreadInfo>;
  events: ProcessEvent[];
  memory: Map<number, MemorySeries>;
  gc: GcEvent[];
  trailer: Trailer | undefined;
}

export class Profile {
  measure: Measure = Measure.PEAK;
  info: FoldInfo = {
    measure: Measure.PEAK,
    processes: [],
    truncated: false,
    temporaryThreshold: 0,
    inverted: false,
    splitProcesses: false,
    splitThreads: false,
    heap: Heap.ALL,
    afterTeardown: false,
    measures: [],
    sizeCounts: [],
    sizeBytes: [],
    jsSamples: 0,
  };
  readonly processes = new Map<number, ProcessInfo>();
  /** The folded scope (pid 0): frames, stacks and their labels. */
  scope: Scope;

  readonly stack = u32();
  readonly bytes = f64();
  readonly count = f64();
  readonly pid = u32();
  readonly tid = u32();
  readonly kind = u8();
  /** Which frames the stacks show: every frame as recorded, or the app view (src/transforms/app-view/). */
  view: "all" | "app" = "all";
  /**
   * In the app view, the frames below an app frame that stand for what it called in the runtime (the node API and
   * what the runtime did): reports that count own bytes give theirs to the app frame above them.
   */
  detailFrames: ReadonlySet<number> = new Set();

  constructor(scope: Scope) {
    this.scope = scope;
  }

  get rows(): number {
    return this.stack.length;
  }

  totalBytes(): number {
    let sum = 0;
    for (let i = 0; i < this.rows; i++) sum += this.bytes.data[i];
    return sum;
  }

  totalCount(): number {
    let sum = 0;
    for (let i = 0; i < this.rows; i++) sum += this.count.data[i];
    return sum;
  }

  /** Frame ids of a stack, root first (the order flame graphs and collapsed stacks use). */
  framesRootFirst(stack: number): number[] {
    return this.scope.stackFrames(stack).reverse();
  }

  label(frame: number): string {
    return this.scope.label(frame);
  }

  /** A short name for a thread: its name, or "thread <tid>". */
  threadName(pid: number, tid: number): string {
    const t = this.processes.get(pid)?.threads.get(tid);
    if (t?.name) return t.name;
    return tid === pid ? "main" : `thread ${tid}`;
  }

  /** What the recording could not do: each distinct note of the processes' Headers once, in order. */
  notes(): string[] {
    return [...new Set([...this.processes.values()].flatMap((p) => p.header.notes))];
  }

  /** The command line of a process, for titles. */
  command(pid: number): string {
    const argv = this.processes.get(pid)?.header.argv ?? [];
    return argv.join(" ");
  }
}

function emptySeries(): MemorySeries {
  return { time: [], rss: [], jsHeapUsed: [], jsHeapTotal: [], external: [], arrayBuffers: [], nativeLive: [] };
}

/** Collects a folded stream into a Profile. */
export class ProfileBuilder {
  private scope: Scope | undefined;
  private readonly profile: Profile;

  constructor() {
    this.profile = new Profile(new Scope(0, newHeader({ content: Content.FOLDED })));
  }

  push(m: Message): void {
    const p = this.profile;
    switch (m.type) {
      case "header":
        if (m.header.content === Content.FOLDED) {
          if (this.scope)
            throw new CaptureError(
              "the input holds more than one folded stream: fold it again to merge them",
              m.offset ?? 0,
            );
          this.scope = new Scope(m.pid, m.header);
          p.scope = this.scope;
          if (m.header.fold) {
            p.info = m.header.fold;
            p.measure = m.header.fold.measure;
          }
        } else {
          p.processes.set(m.pid, {
            pid: m.pid,
            header: m.header,
            threads: new Map(),
            events: [],
            memory: new Map(),
            gc: [],
            trailer: undefined,
          });
        }
        return;
      case "events":
        throw new CaptureError(
          "this report reads folded streams: fold the capture first (memtrace fold)",
          m.offset ?? 0,
        );
      case "folded": {
        const b = m.batch;
        p.stack.append(b.stack, b.length);
        p.bytes.append(b.bytes, b.length);
        p.count.append(b.count, b.length);
        p.pid.append(b.pid, b.length);
        p.tid.append(b.tid, b.length);
        p.kind.append(b.kind, b.length);
        return;
      }
      case "thread":
        this.process(m)?.threads.set(m.thread.tid, { ...this.process(m)!.threads.get(m.thread.tid), ...m.thread });
        return;
      case "process":
        this.process(m)?.events.push(m.event);
        return;
      case "gc":
        this.process(m)?.gc.push(m.gc);
        return;
      case "memory": {
        const info = this.process(m);
        if (!info) return;
        let series = info.memory.get(m.samples.tid);
        if (!series) {
          series = emptySeries();
          info.memory.set(m.samples.tid, series);
        }
        const s = m.samples;
        for (let i = 0; i < s.length; i++) {
          series.time.push(s.time[i]);
          series.rss.push(s.rss[i]);
          series.jsHeapUsed.push(s.jsHeapUsed[i]);
          series.jsHeapTotal.push(s.jsHeapTotal[i]);
          series.external.push(s.external[i]);
          series.arrayBuffers.push(s.arrayBuffers[i]);
          series.nativeLive.push(s.nativeLive[i]);
        }
        return;
      }
      case "trailer": {
        const info = this.process(m);
        if (info) info.trailer = m.trailer;
        else this.scope?.apply(m);
        return;
      }
      default:
        if (m.pid === 0 && this.scope) this.scope.apply(m);
        return;
    }
  }

  private process(m: Message): ProcessInfo | undefined {
    return this.profile.processes.get(m.pid);
  }

  finish(): Profile {
    if (!this.scope) throw new CaptureError("the input holds no folded stream and no events", 0);
    return this.profile;
  }
}
