// What keeping V8 from inlining costs the app (memtrace record's default; --inlining lets V8 inline): a
// compute-heavy loop through small helpers (wall and CPU time) and a node:http JSON API under keep-alive load
// (requests answered in a fixed time, and CPU time per request), with V8's inlining and without.
//
//   npm run build && node dist/bench/record/inlining.js [runs] [node]
//
// Variants, alternating in one loop, medians of `runs` (default 5):
// - node: the app as it runs without memtrace;
// - node, memtrace's V8 flags: with --interpreted-frames-native-stack (which memtrace sets either way), with and
//   without --no-turbo-inlining --no-maglev-inlining, and without Maglev too: V8's own cost, without the
//   recorder's;
// - memtrace record --inlining and memtrace record (the default): the whole cost, with the machine's node only
//   (the agent is built for it).
// `node` is another node binary to measure V8's cost on (a newer line). NODE_EXTRA_CA_CERTS is unset.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { servedRun, timeRun } from "../lib/run";
import { median } from "../lib/util";

const ROOT = join(__dirname, "..", "..", "..");
const RUNS = Number(process.argv[2] ?? 5);
const NODE = process.argv[3] ?? process.execPath;
const BIN = join(ROOT, "bin", "memtrace.js");
const WORKLOADS = join(ROOT, "bench", "record", "workloads");
const SERVER_SECONDS = 3;
const work = mkdtempSync(join(tmpdir(), "memtrace-bench-"));
const capture = join(work, "capture.mtrace");

const NO_INLINING = ["--no-turbo-inlining", "--no-maglev-inlining"];
const variants: { name: string; command: (script: string[]) => string[] }[] = [
  { name: "node", command: (s) => [NODE, ...s] },
  { name: "node, frames flag", command: (s) => [NODE, "--interpreted-frames-native-stack", ...s] },
  {
    name: "node, frames flag, no inlining",
    command: (s) => [NODE, "--interpreted-frames-native-stack", ...NO_INLINING, ...s],
  },
  // Maglev code comes without the positions of its instructions (docs/js-frames.md): what doing without it costs.
  {
    name: "node, frames flag, no inlining, no Maglev",
    command: (s) => [NODE, "--interpreted-frames-native-stack", ...NO_INLINING, "--no-maglev", ...s],
  },
];
if (NODE === process.execPath) {
  variants.push(
    {
      name: "memtrace --inlining",
      command: (s) => [process.execPath, BIN, "record", "--inlining", "-o", capture, ...s],
    },
    { name: "memtrace", command: (s) => [process.execPath, BIN, "record", "-o", capture, ...s] },
  );
}

function served(argv: string[]): { requests: number; cpuPerRequest: number } {
  return servedRun(argv, work);
}

const [load1] = loadavg();
console.log(
  `load average ${load1.toFixed(2)} on ${cpus().length} cores${load1 > 0.5 ? " (busy: rerun when quiet)" : ""}`,
);
const version = spawnSync(NODE, ["--version"], { encoding: "utf8" }).stdout.trim();
console.log(`node ${version}; ${RUNS} runs of each variant, alternating; medians; NODE_EXTRA_CA_CERTS unset\n`);

const names = variants.map((v) => v.name);
const series = () => new Map<string, number[]>(names.map((n) => [n, []]));
const computeWall = series();
const computeCpu = series();
const rate = series();
const cpuPerRequest = series();
for (let run = 0; run < RUNS; run++) {
  for (const v of variants) {
    const c = timeRun(v.command([join(WORKLOADS, "compute.js")]), work);
    computeWall.get(v.name)!.push(c.wall);
    computeCpu.get(v.name)!.push(c.cpu);
    const s = served(v.command([join(WORKLOADS, "server.js"), String(SERVER_SECONDS)]));
    rate.get(v.name)!.push(s.requests / SERVER_SECONDS);
    cpuPerRequest.get(v.name)!.push(s.cpuPerRequest * 1e6);
  }
}
rmSync(work, { recursive: true, force: true });

const m = (series: Map<string, number[]>, name: string) => median(series.get(name)!);
const columns: [string, Map<string, number[]>, (x: number) => string][] = [
  ["compute wall", computeWall, (x) => `${x.toFixed(2)}s`],
  ["compute CPU", computeCpu, (x) => `${x.toFixed(2)}s`],
  ["server requests/s", rate, (x) => x.toFixed(0)],
  ["server CPU/request", cpuPerRequest, (x) => `${x.toFixed(0)}us`],
];
console.log([`${"variant".padEnd(42)}`, ...columns.map(([title]) => title.padEnd(20))].join(" "));
for (const name of names) {
  const cells = columns.map(([, series, format]) => {
    const x = m(series, name);
    return `${format(x)} ${(x / m(series, "node")).toFixed(2)}x`.padEnd(20);
  });
  console.log([name.padEnd(42), ...cells].join(" "));
}
