// What recording without V8's Sparkplug and Maglev tiers costs the app (memtrace record's default, so that every JS
// frame carries the line executing in it; --all-tiers keeps them): an app warming up (workloads/warm-up.js, CPU
// time) and a node:http JSON API under keep-alive load (workloads/server.js: CPU time per request), on each node
// given.
//
//   npm run build && node dist/bench/record/tiers.js [runs] [node ...]
//
// Variants, alternating in one loop, medians of `runs` (default 5), on each node:
// - V8 with the flags memtrace sets (--interpreted-frames-native-stack, no inlining), with all its tiers, without
//   Sparkplug (Node 24 and later, where Maglev is on), and without Sparkplug and Maglev: V8's own cost, without
//   the recorder's;
// - memtrace record --all-tiers and memtrace record (the default): the whole cost (each node needs its agent
//   built: scripts/prebuilds.js).
// Ratios are against the first variant of the same node. NODE_EXTRA_CA_CERTS is unset.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { servedRun, timeRun } from "../lib/run";
import { median } from "../lib/util";

const ROOT = join(__dirname, "..", "..", "..");
const RUNS = Number(process.argv[2] ?? 5);
const NODES =
  process.argv.length > 3
    ? process.argv.slice(3).map((n) => (n === "node" ? process.execPath : resolve(n)))
    : [process.execPath];
const BIN = join(ROOT, "bin", "memtrace.js");
const WORKLOADS = join(ROOT, "bench", "record", "workloads");
const SERVER_SECONDS = 3;
const work = mkdtempSync(join(tmpdir(), "memtrace-bench-"));
const capture = join(work, "capture.mtrace");

const FLAGS = ["--interpreted-frames-native-stack", "--no-turbo-inlining", "--no-maglev-inlining"];
const NO_FAST_TIERS = ["--no-sparkplug", "--no-maglev"];

interface Variant {
  node: string;
  name: string;
  command: (script: string[]) => string[];
}

function variantsOf(node: string): Variant[] {
  const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
  const record = (options: string[]) => (s: string[]) => [
    process.execPath,
    BIN,
    "record",
    ...options,
    "-o",
    capture,
    "--",
    node,
    ...s,
  ];
  const list: Variant[] = [
    { node: version, name: "V8 flags, all tiers", command: (s) => [node, ...FLAGS, ...s] },
    { node: version, name: "V8 flags, no Sparkplug", command: (s) => [node, ...FLAGS, "--no-sparkplug", ...s] },
    {
      node: version,
      name: "V8 flags, no Sparkplug, no Maglev",
      command: (s) => [node, ...FLAGS, ...NO_FAST_TIERS, ...s],
    },
    { node: version, name: "memtrace --all-tiers", command: record(["--all-tiers"]) },
    { node: version, name: "memtrace", command: record([]) },
  ];
  // Maglev is off by default before Node 24.
  return Number(version.slice(1).split(".")[0]) >= 24 ? list : list.filter((v) => v.name !== "V8 flags, no Sparkplug");
}

const [load1] = loadavg();
console.log(
  `load average ${load1.toFixed(2)} on ${cpus().length} cores${load1 > 0.5 ? " (busy: rerun when quiet)" : ""}`,
);
console.log(`${RUNS} runs of each variant, alternating; medians; NODE_EXTRA_CA_CERTS unset\n`);

const variants = NODES.flatMap(variantsOf);
const key = (v: Variant) => `${v.node} ${v.name}`;
const warmCpu = new Map<string, number[]>(variants.map((v) => [key(v), []]));
const serverCpu = new Map<string, number[]>(variants.map((v) => [key(v), []]));
for (let run = 0; run < RUNS; run++) {
  for (const v of variants) {
    warmCpu.get(key(v))!.push(timeRun(v.command([join(WORKLOADS, "warm-up.js")]), work).cpu);
    serverCpu
      .get(key(v))!
      .push(servedRun(v.command([join(WORKLOADS, "server.js"), String(SERVER_SECONDS)]), work).cpuPerRequest * 1e6);
  }
}
rmSync(work, { recursive: true, force: true });

console.log(`${"node".padEnd(10)} ${"variant".padEnd(36)} ${"warm-up CPU".padEnd(18)} server CPU/request`);
for (const v of variants) {
  const base = variants.find((b) => b.node === v.node)!;
  const cell = (series: Map<string, number[]>, format: (x: number) => string) => {
    const x = median(series.get(key(v))!);
    return `${format(x)} ${(x / median(series.get(key(base))!)).toFixed(2)}x`;
  };
  console.log(
    `${v.node.padEnd(10)} ${v.name.padEnd(36)} ${cell(warmCpu, (x) => `${x.toFixed(2)}s`).padEnd(18)} ` +
      cell(serverCpu, (x) => `${x.toFixed(0)}us`),
  );
}
