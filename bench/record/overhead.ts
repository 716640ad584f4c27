// What recording costs: wall time of plain node, `memtrace record -o FILE` (its default: zstd to a file; and with
// LZ4, the default before) and `heaptrack node` on three malloc-heavy workloads and an empty script (the fixed
// cost), and the capture's size per event with zstd, LZ4 and uncompressed beside heaptrack's file.
//
//   npm run build && node dist/bench/record/overhead.js [runs] [--node PATH]
//
// --node: the node that runs the workloads (plain, recorded with `memtrace record -- PATH`, and under
// heaptrack), e.g. another Node.js line's (`node scripts/node-lines.js` lists them); memtrace itself runs on
// the node that runs this script.
//
// Every run of every variant is taken in one loop, alternating (plain, memtrace, memtrace --compressor lz4,
// memtrace --no-compress, memtrace --exact-times, memtrace --paired, memtrace --no-paired, heaptrack), and the
// table shows medians of `runs` (default 5). Run it on a quiet
// machine: it prints the load average first and says so if the machine is busy. NODE_EXTRA_CA_CERTS is unset
// for every variant: with it, node's start-up alone makes ~900,000 allocations, which would dominate these
// short workloads. With MEMTRACE_BASELINE set to another built checkout's bin/memtrace.js, that memtrace is run
// in the same loop too (the cost of a change beside the cost before it).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { decodeAll } from "../../src/codec/decoder";
import { timeRun } from "../lib/run";
import { median } from "../lib/util";

const ROOT = join(__dirname, "..", "..", "..");
// "empty" is the fixed cost: a second node (the launcher), the recorder's and the agent's start, the final round.
const WORKLOADS = ["buffers", "maps", "zlib", "empty"];
const args = process.argv.slice(2);
const nodeAt = args.indexOf("--node");
const NODE = nodeAt >= 0 ? resolve(args.splice(nodeAt, 2)[1]) : process.execPath;
const RUNS = Number(args[0] ?? 5);
const BIN = join(ROOT, "bin", "memtrace.js");
const BASELINE = process.env.MEMTRACE_BASELINE;
const work = mkdtempSync(join(tmpdir(), "memtrace-bench-"));

interface Variant {
  name: string;
  command: (script: string) => string[];
  /** The file the run wrote, for its size. */
  output?: () => string;
}

const compressed = join(work, "capture.mtrace");
const pairedCapture = join(work, "capture.paired.mtrace");
const plainCapture = join(work, "capture.plain.mtrace");
const lz4Capture = join(work, "capture.lz4.mtrace");
const variants: Variant[] = [
  { name: "plain", command: (s) => [NODE, s] },
  {
    name: "memtrace",
    command: (s) => [process.execPath, BIN, "record", "-o", compressed, "--", NODE, s],
    output: () => compressed,
  },
  {
    name: "memtrace --compressor lz4",
    command: (s) => [process.execPath, BIN, "record", "--compressor", "lz4", "-o", lz4Capture, "--", NODE, s],
    output: () => lz4Capture,
  },
  {
    name: "memtrace --no-compress",
    command: (s) => [process.execPath, BIN, "record", "--no-compress", "-o", plainCapture, "--", NODE, s],
    output: () => plainCapture,
  },
  {
    name: "memtrace --exact-times",
    command: (s) => [process.execPath, BIN, "record", "--exact-times", "-o", compressed, "--", NODE, s],
  },
  // Pairing at record time (docs/pipeline.md) both ways, whatever the default is.
  {
    name: "memtrace --paired",
    command: (s) => [process.execPath, BIN, "record", "--paired", "-o", pairedCapture, "--", NODE, s],
    output: () => pairedCapture,
  },
  {
    name: "memtrace --no-paired",
    command: (s) => [process.execPath, BIN, "record", "--no-paired", "-o", compressed, "--", NODE, s],
  },
  ...(BASELINE
    ? [{ name: "baseline", command: (s: string) => [process.execPath, BASELINE, "record", "-o", compressed, s] }]
    : []),
  {
    name: "heaptrack",
    command: (s) => ["heaptrack", "-o", join(work, "heaptrack"), NODE, s],
    output: () =>
      join(
        work,
        readdirSync(work).find((f) => f.startsWith("heaptrack"))!,
      ),
  },
];

/** Milliseconds matter for the empty script. */
function seconds(s: number): string {
  return `${s.toFixed(s < 1 ? 3 : 2)}s`;
}

function eventsIn(file: string): number {
  let events = 0;
  for (const m of decodeAll(readFileSync(file), { paired: true })) {
    if (m.type === "trailer") events += m.trailer.allocations + m.trailer.deallocations;
  }
  return events;
}

const [load1] = loadavg();
console.log(
  `load average ${load1.toFixed(2)} on ${cpus().length} cores${load1 > 0.5 ? " (busy: rerun when quiet)" : ""}`,
);
console.log(
  `${RUNS} runs of each variant, alternating; medians; NODE_EXTRA_CA_CERTS unset; workloads run by ${NODE}\n`,
);

interface Measured {
  workload: string;
  times: Map<string, number[]>;
  cpus: Map<string, number[]>;
  bytes: Map<string, number>;
  events: number;
}

const measured: Measured[] = [];
for (const workload of WORKLOADS) {
  const script = join(ROOT, "bench", "record", "workloads", `${workload}.js`);
  const m: Measured = {
    workload,
    times: new Map(variants.map((v) => [v.name, []])),
    cpus: new Map(variants.map((v) => [v.name, []])),
    bytes: new Map(),
    events: 0,
  };
  for (let run = 0; run < RUNS; run++) {
    for (const v of variants) {
      for (const f of readdirSync(work)) rmSync(join(work, f), { force: true });
      const { wall, cpu } = timeRun(v.command(script), work);
      m.times.get(v.name)!.push(wall);
      m.cpus.get(v.name)!.push(cpu);
      if (v.output) m.bytes.set(v.name, statSync(v.output()).size);
      if (v.name === "memtrace") m.events = eventsIn(compressed);
    }
  }
  measured.push(m);
}

// What a recording costs whatever the app does (the empty script's extra time): the rest of a workload's extra
// time, divided by its events, is what each event costs.
const empty = measured.find((m) => m.workload === "empty")!;
const fixed = median(empty.times.get("memtrace")!) - median(empty.times.get("plain")!);

const rows: string[][] = [];
for (const { workload, times, cpus: cpuTimes, bytes, events } of measured) {
  const t = (name: string) => median(times.get(name)!);
  // Each run's time against the plain run just before it: the machine's slow drifts (plain node's own time
  // moves by 10-25% here between minutes) cancel within a pair, not between medians taken over minutes.
  const paired = (name: string) => median(times.get(name)!.map((time, run) => time / times.get("plain")![run]));
  const c = (name: string) => median(cpuTimes.get(name)!);
  const plain = t("plain");
  const overhead = (name: string) => t(name) - plain;
  const perEvent = workload === "empty" ? "" : (((overhead("memtrace") - fixed) / events) * 1e9).toFixed(0);
  rows.push([
    workload,
    seconds(plain),
    `${seconds(t("memtrace"))} ${(t("memtrace") / plain).toFixed(2)}x (${paired("memtrace").toFixed(2)}x)`,
    `${seconds(t("memtrace --compressor lz4"))} ${(t("memtrace --compressor lz4") / plain).toFixed(2)}x (${paired("memtrace --compressor lz4").toFixed(2)}x)`,
    `${seconds(t("memtrace --no-compress"))} ${(t("memtrace --no-compress") / plain).toFixed(2)}x`,
    `${seconds(t("memtrace --exact-times"))} ${(t("memtrace --exact-times") / plain).toFixed(2)}x`,
    ...["memtrace --paired", "memtrace --no-paired"].map(
      (name) => `${seconds(t(name))} ${(t(name) / plain).toFixed(2)}x (${paired(name).toFixed(2)}x)`,
    ),
    ...(BASELINE
      ? [`${seconds(t("baseline"))} ${(t("baseline") / plain).toFixed(2)}x (${paired("baseline").toFixed(2)}x)`]
      : []),
    `${seconds(t("heaptrack"))} ${(t("heaptrack") / plain).toFixed(2)}x`,
    `${((overhead("memtrace") / overhead("heaptrack")) * 100).toFixed(0)}%`,
    // GNU time counts CPU in hundredths of a second: too coarse for a ratio to the empty script's.
    c("plain") >= 0.1
      ? ["memtrace", "memtrace --compressor lz4", "heaptrack"]
          .map((v) => `${(c(v) / c("plain")).toFixed(2)}x`)
          .join(" / ")
      : ["memtrace", "memtrace --compressor lz4", "heaptrack"].map((v) => seconds(c(v))).join(" / "),
    `${(events / 1e6).toFixed(2)}M`,
    `${(events / plain / 1e6).toFixed(1)}M`,
    perEvent,
    (bytes.get("memtrace --no-compress")! / events).toFixed(2),
    (bytes.get("memtrace --compressor lz4")! / events).toFixed(2),
    (bytes.get("memtrace")! / events).toFixed(3),
    (bytes.get("memtrace --paired")! / events).toFixed(3),
    (bytes.get("heaptrack")! / events).toFixed(3),
  ]);
}

const header = [
  "workload",
  "plain",
  "memtrace",
  "memtrace --compressor lz4",
  "memtrace --no-compress",
  "memtrace --exact-times",
  "memtrace --paired",
  "memtrace --no-paired",
  ...(BASELINE ? ["baseline"] : []),
  "heaptrack",
  "mt/ht overhead",
  "cpu mt / lz4 / ht",
  "events",
  "events/s",
  "ns/event",
  "B/event",
  "B/event lz4",
  "B/event zstd",
  "paired zstd",
  "heaptrack B/event",
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join("  "));
console.log(
  "\nRatios are against plain node's median wall time; in parentheses, the median of each run's ratio to the plain\n" +
    "run just before it. mt/ht overhead is memtrace's extra wall time as a share of heaptrack's; cpu mt / lz4 / ht: CPU\n" +
    "time (user + system, every process) of memtrace, memtrace with LZ4 and heaptrack against plain (for the empty\n" +
    "script, seconds).\n" +
    "events/s: the workload's allocations and frees per second of plain node; ns/event: memtrace's extra wall\n" +
    "time less the empty script's (the fixed cost), per event. paired lz4: B/event of --paired's capture.\n" +
    "heaptrack B/event: heaptrack's (zstd-compressed) file divided by the events memtrace counted in the same workload",
);
rmSync(work, { recursive: true, force: true });
