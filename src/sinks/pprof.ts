// pprof: the gzipped profile.proto that `go tool pprof`, pprof's web UI and most profiling services read, with the
// four sample types of Go's heap profiles, so that every pprof habit works (-sample_index=alloc_space, -top, -web).
//
// What the four mean here. Go's alloc_* count everything allocated since the program started; its inuse_* count
// what was live when the profile was taken. memtrace knows both for any moment, so:
//   alloc_objects, alloc_space: everything allocated, freed or not (the --total fold);
//   inuse_objects, inuse_space: what was live at the moment the measure picks: the high-water mark by default
//     (--peak, the moment a memory problem is worst, and the figure every other report shows by default), the end
//     (--leaks: Go's own meaning for a profile taken at exit) or a chosen moment (--at).
// inuse_space is the default sample type. Measures that are not "live at a moment" (--temporary, --between) keep
// their own names (temporary_space, between_space) rather than pretend to be inuse; --total gives alloc_* alone.
// So the report needs two folds of the capture: it reads the capture itself (input "capture") and folds it twice. A
// stream folded before holds one measure: it gives that pair alone, and the comments say why alloc_* is missing.
//
// One sample per (stack, process, thread, allocator), with labels pid, tid, thread and allocator, so that pprof's
// -tagfocus can pick a thread or an allocator. The profile's comments (`pprof -comments`) name the measures and the
// processes.
import { gzipSync } from "node:zlib";
import { Label, Profile as PprofProfile, Sample, ValueType } from "pprof-format";
import { UsageError } from "../errors";
import { Measure } from "../codec/model";
import { allocatorName } from "../model/allocators";
import { NO_STACK_LABEL } from "../model/calltree";
import type { Profile } from "../model/profile";
import type { FoldOptions } from "../transforms/fold";
import { isLiveMeasure, measureName, measureTitle } from "../transforms/measures";
import { EXPORTER } from "./export/exporter";
import { foldsSink, type Folds } from "./export/folds";
import { ExportFrames, syntheticFrame } from "./export/frames";
import { PprofTables } from "./export/pprof-tables";
import type { SinkDefinition } from "./sink";

export interface PprofOptions {
  /** How to fold the capture (the CLI fills it from the measure options). */
  fold?: FoldOptions;
}

/** A pair of sample types (objects and space) and the fold whose rows fill them. */
interface ValuePair {
  profile: Profile;
  /** "alloc", "inuse", or the measure's own name. */
  prefix: string;
  meaning: string;
}

function valuePairs(folds: Folds): ValuePair[] {
  const m = folds.chosen.measure;
  const total = m === Measure.TOTAL ? folds.chosen : folds.total;
  const pairs: ValuePair[] = [];
  if (total)
    pairs.push({ profile: total, prefix: "alloc", meaning: "everything allocated, freed or not, memtrace --total" });
  if (m !== Measure.TOTAL) {
    pairs.push({
      profile: folds.chosen,
      prefix: isLiveMeasure(m) ? "inuse" : measureName(m).replace(/-/g, "_"),
      meaning: `${measureTitle(m, folds.chosen.info)}, memtrace --${measureName(m)}`,
    });
  }
  return pairs;
}

interface SampleRow {
  locations: number[];
  pid: number;
  tid: number;
  kind: number;
  thread: string;
  values: number[];
}

export function renderPprof(folds: Folds): Uint8Array {
  const pairs = valuePairs(folds);
  const t = new PprofTables();
  const frames = new ExportFrames();
  const samples = new Map<string, SampleRow>();

  pairs.forEach(({ profile }, pair) => {
    const scope = profile.scope;
    // Location ids of each stack, leaf first (profile.proto: "The leaf is at location_id[0]").
    const stacks = new Map<number, number[]>();
    for (let i = 0; i < profile.rows; i++) {
      const bytes = profile.bytes.data[i];
      const count = profile.count.data[i];
      if (bytes === 0 && count === 0) continue;
      const stack = profile.stack.data[i];
      let locations = stacks.get(stack);
      if (!locations) {
        const ids = scope.stackFrames(stack).map((f) => t.location(frames.get(scope, f)));
        locations = ids.length > 0 ? ids : [t.location(syntheticFrame(NO_STACK_LABEL))];
        stacks.set(stack, locations);
      }
      const pid = profile.pid.data[i];
      const tid = profile.tid.data[i];
      const kind = profile.kind.data[i];
      const key = `${locations.join(",")}/${pid}/${tid}/${kind}`;
      let row = samples.get(key);
      if (!row) {
        row = { locations, pid, tid, kind, thread: profile.threadName(pid, tid), values: pairs.flatMap(() => [0, 0]) };
        samples.set(key, row);
      }
      row.values[pair * 2] += count;
      row.values[pair * 2 + 1] += bytes;
    }
  });

  const firstPid = folds.chosen.info.processes[0]?.pid;
  t.putMainFirst(folds.chosen.processes.get(firstPid)?.header.argv[0] ?? "");
  const s = (text: string) => t.string(text);
  const sampleType = pairs.flatMap(({ prefix }) => [
    new ValueType({ type: s(`${prefix}_objects`), unit: s("count") }),
    new ValueType({ type: s(`${prefix}_space`), unit: s("bytes") }),
  ]);
  const keys = { pid: s("pid"), tid: s("tid"), thread: s("thread"), allocator: s("allocator") };
  const sample = [...samples.values()].map(
    (r) =>
      new Sample({
        locationId: r.locations,
        value: r.values.map(Math.round),
        label: [
          new Label({ key: keys.pid, num: r.pid }),
          new Label({ key: keys.tid, num: r.tid }),
          new Label({ key: keys.thread, str: s(r.thread) }),
          new Label({ key: keys.allocator, str: s(allocatorName(r.kind)) }),
        ],
      }),
  );
  const chosen = folds.chosen;
  const { timeNanos, durationNanos } = timesOf(chosen);
  const profile = new PprofProfile({
    sampleType,
    sample,
    mapping: t.mappings,
    location: t.locations,
    function: t.functions,
    stringTable: t.strings,
    timeNanos,
    durationNanos,
    periodType: new ValueType({ type: s("space"), unit: s("bytes") }),
    // Every native allocation is recorded, not sampled (JS heap samples are already scaled to the bytes they
    // stand for): one byte per byte.
    period: 1,
    comment: comments(folds, pairs).map(s),
    defaultSampleType: s(`${pairs[pairs.length - 1].prefix}_space`),
  });
  return gzipSync(profile.encode());
}

function comments(folds: Folds, pairs: ValuePair[]): string[] {
  const out = [`Made by ${EXPORTER}.`];
  for (const p of pairs) out.push(`${p.prefix}_objects, ${p.prefix}_space: ${p.meaning}.`);
  if (!folds.total && folds.chosen.measure !== Measure.TOTAL) {
    out.push(
      `No alloc_objects and alloc_space: the input was folded before (by --${measureName(folds.chosen.measure)}); ` +
        "export the raw capture to have them.",
    );
  }
  if (folds.chosen.info.truncated) out.push("Warning: the capture was cut short (a process has no trailer).");
  for (const p of folds.chosen.info.processes) {
    out.push(`Process ${p.pid}: ${folds.chosen.command(p.pid) || "(unknown command)"}`);
  }
  return out;
}

/** When the profile starts (the first process's start) and how long it covers (to the last process's last event). */
function timesOf(profile: Profile): { timeNanos: bigint; durationNanos: bigint } {
  let start: bigint | undefined;
  let end = 0n;
  for (const totals of profile.info.processes) {
    const header = profile.processes.get(totals.pid)?.header;
    if (!header || header.startTimeUnixNs === 0n) continue;
    const s = header.startTimeUnixNs;
    const e = s + BigInt(Math.round(totals.endTimeNs));
    if (start === undefined || s < start) start = s;
    if (e > end) end = e;
  }
  return start === undefined ? { timeNanos: 0n, durationNanos: 0n } : { timeNanos: start, durationNanos: end - start };
}

export const pprof: SinkDefinition<PprofOptions> = {
  name: "pprof",
  summary: "a gzipped pprof profile (alloc_space, inuse_space, ...) for go tool pprof and pprof viewers",
  description:
    "Writes a pprof profile (profile.proto, gzipped) with Go's four heap sample types: alloc_objects and " +
    "alloc_space count everything allocated (--total); inuse_objects and inuse_space count what was live at the " +
    "moment the measure picks: the high-water mark (--peak, the default), the end (--leaks) or --at a time. " +
    "inuse_space is the default sample type. --temporary and --between keep their own names " +
    "(temporary_space, between_space); a stream folded before gives its own measure alone. Samples carry the " +
    "labels pid, tid, thread and allocator; `pprof -comments` names the measures.",
  examples: [
    "memtrace pprof app.mtrace -o app.pb.gz && go tool pprof -top app.pb.gz",
    "memtrace pprof --leaks app.mtrace -o leaks.pb.gz && go tool pprof -sample_index=inuse_space -http=: leaks.pb.gz",
    "go tool pprof -sample_index=alloc_space -tagfocus=allocator=mmap app.pb.gz",
  ],
  options: [],
  input: "capture",
  binaryOutput: true,
  create(options) {
    // pprof reads a stack's first location as the code that allocated (flat bytes are its own): inverted stacks
    // would give every byte to the outermost frame.
    if (options.fold?.inverted) {
      throw new UsageError("pprof stacks start at the allocating frame: leave out --inverted (pprof's views invert)");
    }
    return foldsSink(options.fold ?? {}, renderPprof, options);
  },
};
