// What `memtrace stats` reports, as data: the shape of `stats --json` (stable: fields are only ever added) and what
// the text form prints. Built from the folded profile (allocators, locations, threads: under the measure, by
// default everything allocated), its FoldInfo (what each process allocated, freed, peaked at and leaked, whatever
// the measure) and the histogram of sizes counted from the capture's events (none for a stream folded before).
//
//   {
//     "version": 1,
//     "measure": "total",           the measure of allocators, topByBytes, topByCount and threads
//     "title": "Total memory: ...", the headline every report prints
//     "truncated": false,           a process of the capture had no trailer: figures are what it holds
//     "notes": [ "..." ],           what the recording could not do (the processes' notes, each once)
//     "totals": { "processes", "allocations", "allocatedBytes", "deallocations", "unmatchedDeallocations",
//                 "peakBytes", "leakedBytes", "leakedCount", "keptBytes", "keptCount" },
//     "histogram": { "buckets": [ { "min", "max", "count", "bytes" } ], "jsSamples" } or null,
//     "allocators": [ { "allocator", "bytes", "count" } ],
//     "topByBytes": [ { "location", "bytes", "count" } ],
//     "topByCount": [ { "location", "bytes", "count" } ],
//     "processes": [ { "pid", "command", "allocations", "allocatedBytes", "deallocations",
//                      "unmatchedDeallocations", "peakBytes", "peakTimeNs", "leakedBytes", "leakedCount",
//                      "endTimeNs", "appEndedNs", "keptBytes", "keptCount" } ],
//     "threads": [ { "pid", "tid", "name", "bytes", "count" } ]
//   }
//
// Bytes are bytes and times nanoseconds since the process's start. totals.allocations counts allocation events
// (a JS heap sample once); the "count" of the lists counts what the events stand for (a JS sample's estimated
// objects), as every report's allocation counts do. totals.peakBytes is the sum of each process's own high-water
// mark (the processes' peaks need not coincide). Histogram buckets hold sizes min..max, both included (powers of
// two); JS heap samples are left out of it and counted in jsSamples; it is null when the input was folded before,
// as a folded stream no longer holds each allocation's size. A location is a frame label; its bytes and count are
// its own (what it allocated itself), as in `memtrace summary`. leaked* is what was live at the end of the input
// (after node's teardown), kept* what was live when the app's code ended (what --leaks shows; appEndedNs is 0 and
// kept* equal leaked* for a process that did not record its end: see proto/memtrace.proto, APP_ENDED).
import { allocatorName } from "../model/allocators";
import { buildCallTree, compareLabels } from "../model/calltree";
import { locationsOf, type Location } from "../model/locations";
import type { Profile } from "../model/profile";
import { measureName, type MeasureName } from "../transforms/measures";
import { headline } from "./headline";
import type { SizeBucket, SizeHistogram } from "../model/histogram";

export const STATS_VERSION = 1;

export interface Figures {
  bytes: number;
  count: number;
}

export interface StatsData {
  version: number;
  measure: MeasureName;
  title: string;
  truncated: boolean;
  notes: string[];
  totals: {
    processes: number;
    allocations: number;
    allocatedBytes: number;
    deallocations: number;
    unmatchedDeallocations: number;
    peakBytes: number;
    leakedBytes: number;
    leakedCount: number;
    keptBytes: number;
    keptCount: number;
  };
  histogram: { buckets: SizeBucket[]; jsSamples: number } | null;
  allocators: ({ allocator: string } & Figures)[];
  topByBytes: ({ location: string } & Figures)[];
  topByCount: ({ location: string } & Figures)[];
  processes: {
    pid: number;
    command: string;
    allocations: number;
    allocatedBytes: number;
    deallocations: number;
    unmatchedDeallocations: number;
    peakBytes: number;
    peakTimeNs: number;
    leakedBytes: number;
    leakedCount: number;
    endTimeNs: number;
    appEndedNs: number;
    keptBytes: number;
    keptCount: number;
  }[];
  threads: ({ pid: number; tid: number; name: string } & Figures)[];
}

/** Sums of bytes and counts by a key, largest bytes first (ties: larger count, then the key's order). */
function sumBy<K>(profile: Profile, key: (row: number) => K, order: (a: K, b: K) => number): [K, Figures][] {
  const sums = new Map<string, [K, Figures]>();
  for (let i = 0; i < profile.rows; i++) {
    const bytes = profile.bytes.data[i];
    const count = profile.count.data[i];
    if (bytes === 0 && count === 0) continue;
    const k = key(i);
    const id = JSON.stringify(k);
    let entry = sums.get(id);
    if (!entry) {
      entry = [k, { bytes: 0, count: 0 }];
      sums.set(id, entry);
    }
    entry[1].bytes += bytes;
    entry[1].count += count;
  }
  return [...sums.values()].sort(([ka, a], [kb, b]) => b.bytes - a.bytes || b.count - a.count || order(ka, kb));
}

function topLocations(all: Location[], top: number, by: "bytes" | "count"): StatsData["topByBytes"] {
  const value = (l: Location) => (by === "bytes" ? [l.ownBytes, l.ownCount] : [l.ownCount, l.ownBytes]);
  return all
    .filter((l) => l.ownBytes > 0 || l.ownCount > 0)
    .sort((a, b) => {
      const [x, y] = [value(a), value(b)];
      return y[0] - x[0] || y[1] - x[1] || compareLabels(a.label, b.label);
    })
    .slice(0, top)
    .map((l) => ({ location: l.label, bytes: Math.round(l.ownBytes), count: Math.round(l.ownCount) }));
}

const rounded = (f: Figures): Figures => ({ bytes: Math.round(f.bytes), count: Math.round(f.count) });

export function statsOf(profile: Profile, histogram: SizeHistogram | undefined, top: number): StatsData {
  const info = profile.info;
  const processes = info.processes;
  const sum = (f: (p: (typeof processes)[number]) => number) => processes.reduce((s, p) => s + f(p), 0);
  const locations = locationsOf(buildCallTree(profile), {
    inverted: info.inverted,
    syntheticDepth: (info.splitProcesses ? 1 : 0) + (info.splitThreads ? 1 : 0),
  });
  const pidOrder = new Map(processes.map((p, i) => [p.pid, i]));
  return {
    version: STATS_VERSION,
    measure: measureName(profile.measure),
    title: headline(profile).title,
    truncated: info.truncated,
    notes: profile.notes(),
    totals: {
      processes: processes.length,
      allocations: sum((p) => p.allocations),
      allocatedBytes: sum((p) => p.allocatedBytes),
      deallocations: sum((p) => p.deallocations),
      unmatchedDeallocations: sum((p) => p.unmatchedDeallocations),
      peakBytes: sum((p) => p.peakBytes),
      leakedBytes: sum((p) => p.leakedBytes),
      leakedCount: sum((p) => p.leakedCount),
      keptBytes: sum((p) => p.keptBytes),
      keptCount: sum((p) => p.keptCount),
    },
    histogram: histogram ? { buckets: histogram.buckets(), jsSamples: histogram.jsSamples } : null,
    allocators: sumBy(profile, (i) => allocatorName(profile.kind.data[i]), compareLabels).map(([allocator, f]) => ({
      allocator,
      ...rounded(f),
    })),
    topByBytes: topLocations(locations, top, "bytes"),
    topByCount: topLocations(locations, top, "count"),
    processes: processes.map((p) => ({
      pid: p.pid,
      command: profile.command(p.pid),
      allocations: p.allocations,
      allocatedBytes: p.allocatedBytes,
      deallocations: p.deallocations,
      unmatchedDeallocations: p.unmatchedDeallocations,
      peakBytes: p.peakBytes,
      peakTimeNs: p.peakTimeNs,
      leakedBytes: p.leakedBytes,
      leakedCount: p.leakedCount,
      endTimeNs: p.endTimeNs,
      appEndedNs: p.appEndedNs,
      keptBytes: p.keptBytes,
      keptCount: p.keptCount,
    })),
    // By process (in the capture's order), then largest first.
    threads: sumBy(
      profile,
      (i) => [profile.pid.data[i], profile.tid.data[i]] as const,
      (a, b) => a[1] - b[1],
    )
      .sort(([a], [b]) => (pidOrder.get(a[0]) ?? Infinity) - (pidOrder.get(b[0]) ?? Infinity) || a[0] - b[0])
      .map(([[pid, tid], f]) => ({ pid, tid, name: profile.threadName(pid, tid), ...rounded(f) })),
  };
}
