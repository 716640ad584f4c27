// The live view's model: the capture folded as it comes (fold's Folder: the same ordering and pairing as every
// report), and on demand a snapshot of one process or thread in the app view, as summary counts locations.
//
// Memory is bounded as fold's is (live blocks, unique stacks and rows), plus per process a heap series of at most
// SERIES_POINTS points and RECENT_SECONDS copies of its rows' totals (for "allocated in the last seconds").
import { Content, ProcessEventKind, ThreadRole, type Message } from "../codec/model";
import { buildCallTree } from "../model/calltree";
import { locationsOf, type Location } from "../model/locations";
import { Profile } from "../model/profile";
import { THREAD_KINDS, knownThreadKind, threadKindOf } from "../transforms/app-view/threads";
import { Folder, type FoldProgress } from "../transforms/fold";
import type { FoldRows } from "../transforms/fold-rows";
import { RECENT_SECONDS, type LiveProcess, type LiveRequest, type LiveSnapshot, type LiveThread } from "./snapshot";
import { ViewScope } from "./view-scope";

const SERIES_POINTS = 240;
const FIRST_STEP_NS = 100e6;
const SECOND_NS = 1e9;

/** What the model keeps of a process beside the fold's figures. */
class ProcessTrack {
  view: ViewScope | undefined;
  series: number[] = [];
  stepNs = FIRST_STEP_NS;
  nextPointNs = 0;
  /** Totals of the process's rows (in `keys` order) at each of the last seconds, oldest first. */
  readonly totals: { bytes: Float64Array; count: Float64Array }[] = [];
  nextSecondNs = SECOND_NS;
  ended = false;
  command: string;

  constructor(argv: string[]) {
    this.command = argv.join(" ");
  }
}

export class LiveModel {
  private readonly folder: Folder;
  private readonly tracks = new Map<number, ProcessTrack>();
  private seq = 0;
  private completed = false;
  /** Counts the Messages folded (and the end): a snapshot taken at the same count would be the same. */
  changes = 0;

  constructor(onWarning?: (message: string) => void) {
    this.folder = new Folder(() => {}, { onWarning });
  }

  push(m: Message): void {
    if (m.type === "header" && m.header.content !== Content.FOLDED) {
      this.tracks.set(m.pid, new ProcessTrack(m.header.argv));
    } else if (m.type === "resolution") {
      // A frame named late: the copied stacks through it carry its old name.
      this.tracks.get(m.pid)?.view?.renamed(m.frame, m.length);
    } else if (m.type === "trailer" || (m.type === "process" && m.event.kind === ProcessEventKind.EXITED)) {
      const t = this.tracks.get(m.pid);
      if (t) t.ended = true;
    } else if (m.type === "process" && m.event.kind === ProcessEventKind.EXECED) {
      const t = this.tracks.get(m.pid);
      if (t && m.event.argv.length > 0) t.command = m.event.argv.join(" ");
    }
    this.changes++;
    this.folder.push(m);
    if (m.type === "events" || m.type === "paired" || m.type === "watermark") this.sample();
  }

  /** At the end of the capture: releases what the fold still holds for ordering. */
  end(): void {
    if (this.completed) return;
    this.completed = true;
    this.changes++;
    this.folder.end();
    this.sample();
  }

  /** The heap series and the totals of the last seconds, in each process's own time. */
  private sample(): void {
    const { rows, processes } = this.folder.progress;
    for (const p of processes) {
      const t = this.tracks.get(p.pid);
      if (!t) continue;
      while (p.endTime >= t.nextPointNs) {
        t.series.push(p.liveBytes);
        t.nextPointNs += t.stepNs;
        if (t.series.length >= SERIES_POINTS) {
          // Twice as long a step: every other point.
          t.series = t.series.filter((_, i) => i % 2 === 1);
          t.stepNs *= 2;
          t.nextPointNs = t.stepNs * (t.series.length + 1);
        }
      }
      if (p.endTime >= t.nextSecondNs) {
        t.totals.push(copyTotals(rows, p.keys));
        if (t.totals.length > RECENT_SECONDS) t.totals.shift();
        t.nextSecondNs = (Math.floor(p.endTime / SECOND_NS) + 1) * SECOND_NS;
      }
    }
  }

  snapshot(request: LiveRequest, extra: Partial<LiveSnapshot> = {}): LiveSnapshot {
    const { rows, processes } = this.folder.progress;
    const threads = processes.flatMap((p) => this.threadsOf(p, rows));
    const p = processes.find((q) => q.pid === request.pid) ?? processes[0];
    const out: LiveSnapshot = {
      seq: ++this.seq,
      request,
      processes: processes.map((q) => this.describe(q)),
      threads,
      totalBytes: 0,
      totalCount: 0,
      locations: 0,
      rows: [],
      behindBytes: 0,
      complete: this.completed,
      ...extra,
    };
    if (!p) return out;
    out.pid = p.pid;
    const tid = request.merged
      ? undefined
      : (threads.find((t) => t.pid === p.pid && t.tid === request.tid)?.tid ?? p.pid);
    out.tid = tid;
    const { locations, files } = this.locations(p, rows, tid, request);
    for (const l of locations) {
      out.totalBytes += l.ownBytes;
      out.totalCount += l.ownCount;
    }
    out.locations = locations.length;
    out.rows = topRows(locations, request.rows).map((l) => ({
      label: l.label,
      name: files.get(l.label)?.name ?? l.label,
      file: files.get(l.label)?.file ?? "",
      totalBytes: l.totalBytes,
      ownBytes: l.ownBytes,
      totalCount: l.totalCount,
      ownCount: l.ownCount,
    }));
    return out;
  }

  /**
   * `previous` with the header's figures (processes, threads, the heap and its plot) as they are now and its table
   * as it was: what a starved fold sends between two whole snapshots, at a fraction of their cost.
   */
  refresh(previous: LiveSnapshot, extra: Partial<LiveSnapshot> = {}): LiveSnapshot {
    const { rows, processes } = this.folder.progress;
    return {
      ...previous,
      seq: ++this.seq,
      processes: processes.map((q) => this.describe(q)),
      threads: processes.flatMap((p) => this.threadsOf(p, rows)),
      complete: this.completed,
      ...extra,
    };
  }

  private describe(p: FoldProgress): LiveProcess {
    const t = this.tracks.get(p.pid)!;
    return {
      pid: p.pid,
      command: t.command,
      liveBytes: p.liveBytes,
      peakBytes: p.peakBytes,
      events: p.allocations + p.deallocations,
      durationNs: p.endTime,
      series: [...t.series, p.liveBytes],
      seriesStepNs: t.stepNs,
      ended: t.ended,
    };
  }

  /**
   * The threads of a process that allocated, and its main thread: the main thread, workers, libuv's pool, V8's
   * platform threads, others, each kind by its first allocation.
   */
  private threadsOf(p: FoldProgress, rows: FoldRows): LiveThread[] {
    const seen = new Set<number>([p.pid]);
    for (const key of p.keys) seen.add(rows.tid.data[key]);
    const threads = [...seen].map((tid, order) => {
      const info = p.scope.threads.get(tid);
      const kind = knownThreadKind(info) ?? threadKindOf(info, []);
      let name = info?.name || `thread ${tid}`;
      if (tid === p.pid) name = "main";
      // Node 20 keeps a worker's `name` option from the worker (docs/thread-names.md): its threadId tells it apart.
      else if (info?.role === ThreadRole.ROLE_WORKER && name === "worker" && info.workerId > 0) {
        name = `worker ${info.workerId}`;
      }
      return { pid: p.pid, tid, name, kind: kind.slice(1, -1), ended: info?.ended ?? false, order };
    });
    const rank = (kind: string) => THREAD_KINDS.indexOf(`(${kind})` as (typeof THREAD_KINDS)[number]);
    threads.sort((a, b) => rank(a.kind) - rank(b.kind) || a.order - b.order);
    return threads.map(({ order: _, ...t }) => t);
  }

  /** The selection's locations in the app view, and each one's function name and file. */
  private locations(
    p: FoldProgress,
    rows: FoldRows,
    tid: number | undefined,
    request: LiveRequest,
  ): { locations: Location[]; files: Map<string, { name: string; file: string }> } {
    const t = this.tracks.get(p.pid)!;
    const view = (t.view ??= new ViewScope(p.scope));
    const profile = new Profile(view.scope);
    const old = request.measure === "recent" ? t.totals[0] : undefined;
    const keys = p.keys;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const rowTid = rows.tid.data[key];
      if (tid !== undefined && rowTid !== tid) continue;
      let bytes: number;
      let count: number;
      if (request.measure === "peak") {
        // A row untouched since the latest high-water mark still holds its value at the mark.
        const atPeak = rows.snapEpoch.data[key] === p.epoch;
        bytes = atPeak ? rows.snap.data[key] : rows.cur.data[key];
        count = atPeak ? rows.snapCount.data[key] : rows.curCount.data[key];
      } else if (request.measure === "recent") {
        bytes = rows.total.data[key] - (old && i < old.bytes.length ? old.bytes[i] : 0);
        count = rows.totalCount.data[key] - (old && i < old.count.length ? old.count[i] : 0);
      } else {
        bytes = rows.cur.data[key];
        count = rows.curCount.data[key];
      }
      if (bytes === 0 && count === 0) continue;
      profile.stack.push(view.stackOf(rows.stack.data[key], p.pid, rowTid, p.scope.threads.get(rowTid)));
      profile.bytes.push(bytes);
      profile.count.push(count);
      profile.pid.push(p.pid);
      profile.tid.push(rowTid);
      profile.kind.push(rows.kind.data[key]);
    }
    profile.detailFrames = view.views.detailFrames;
    profile.view = "app";
    const files = new Map<string, { name: string; file: string }>();
    const scope = view.scope;
    const tree = buildCallTree(profile, (f) => {
      const label = scope.label(f);
      if (!files.has(label)) {
        const d = scope.frame(f);
        const module = d.module.slice(d.module.lastIndexOf("/") + 1);
        const file = d.file ? (d.line ? `${d.file}:${d.line}` : d.file) : module;
        files.set(label, { name: d.name || (d.file ? "(anonymous)" : label), file });
      }
      return label;
    });
    return { locations: locationsOf(tree), files };
  }
}

function copyTotals(rows: FoldRows, keys: readonly number[]): { bytes: Float64Array; count: Float64Array } {
  const bytes = new Float64Array(keys.length);
  const count = new Float64Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    bytes[i] = rows.total.data[keys[i]];
    count[i] = rows.totalCount.data[keys[i]];
  }
  return { bytes, count };
}

/** The top `n` locations by total bytes, by own bytes and by allocations: enough for a viewer to sort by any. */
function topRows(locations: Location[], n: number): Location[] {
  const picked = new Set<Location>();
  const by = (key: (l: Location) => number) =>
    [...locations].sort((a, b) => key(b) - key(a) || (a.label < b.label ? -1 : 1)).slice(0, n);
  for (const l of by((l) => l.totalBytes)) picked.add(l);
  for (const l of by((l) => l.ownBytes)) picked.add(l);
  for (const l of by((l) => l.totalCount)) picked.add(l);
  return [...picked];
}
