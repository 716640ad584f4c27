// What the HTML flame graph embeds: the labels and the merged stacks once, and per process its rows (thread, node)
// with their tables over time (timeline.ts) or, for a stream folded before, their folded values; the memory series
// for the chart; the texts of the headline. The page's script (model.js) reads exactly this.
//
// Layout: columns of numbers (one array per field) rather than an object per entry, so that a large page stays
// a few bytes per entry and parses fast. Entries are sorted (rows by first appearance, tables by row then bucket),
// and nothing depends on the clock or the machine: the same capture gives the same bytes.
import { CaptureError } from "../../codec/errors";
import { Content, FunctionKind, Measure, newHeader, type Timeline } from "../../codec/model";
import { Profile } from "../../model/profile";
import { Scope } from "../../model/scope";
import { headline, heapScope } from "../headline";
import { SEARCH_COLOR, frameColor, kindName } from "../svg/palette";
import { BucketGrid, MAX_BUCKETS } from "../../transforms/timeline/grid";
import { mergeRows } from "./merge-rows";
import { StackViews, appView } from "../../transforms/app-view/view";
import { LabelTrie } from "./trie";

/** What the graph shows of a window: live at its high-water mark, allocated in it and live at its end, all of it. */
export type ViewName = "peak" | "leaks" | "total";

export interface ProcessData {
  pid: number;
  command: string;
  /** [tid, name] of every thread with rows, by tid. */
  threads: [number, string][];
  allocations: number;
  peakBytes: number;
  peakTimeNs: number;
  leakedBytes: number;
  /** Per bucket: live bytes at its moment (all, and of JS heap samples), the moment's time; RSS and JS heap. */
  live: number[];
  liveJs: number[];
  momentNs: number[];
  rss: (number | null)[];
  heap: (number | null)[];
  /** Each row's thread, its stack's node, and the node of its stack in the app view (the page shows either). */
  rows: { tid: number[]; node: number[]; app: number[] };
  /**
   * The timeline's tables (timeline.ts), or the folded values of each row. Rows are delta-coded (each entry's row
   * minus the previous entry's); `lasted` is the number of buckets from an allocation's to its free's (0: freed
   * in the same bucket), -1 for never freed.
   */
  changes: { row: number[]; pos: number[]; bytes: number[]; count: number[] } | null;
  lifetimes: { row: number[]; from: number[]; lasted: number[]; bytes: number[]; count: number[] } | null;
  values: { bytes: number[]; count: number[] } | null;
  /** On a diff's page (PageData.diff): BASE's values of each row. */
  baseValues?: { bytes: number[]; count: number[] };
  /**
   * Per row, what was live when its thread's app code ended (fold's --leaks), for a process that recorded its end
   * (APP_ENDED), unless --after-teardown: the whole run's leaks view. Absent otherwise.
   */
  kept?: { bytes: number[]; count: number[] };
}

export interface PageData {
  /** --title, which replaces the computed title (the latter then moves under it). */
  title: string | null;
  /** The headline's other lines (headline.ts). */
  who: string | null;
  shape: string | null;
  warning: string | null;
  processLines: string[];
  /** Which heap the figures are of, inserted in every title after its first words (headline.ts heapScope). */
  heapScope: string;
  /** For a stream folded before: its title; the graph has no time window. */
  foldedTitle: string | null;
  /** --leaks --after-teardown: the whole run's leaks view is the end of the capture. Absent otherwise. */
  afterTeardown?: true;
  view: ViewName;
  /** The initial window, in buckets (inclusive), or null for the whole run. */
  window: [number, number] | null;
  inverted: boolean;
  /** Every frame first (--frames all), until the reader's own choice (kept in the browser's storage). */
  allFrames: boolean;
  bucketNs: number;
  buckets: number;
  labels: string[];
  /** Per label: the index of its kind in `kinds`, and its color. */
  labelKind: number[];
  labelColor: string[];
  kinds: { name: string; color: string }[];
  /** The color of frames a search matches (the SVG's). */
  searchColor: string;
  /** The merged stacks: node 0 is the root. */
  parent: number[];
  label: number[];
  processes: ProcessData[];
  /**
   * `memtrace diff --html`: the page compares two runs. Each process's `values` are NEW's and `baseValues`
   * BASE's; widths are NEW's bytes, colors the change (diff/color.ts), and `legend` says what they mean (color,
   * meaning). Absent on a flame graph's page.
   */
  diff?: { baseName: string; nextName: string; legend: [string, string][] };
}

const KINDS = [FunctionKind.KIND_JS, FunctionKind.KIND_NATIVE, FunctionKind.KIND_BUILTIN, FunctionKind.KIND_OTHER];

export interface PageOptions {
  title?: string;
  view: ViewName;
  /** Times (ns) of the initial window. */
  window?: [number, number];
  inverted: boolean;
  /** The whole run's leaks view at the end of the capture, also where the app's end was recorded. */
  afterTeardown?: boolean;
  /** Every frame first, rather than the app view. */
  allFrames?: boolean;
}

/**
 * A Profile with no rows that carries a folded stream's processes and totals, under the view's measure: what
 * headline() reads.
 */
function metadataOf(profile: Profile, measure: Measure, afterTeardown: boolean): Profile {
  const meta = new Profile(new Scope(0, newHeader({ content: Content.FOLDED })));
  const info = profile.info;
  // The other fields keep a Profile's defaults (no temporary threshold, stacks as recorded).
  meta.info = { ...meta.info, measure, processes: info.processes, truncated: info.truncated, afterTeardown };
  meta.measure = measure;
  for (const [pid, p] of profile.processes) meta.processes.set(pid, p);
  return meta;
}

const VIEW_MEASURES: Record<ViewName, Measure> = { peak: Measure.PEAK, leaks: Measure.LEAKS, total: Measure.TOTAL };

/**
 * The page of a capture folded with its timeline (fold --timeline, or a raw capture folded so by flame --html):
 * every process's Timeline Record, with the folded stream's stacks, samples and totals.
 */
export function timelinePageData(profile: Profile, timelines: Timeline[], options: PageOptions): PageData {
  const afterTeardown = options.view === "leaks" && (options.afterTeardown ?? false);
  const meta = metadataOf(profile, VIEW_MEASURES[options.view], afterTeardown);
  const trie = new LabelTrie();
  const nodeOf = stackNodes(profile, trie);
  const width = timelines[0]?.bucketNs ?? 1;
  // One fold puts its processes on one grid; timelines of captures folded apart may not share it.
  if (timelines.some((p) => p.bucketNs !== width))
    throw new CaptureError(
      "the input's timelines come from separate folds, on other grids: fold the captures together",
      0,
    );
  const buckets = timelines.reduce((n, p) => Math.max(n, p.high.length), 1);
  const viewed = appViewOfRows(profile, timelines);
  const processes = timelines.map((p, i) => {
    const rows = new RowMerger();
    const newRow: number[] = [];
    for (let r = 0; r < p.rows; r++) {
      // The app view's node first, as the golden pages number them.
      const app = nodeOf(viewed[i][r]);
      newRow.push(rows.of(p.rowTid[r], nodeOf(p.rowStack[r]), app));
    }
    // Rows that merge (two stacks with the same labels, or two allocators) add their entries together.
    const own = p.high.length;
    const cc = mergeRows(p.changes, newRow, rows.tid.length, own, false);
    const lc = mergeRows(p.lifetimes, newRow, rows.tid.length, own, true);
    let kept: ProcessData["kept"];
    if (p.kept && !options.afterTeardown) {
      kept = { bytes: new Array<number>(rows.tid.length).fill(0), count: new Array<number>(rows.tid.length).fill(0) };
      for (let r = 0; r < p.rows; r++) {
        kept.bytes[newRow[r]] += p.kept.bytes[r];
        kept.count[newRow[r]] += p.kept.count[r];
      }
    }
    return {
      ...processData(meta, p.pid, rows, seriesOf(p, samplesOf(profile, p.pid), buckets)),
      changes: { row: cc.row, pos: cc.from, bytes: cc.bytes, count: cc.count },
      lifetimes: { row: lc.row, from: lc.from, lasted: lc.lasted, bytes: lc.bytes, count: lc.count },
      values: null,
      kept,
    };
  });
  const window = options.window?.map((t) => Math.min(buckets - 1, Math.floor(t / width))) as [number, number];
  return pageData(meta, trie, processes, options, {
    foldedTitle: null,
    afterTeardown: afterTeardown || undefined,
    bucketNs: width,
    buckets,
    window: window ?? null,
  });
}

/**
 * The trie node of a folded stack. Inverted stacks are turned back (the page inverts them itself); synthetic root
 * frames stay at the root.
 */
function stackNodes(profile: Profile, trie: LabelTrie): (stack: number) => number {
  const info = profile.info;
  const synthetic = (info.splitProcesses ? 1 : 0) + (info.splitThreads ? 1 : 0);
  return (stack) => {
    if (!info.inverted) return trie.stackNode(profile.scope, stack);
    const frames = profile.scope.stackFrames(stack).reverse();
    return trie.pathNode(profile.scope, [...frames.slice(0, synthetic), ...frames.slice(synthetic).reverse()]);
  };
}

/** The app view's stack of each timeline row, as appView() gives it for a folded row of the same thread. */
function appViewOfRows(profile: Profile, timelines: Timeline[]): Uint32Array[] {
  const info = profile.info;
  const views = new StackViews(profile.scope, {
    inverted: info.inverted,
    synthetic: (info.splitProcesses ? 1 : 0) + (info.splitThreads ? 1 : 0),
  });
  return timelines.map((t) =>
    t.rowStack.map((stack, r) => {
      const tid = t.rowTid[r];
      return views.of(stack, t.pid, tid, profile.processes.get(t.pid)?.threads.get(tid));
    }),
  );
}

/** The page of a stream folded before: the fold's rows, and the memory samples the stream carried. */
export function foldedPageData(profile: Profile, options: PageOptions): PageData {
  const trie = new LabelTrie();
  const info = profile.info;
  const pids = info.processes.map((p) => p.pid);
  for (let i = 0; i < profile.rows; i++) if (!pids.includes(profile.pid.data[i])) pids.push(profile.pid.data[i]);
  const byPid = new Map(
    pids.map((pid) => [pid, { rows: new RowMerger(), bytes: [] as number[], count: [] as number[] }]),
  );
  const nodeOf = stackNodes(profile, trie);
  // The app view keeps the rows in their order.
  const viewed = appView(profile);
  for (let i = 0; i < profile.rows; i++) {
    const p = byPid.get(profile.pid.data[i])!;
    const row = p.rows.of(profile.tid.data[i], nodeOf(profile.stack.data[i]), nodeOf(viewed.stack.data[i]));
    while (p.bytes.length <= row) {
      p.bytes.push(0);
      p.count.push(0);
    }
    p.bytes[row] += profile.bytes.data[i];
    p.count[row] += profile.count.data[i];
  }
  // The chart's grid: the memory samples' time span in at most MAX_BUCKETS buckets.
  const samples = new Map<number, Sample[]>(pids.map((pid) => [pid, samplesOf(profile, pid)]));
  const end = Math.max(0, ...[...samples.values()].flat().map((s) => s.time));
  const grid = new BucketGrid();
  while (Math.floor(end / grid.width) >= MAX_BUCKETS) grid.width *= 2;
  const buckets = Math.floor(end / grid.width) + 1;
  const processes = pids.map((pid) => {
    const p = byPid.get(pid)!;
    const series = { ...emptySeries(buckets), ...sampleSeries(samples.get(pid)!, grid.width, buckets) };
    return {
      ...processData(profile, pid, p.rows, series),
      changes: null,
      lifetimes: null,
      values: { bytes: p.bytes, count: p.count },
    };
  });
  return pageData(
    profile,
    trie,
    processes,
    { ...options, inverted: options.inverted || info.inverted },
    {
      foldedTitle: headline(profile).title,
      bucketNs: grid.width,
      buckets,
      window: null,
    },
  );
}

/** Rows (thread, node, node in the app view) numbered in order of first appearance. */
class RowMerger {
  readonly tid: number[] = [];
  readonly node: number[] = [];
  readonly app: number[] = [];
  private readonly index = new Map<string, number>();

  of(tid: number, node: number, app: number): number {
    const key = `${tid}:${node}:${app}`;
    let row = this.index.get(key);
    if (row === undefined) {
      row = this.tid.length;
      this.tid.push(tid);
      this.node.push(node);
      this.app.push(app);
      this.index.set(key, row);
    }
    return row;
  }
}

/** One memory sample of the process: process-wide RSS (tid 0) or an isolate's JS heap. */
interface Sample {
  tid: number;
  time: number;
  rss: number;
  jsHeapUsed: number;
}

interface Series {
  live: number[];
  liveJs: number[];
  momentNs: number[];
  rss: (number | null)[];
  heap: (number | null)[];
}

function emptySeries(buckets: number): Series {
  const zeros = new Array<number>(buckets).fill(0);
  return { live: zeros, liveJs: zeros, momentNs: zeros, rss: [], heap: [] };
}

function seriesOf(t: Timeline, samples: Sample[], buckets: number): Series {
  const pad = (column: Float64Array, value: (k: number) => number) =>
    Array.from({ length: buckets }, (_, k) => (k < column.length ? column[k] : value(k)));
  const last = t.high.length - 1;
  return {
    live: pad(t.high, () => t.high[last]),
    liveJs: pad(t.highJs, () => t.highJs[last]),
    momentNs: pad(t.momentNs, (k) => k * t.bucketNs),
    ...sampleSeries(samples, t.bucketNs, buckets),
  };
}

/**
 * RSS and JS heap per bucket, at their highest in it: RSS from process-wide samples, the JS heap summed over the
 * process's isolates (each carried forward between its samples, from its first to its last). Null where no sample
 * says anything.
 */
function sampleSeries(samples: Sample[], width: number, buckets: number): Pick<Series, "rss" | "heap"> {
  const rss = new Array<number | null>(buckets).fill(null);
  const byIsolate = new Map<number, (number | null)[]>();
  for (const s of samples) {
    const k = Math.min(buckets - 1, Math.floor(s.time / width));
    if (s.rss > 0) rss[k] = Math.max(rss[k] ?? 0, s.rss);
    if (s.tid !== 0 && s.jsHeapUsed > 0) {
      let column = byIsolate.get(s.tid);
      if (!column) {
        column = new Array<number | null>(buckets).fill(null);
        byIsolate.set(s.tid, column);
      }
      column[k] = Math.max(column[k] ?? 0, s.jsHeapUsed);
    }
  }
  const heap = new Array<number | null>(buckets).fill(null);
  for (const column of byIsolate.values()) {
    const first = column.findIndex((v) => v !== null);
    const lastIndex = column.findLastIndex((v) => v !== null);
    let carried = 0;
    for (let k = first; k <= lastIndex; k++) {
      carried = column[k] ?? carried;
      heap[k] = (heap[k] ?? 0) + carried;
    }
  }
  return { rss, heap };
}

function samplesOf(profile: Profile, pid: number): Sample[] {
  const out: Sample[] = [];
  for (const [tid, s] of profile.processes.get(pid)?.memory ?? []) {
    s.time.forEach((time, i) => out.push({ tid, time, rss: s.rss[i], jsHeapUsed: s.jsHeapUsed[i] }));
  }
  return out;
}

function processData(meta: Profile, pid: number, rows: RowMerger, series: Series) {
  const totals = meta.info.processes.find((p) => p.pid === pid);
  const tids = [...new Set(rows.tid)].sort((a, b) => a - b);
  return {
    pid,
    command: meta.command(pid),
    threads: tids.map((tid): [number, string] => [tid, meta.threadName(pid, tid)]),
    allocations: totals?.allocations ?? 0,
    peakBytes: totals?.peakBytes ?? 0,
    peakTimeNs: totals?.peakTimeNs ?? 0,
    leakedBytes: totals?.leakedBytes ?? 0,
    ...series,
    rows: { tid: rows.tid, node: rows.node, app: rows.app },
  };
}

function pageData(
  meta: Profile,
  trie: LabelTrie,
  processes: ProcessData[],
  options: PageOptions,
  rest: Pick<PageData, "foldedTitle" | "afterTeardown" | "bucketNs" | "buckets" | "window">,
): PageData {
  const head = headline(meta);
  return {
    title: options.title ?? null,
    who: head.who ?? null,
    shape: head.shape ?? null,
    heapScope: heapScope(meta),
    warning: head.warning ?? null,
    processLines: head.processes,
    view: options.view,
    inverted: options.inverted,
    allFrames: options.allFrames ?? false,
    ...rest,
    ...stackColumns(trie),
    processes,
  };
}

/** The merged stacks and their labels, as every page (the flame graph's, the diff's) embeds them. */
export function stackColumns(
  trie: LabelTrie,
): Pick<PageData, "labels" | "labelKind" | "labelColor" | "kinds" | "searchColor" | "parent" | "label"> {
  const kindIndex = (kind: FunctionKind) => Math.max(0, KINDS.indexOf(kind));
  return {
    labels: trie.labels,
    labelKind: trie.labelKind.map(kindIndex),
    labelColor: trie.labels.map((text, i) => frameColor(trie.labelKind[i], text)),
    kinds: KINDS.map((kind) => ({ name: kindName(kind), color: frameColor(kind, kindName(kind)) })),
    searchColor: SEARCH_COLOR,
    parent: trie.parent,
    label: trie.label,
  };
}
