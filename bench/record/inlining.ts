// What keeping V8 from inlining costs the app (memtrace record's default; --inlining lets V8 inline): a
// compute-heavy loop through small helpers (wall time) and a node:http JSON API under keep-alive load (requests
// answered in a fixed time), with V8's inlining and without.
//
//   npm run build && node dist/bench/record/inlining.js [runs] [node]
//
// Variants, alternating in one loop, medians of `runs` (default 5):
// - node: the app as it runs without memtrace;
// - node, memtrace's V8 flags: with --interpreted-frames-native-stack (which memtrace sets either way), with and
//   without --no-turbo-inlining --no-maglev-inlining: V8's own cost, without the recorder's;
// - memtrace record --inlining and memtrace record (the default): the whole cost, with the machine's node only
//   (the agent is built for it).
// `node` is another node binary to measure V8's cost on (a newer line). NODE_EXTRA_CA_CERTS is unset.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { benchEnv, timeRun } from "../lib/run";
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

/** Requests the server answered in SERVER_SECONDS (it prints them). */
function served(argv: string[]): number {
  const r = spawnSync(argv[0], argv.slice(1), { env: benchEnv(), cwd: work, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.status}): ${r.stderr}`);
  return Number(r.stdout.trim().split("\n").pop());
}

const [load1] = loadavg();
console.log(
  `load average ${load1.toFixed(2)} on ${cpus().length} cores${load1 > 0.5 ? " (busy: rerun when quiet)" : ""}`,
);
const version = spawnSync(NODE, ["--version"], { encoding: "utf8" }).stdout.trim();
console.log(`node ${version}; ${RUNS} runs of each variant, alternating; medians; NODE_EXTRA_CA_CERTS unset\n`);

const compute = new Map<string, number[]>(variants.map((v) => [v.name, []]));
const server = new Map<string, number[]>(variants.map((v) => [v.name, []]));
for (let run = 0; run < RUNS; run++) {
  for (const v of variants) {
    compute.get(v.name)!.push(timeRun(v.command([join(WORKLOADS, "compute.js")]), work).wall);
    server.get(v.name)!.push(served(v.command([join(WORKLOADS, "server.js"), String(SERVER_SECONDS)])));
  }
}
rmSync(work, { recursive: true, force: true });

const baseCompute = median(compute.get("node")!);
const baseServer = median(server.get("node")!);
console.log("variant                          compute loop         server (requests/s)");
for (const v of variants) {
  const c = median(compute.get(v.name)!);
  const s = median(server.get(v.name)!) / SERVER_SECONDS;
  console.log(
    `${v.name.padEnd(32)} ${`${c.toFixed(2)}s ${(c / baseCompute).toFixed(2)}x`.padEnd(20)} ` +
      `${s.toFixed(0)} ${((s * SERVER_SECONDS) / baseServer).toFixed(2)}x`,
  );
}
