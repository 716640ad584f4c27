// What a report's title says: the measure in words, with the totals of the profile and of the fold (FoldInfo), so
// that a flame graph or a table read on its own says what its bytes are.
import { Heap, isJsHeap, type FoldInfo, type Measure, type ProcessTotals } from "../codec/model";
import type { Profile } from "../model/profile";
import { definitionOf } from "../transforms/measures";
import { formatBytes, formatDuration, plural } from "./format";

export interface Headline {
  /** One line: the measure and the totals shown, e.g. "Peak memory: 9.2 KiB live at 40 ms in 3 allocations". */
  title: string;
  /** Whose memory, in a few words: "node app.js (pid 100)", "node app.js (pid 100) and 2 more processes". */
  who: string | undefined;
  /** The processes, one line each, by command line and pid (at most MAX_PROCESS_LINES, then a count). */
  processes: string[];
  /**
   * The native and the JS heap's shares, when the profile has JS heap samples: "native heap 3.3 MiB in 13,682
   * allocations; JS heap 13.4 MiB in about 212,834 objects (estimated from V8's samples, one per 32 KiB)".
   */
  heaps: string | undefined;
  /** How fold shaped the stacks (inverted, split by process or thread), if it did. */
  shape: string | undefined;
  /** Set when some process of the capture had no trailer: the figures are what the capture holds. */
  warning: string | undefined;
}

const MAX_PROCESS_LINES = 8;

export function headline(profile: Profile): Headline {
  const bytes = formatBytes(profile.totalBytes());
  const allocations = plural(profile.totalCount(), "allocation");
  const totals = profile.info.processes;
  const truncated = profile.info.truncated;
  const [before, after] = measureText(profile.measure, profile.info, bytes);
  const shares = heapShares(profile);
  const colon = before.indexOf(":");
  const title = `${before.slice(0, colon)}${heapScope(profile)}${before.slice(colon)} in ${allocations}${after}`;
  const processes = totals.slice(0, MAX_PROCESS_LINES).map((p) => processLine(profile, p));
  if (totals.length > MAX_PROCESS_LINES)
    processes.push(`and ${plural(totals.length - MAX_PROCESS_LINES, "more process", "more processes")}`);
  return {
    title,
    who: who(profile, totals),
    processes,
    heaps: heapsLine(profile, shares),
    shape: shapeOf(profile.info),
    warning: truncated ? "the capture was cut short (a process has no trailer): figures are what it holds" : undefined,
  };
}

/** What the bytes are, around " in N allocations": ["Peak memory: 9.2 KiB live at 40 ms", ""] (the measure's words). */
function measureText(measure: Measure, info: FoldInfo, bytes: string): [string, string] {
  const definition = definitionOf(measure);
  if (!definition) return [`Memory (measure ${measure}): ${bytes}`, ""];
  const totals = info.processes;
  return definition.headline({
    bytes,
    info,
    totals,
    truncated: info.truncated,
    temporaryThreshold: info.temporaryThreshold,
    plural,
    moment: (ns, several) => moment(totals, ns, several),
    window: () => window(totals),
  });
}

/** " at 40 ms" for one process; several processes each have their own moment. */
function moment(totals: ProcessTotals[], ns: (p: ProcessTotals) => number, several: string): string {
  if (totals.length === 1) return ` at ${formatDuration(ns(totals[0]))}`;
  if (totals.length > 1) return ` at ${several} (${totals.length} processes)`;
  return "";
}

interface HeapShares {
  nativeBytes: number;
  nativeCount: number;
  jsBytes: number;
  jsCount: number;
}

function heapShares(profile: Profile): HeapShares {
  const s: HeapShares = { nativeBytes: 0, nativeCount: 0, jsBytes: 0, jsCount: 0 };
  for (let i = 0; i < profile.rows; i++) {
    if (isJsHeap(profile.kind.data[i])) {
      s.jsBytes += profile.bytes.data[i];
      s.jsCount += profile.count.data[i];
    } else {
      s.nativeBytes += profile.bytes.data[i];
      s.nativeCount += profile.count.data[i];
    }
  }
  return s;
}

/** Whether any process of the profile had its JS heap sampled (by its Header, or by the samples themselves). */
function jsSampled(profile: Profile): boolean {
  if ([...profile.processes.values()].some((p) => p.header.settings.jsSampleIntervalBytes > 0)) return true;
  for (let i = 0; i < profile.rows; i++) if (isJsHeap(profile.kind.data[i])) return true;
  return false;
}

/**
 * Which heap the figures are of, for the title (after its first words: "Peak memory (JS heap, estimated): ..."):
 * nothing for a capture of the native heap alone. Exported for the HTML flame graph, which titles its own views.
 */
export function heapScope(profile: Profile): string {
  const heap = profile.info.heap;
  if (heap === Heap.JS) return " (JS heap, estimated)";
  if (heap === Heap.NATIVE) return " (native heap)";
  return jsSampled(profile) ? " (native and JS heaps)" : "";
}

/** Each heap's share, with how the JS heap's figures were estimated. */
function heapsLine(profile: Profile, shares: HeapShares): string | undefined {
  if (!jsSampled(profile)) return undefined;
  const intervals = new Set(
    [...profile.processes.values()].map((p) => p.header.settings.jsSampleIntervalBytes).filter((n) => n > 0),
  );
  const every = intervals.size === 1 ? `, one per ${formatBytes([...intervals][0])}` : "";
  const js =
    `JS heap ${formatBytes(shares.jsBytes)} in about ${plural(Math.round(shares.jsCount), "object")} ` +
    `(estimated from V8's samples${every})`;
  if (profile.info.heap === Heap.JS) return js;
  return `native heap ${formatBytes(shares.nativeBytes)} in ${plural(shares.nativeCount, "allocation")}; ${js}`;
}

/** " between 2 s and 5 s" for one process (or several with the same window). */
function window(totals: ProcessTotals[]): string {
  if (totals.length === 0) return "";
  const [first] = totals;
  if (totals.some((p) => p.windowStartNs !== first.windowStartNs || p.windowEndNs !== first.windowEndNs)) {
    return ` within each process's own window (${totals.length} processes)`;
  }
  return ` between ${formatDuration(first.windowStartNs)} and ${formatDuration(first.windowEndNs)}`;
}

/** How fold shaped the stacks, when it did: a graph of inverted stacks reads the other way up. */
function shapeOf(info: FoldInfo): string | undefined {
  const parts = [
    info.inverted ? "inverted: allocating functions at the root" : undefined,
    info.splitProcesses ? "a root per process" : undefined,
    info.splitThreads ? "a root per thread" : undefined,
  ].filter((p) => p !== undefined);
  return parts.length > 0 ? parts.join(", ") : undefined;
}

function who(profile: Profile, totals: ProcessTotals[]): string | undefined {
  if (totals.length === 0) return undefined;
  const first = `${profile.command(totals[0].pid) || "(unknown command)"} (pid ${totals[0].pid})`;
  return totals.length === 1 ? first : `${first} and ${plural(totals.length - 1, "more process", "more processes")}`;
}

/**
 * "node app.js (pid 100): 5 allocations of 9.6 KiB, peak 9.2 KiB at 40 ns, 5.3 KiB leaked", and where the app's end
 * was recorded, "5.3 KiB leaked at the app's end (1.0 KiB after node's teardown)".
 */
function processLine(profile: Profile, p: ProcessTotals): string {
  const command = profile.command(p.pid) || "(unknown command)";
  const leaked =
    p.appEndedNs > 0
      ? `${formatBytes(p.keptBytes)} leaked at the app's end (${formatBytes(p.leakedBytes)} after node's teardown)`
      : `${formatBytes(p.leakedBytes)} leaked`;
  return (
    `${command} (pid ${p.pid}): ${plural(p.allocations, "allocation")} of ${formatBytes(p.allocatedBytes)}, ` +
    `peak ${formatBytes(p.peakBytes)} at ${formatDuration(p.peakTimeNs)}, ${leaked}`
  );
}
