// Where a recording's cost goes, step by step: plain node, then the recorded process with parts of each event's
// work left out, one step at a time, up to everything. It runs the preload library built with switches for
// this (libmemtrace_preload_bench.so, MEMTRACE_BENCH_SKIP in native/preload/recorder.h) straight under node,
// without the launcher and the agent, its capture drained by a socket reader that drops it.
//
//   npm run build && node dist/bench/record/cost-ladder.js [runs] [workload]
//
// workload is one of bench/record/workloads (default buffers). Every run of every step is taken in one loop,
// alternating; the table shows medians of `runs` (default 11) and what each step adds to the one before.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NATIVE_BUILD_DIR } from "../../src/record/native";
import { benchEnv } from "../lib/run";
import { median } from "../lib/util";

const ROOT = join(__dirname, "..", "..", "..");
const RUNS = Number(process.argv[2] ?? 11);
const WORKLOAD = process.argv[3] ?? "buffers";
const script = join(ROOT, "bench", "record", "workloads", `${WORKLOAD}.js`);
const work = mkdtempSync(join(tmpdir(), "memtrace-ladder-"));
const socketPath = join(work, "drain.sock");

interface Step {
  name: string;
  /** undefined: plain node. */
  skip?: string;
  stackDepth?: number;
  /** MEMTRACE_EVENTS_PER_CLOCK_READ, 1 for --exact-times; unset: the recorder's default (shared_clock.h). */
  eventsPerClockRead?: number;
}
const steps: Step[] = [
  { name: "plain node" },
  { name: "hooks that find their thread", skip: "events" },
  { name: "allocations: one frame, no clock, unsent", skip: "frees,clock,ship", stackDepth: 1 },
  { name: "+ sent to the reader", skip: "frees,clock", stackDepth: 1 },
  { name: "+ the shared clock", skip: "frees", stackDepth: 1 },
  { name: "+ whole stacks", skip: "frees", stackDepth: 128 },
  { name: "+ frees: everything", skip: "", stackDepth: 128 },
  { name: "everything, clock read at every event", skip: "", stackDepth: 128, eventsPerClockRead: 1 },
];

function envOf(step: Step): NodeJS.ProcessEnv {
  const env = benchEnv();
  if (step.skip === undefined) return env;
  return {
    ...env,
    LD_PRELOAD: join(NATIVE_BUILD_DIR, "libmemtrace_preload_bench.so"),
    MEMTRACE_SOCKET: socketPath,
    MEMTRACE_STACK_DEPTH: String(step.stackDepth),
    MEMTRACE_BENCH_SKIP: step.skip,
    ...(step.eventsPerClockRead === undefined
      ? {}
      : { MEMTRACE_EVENTS_PER_CLOCK_READ: String(step.eventsPerClockRead) }),
  };
}

function timeStep(step: Step): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [script], { env: envOf(step), stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`${step.name}: node ${script} exited with ${code}`));
      else resolve(Number(process.hrtime.bigint() - start) / 1e9);
    });
  });
}

async function main(): Promise<void> {
  // The reader: every recorded process connects here and is read to the end, its bytes dropped.
  const drain = createServer((socket) => socket.resume());
  await new Promise<void>((resolve) => drain.listen(socketPath, resolve));
  const times = new Map<string, number[]>(steps.map((s) => [s.name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const step of steps) times.get(step.name)!.push(await timeStep(step));
  }
  drain.close();

  console.log(`${WORKLOAD}: ${RUNS} runs of each step, alternating; medians; NODE_EXTRA_CA_CERTS unset\n`);
  const plain = median(times.get(steps[0].name)!);
  let previous = plain;
  for (const step of steps) {
    const t = median(times.get(step.name)!);
    const added = step === steps[0] ? "" : `${((t - previous) * 1000).toFixed(0).padStart(5)} ms`;
    console.log(`${step.name.padEnd(41)} ${t.toFixed(3)}s  ${(t / plain).toFixed(2)}x  ${added}`);
    previous = t;
  }
  console.log(
    "\nEach step's last column is what it adds to the step above it (a median's difference: with the spread of a\n" +
      "2-core VM, a step of less than ~30 ms is noise).",
  );
  rmSync(work, { recursive: true, force: true });
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
