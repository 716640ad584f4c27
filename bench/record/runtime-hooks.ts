// Whether the hooks installed at run time (track(), memtrace attach: the interposer dlopen'd, its wrappers written
// into the GOTs) cost the app more than the preloaded ones (`memtrace record`): node workloads timed inside the
// process, plain, preloaded and tracked, alternating. The per-call cost without node is hook-cost.ts's "recorded from
// inside" line.
//
//   npm run build && node dist/bench/record/runtime-hooks.js [runs]
//
// Medians of `runs` (default 7) in seconds, and each recorded way's ratio to plain.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { benchEnv } from "../lib/run";
import { median } from "../lib/util";

const ROOT = join(__dirname, "..", "..", "..");
const BIN = join(ROOT, "bin", "memtrace.js");
const TIMED = join(ROOT, "bench", "record", "workloads", "timed.js");
const RUNS = Number(process.argv[2] ?? 7);
const WORKLOADS: [string, string[]][] = [
  ["buffers.js", ["20"]],
  ["maps.js", []],
  ["zlib.js", []],
];
const WAYS = ["plain", "preloaded", "tracked"] as const;

function run(way: (typeof WAYS)[number], workload: string, args: string[]): number {
  const script = join(ROOT, "bench", "record", "workloads", workload);
  const timed = [TIMED, way === "tracked" ? "track" : "plain", script, ...args];
  const argv =
    way === "preloaded" ? [BIN, "record", "--no-compress", "-o", "/dev/null", "--", process.execPath, ...timed] : timed;
  const r = spawnSync(process.execPath, argv, { env: benchEnv(), encoding: "utf8", cwd: ROOT });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.status}): ${r.stderr}`);
  return Number(r.stdout.trim().split("\n").pop());
}

console.log(`${RUNS} runs, alternating; seconds inside the process (medians), and the ratio to plain\n`);
for (const [workload, args] of WORKLOADS) {
  const times = new Map<string, number[]>(WAYS.map((w) => [w, []]));
  for (let i = 0; i < RUNS; i++) for (const w of WAYS) times.get(w)!.push(run(w, workload, args));
  const plain = median(times.get("plain")!);
  const cells = WAYS.map((w) => {
    const m = median(times.get(w)!);
    return w === "plain" ? `plain ${m.toFixed(3)} s` : `${w} ${m.toFixed(3)} s (${(m / plain).toFixed(2)}x)`;
  });
  console.log(`${workload.padEnd(12)} ${cells.join("   ")}`);
}
