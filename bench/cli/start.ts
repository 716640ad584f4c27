// The CLI's start-up cost: `memtrace --version`, `memtrace record -o /dev/null empty.js` and `memtrace summary` of a
// small capture, timed whole (wall time), and how long `memtrace record` takes to start the app (the app's time
// origin less the time memtrace was started); in alternating runs beside another built checkout's memtrace and
// beside plain `node empty.js`; medians.
//
//   npm run build && MEMTRACE_BASELINE=<checkout>/bin/memtrace.js node dist/bench/cli/start.js [RUNS]
//
// NODE_EXTRA_CA_CERTS is unset (benchEnv). Without MEMTRACE_BASELINE, this checkout alone.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { benchEnv } from "../lib/run";
import { median } from "../lib/util";

const RUNS = Number(process.argv[2] ?? 15);
const ROOT = resolve(__dirname, "..", "..", "..");
const CURRENT = join(ROOT, "bin", "memtrace.js");
const BASELINE = process.env.MEMTRACE_BASELINE;
const EMPTY = join(ROOT, "bench", "record", "workloads", "empty.js");
const work = mkdtempSync(join(tmpdir(), "memtrace-bench-cli-"));
const small = join(work, "small.mtrace");
const started = join(work, "started.js");
writeFileSync(started, "process.stdout.write(String(performance.timeOrigin));\n");

/** Wall time of one run, in ms; it must succeed. */
function time(argv: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { env: benchEnv(), cwd: work, stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.status}): ${r.stderr}`);
  return ms;
}

/** Milliseconds from starting `memtrace record` to the app's start (its process's time origin). */
function appStart(bin: string): number {
  const start = performance.timeOrigin + performance.now();
  const r = spawnSync(process.execPath, [bin, "record", "-o", "/dev/null", started], { env: benchEnv(), cwd: work });
  if (r.status !== 0) throw new Error(`record ${started} failed (${r.status}): ${r.stderr}`);
  return Number(r.stdout.toString()) - start;
}

const COMMANDS: [string, string[]][] = [
  ["memtrace --version", ["--version"]],
  ["memtrace record -o /dev/null empty.js", ["record", "-o", "/dev/null", EMPTY]],
  ["memtrace summary small.mtrace", ["summary", small]],
];

function main(): void {
  time([process.execPath, CURRENT, "record", "-o", small, EMPTY]);
  const variants = [
    { name: "this checkout", bin: CURRENT },
    ...(BASELINE ? [{ name: "baseline", bin: BASELINE }] : []),
  ];
  const times = new Map<string, number[]>();
  const add = (key: string, ms: number) => times.set(key, [...(times.get(key) ?? []), ms]);
  for (let i = 0; i < RUNS; i++) {
    // Alternate which goes first, so that neither always runs on a warmer cache.
    const order = i % 2 ? [...variants].reverse() : variants;
    add("plain", time([process.execPath, EMPTY]));
    for (const [what, args] of COMMANDS) {
      for (const v of order) add(`${v.name}\0${what}`, time([process.execPath, v.bin, ...args]));
    }
    for (const v of order) add(`${v.name}\0start`, appStart(v.bin));
  }
  const ms = (key: string) => median(times.get(key)!).toFixed(0);
  console.log(
    `${RUNS} alternating runs, medians of wall time (ms); load average ${loadavg()[0].toFixed(1)}; ${process.version}`,
  );
  console.log(`plain \`node empty.js\`: ${ms("plain")} ms\n`);
  console.log(`| command | ${variants.map((v) => v.name).join(" | ")} |`);
  console.log(`|---|${variants.map(() => "---").join("|")}|`);
  for (const [what] of COMMANDS)
    console.log(`| \`${what}\` | ${variants.map((v) => ms(`${v.name}\0${what}`)).join(" | ")} |`);
  const starts = variants.map((v) => ms(`${v.name}\0start`)).join(" | ");
  console.log(`| \`memtrace record\`: from its start to the app's | ${starts} |`);
  rmSync(work, { recursive: true, force: true });
}

main();
