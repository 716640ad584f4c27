// What the recorder costs per hooked call, measured without node's noise (GC threads, JIT): a C loop of malloc
// and free under a chain of frames (bench/record/native/hook-loop.c), plain and under `memtrace record`, at
// several stack depths and --stack-depth limits, with --exact-times, and recorded from inside the process with the
// hooks written into the GOTs at run time (as track() and memtrace attach do) instead of preloaded. The loop times itself, so the
// launcher's start and end are not in the figures.
//
//   npm run build && node dist/bench/record/hook-cost.js [runs]
//
// Variants alternate within each run; the table shows medians of `runs` (default 7) in ns per malloc+free pair.
// With MEMTRACE_BASELINE set to another built checkout's bin/memtrace.js, its recording of the 28 frames runs in
// the same loop (the cost of a change beside the cost before it).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { preloadLibraryPath } from "../../src/record/native";
import { benchEnv } from "../lib/run";
import { median } from "../lib/util";

const ROOT = join(__dirname, "..", "..", "..");
const BIN = join(ROOT, "bin", "memtrace.js");
const BASELINE = process.env.MEMTRACE_BASELINE;
const RUNS = Number(process.argv[2] ?? 7);
const PAIRS = "3000000";
const work = mkdtempSync(join(tmpdir(), "memtrace-hook-"));
const loop = join(work, "hook-loop");
const built = spawnSync(
  "cc",
  [
    "-O2",
    "-fno-omit-frame-pointer",
    "-fno-optimize-sibling-calls",
    "-I",
    join(ROOT, "native", "include"),
    "-o",
    loop,
    join(ROOT, "bench", "record", "native", "hook-loop.c"),
    "-ldl",
  ],
  { encoding: "utf8" },
);
if (built.status !== 0) throw new Error(`cannot build hook-loop: ${built.stderr}`);

interface Case {
  name: string;
  /** Frames between main and the loop. */
  depth: number;
  /** memtrace's --stack-depth, or undefined for plain. */
  stackDepth?: number;
  /** --exact-times: the clock read at every event rather than the shared time (native/preload/shared_clock.h). */
  exactTimes?: boolean;
  /** The memtrace to record with, if not this checkout's. */
  bin?: string;
  /** Recorded from inside: the interposer dlopen'd, its hooks in the GOTs (native/preload/runtime.h). */
  runtime?: boolean;
}
const cases: Case[] = [
  { name: "plain, 28 frames", depth: 24 },
  { name: "recorded, 28 frames", depth: 24, stackDepth: 128 },
  { name: "recorded from inside, 28 frames", depth: 24, runtime: true },
  { name: "recorded, 28 frames, exact times", depth: 24, stackDepth: 128, exactTimes: true },
  { name: "recorded, 4 frames", depth: 0, stackDepth: 128 },
  { name: "recorded, 28 frames cut at 16", depth: 24, stackDepth: 16 },
  ...(BASELINE ? [{ name: "baseline, 28 frames", depth: 24, stackDepth: 128, bin: BASELINE }] : []),
];

function run(c: Case): number {
  const command = [loop, String(c.depth), PAIRS];
  // The capture goes to -o, so the program's stdout (its figure) stays its own.
  const recorded = [c.bin ?? BIN, "record", "--no-compress", "--stack-depth", String(c.stackDepth), "-o", "/dev/null"];
  if (c.exactTimes) recorded.push("--exact-times");
  recorded.push("--");
  const [file, ...args] = c.stackDepth === undefined ? command : [process.execPath, ...recorded, ...command];
  const env = c.runtime ? { ...benchEnv(), MEMTRACE_RUNTIME_LIB: preloadLibraryPath() } : benchEnv();
  const r = spawnSync(file, args, { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${file} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return Number(r.stdout.trim().split("\n").pop());
}

const results = new Map<string, number[]>(cases.map((c) => [c.name, []]));
for (let i = 0; i < RUNS; i++) for (const c of cases) results.get(c.name)!.push(run(c));
console.log(`${RUNS} runs, alternating; ns per malloc+free pair (medians)\n`);
for (const c of cases) {
  const ns = median(results.get(c.name)!);
  console.log(`${c.name.padEnd(34)} ${ns.toFixed(1).padStart(6)} ns`);
}
rmSync(work, { recursive: true, force: true });
