// What the live view costs: the app's own time (timed inside it) under plain node, `memtrace record -o FILE` and
// `memtrace record --live-port 0 -o FILE` with a viewer connected; the snapshots the viewer receives per second
// (and how many of them computed the table again) and the longest wait between two; and the launcher's CPU time
// and peak RSS (the fold worker is a thread of it) beside plain recording's. "record" and "live" are the commands
// as a user types them (record pairs at record time by default, --live does not: docs/live.md); "--paired" and
// "--no-paired" ask for the other form; "fold at nice +N" runs the fold worker N nicer than the app
// (MEMTRACE_LIVE_NICE; the default is 10); "live before" is MEMTRACE_BASELINE's memtrace, when set. "vs record"
// is the app's time against `record -o`'s: the issue asks the live view to cost no more.
//
//   npm run build && [MEMTRACE_BASELINE=<checkout>/bin/memtrace.js] node dist/bench/live/cost.js [runs] [rounds] [hogs]
//
// Variants alternate within each run; the table shows medians of `runs` (default 5). `rounds` is the buffers
// workload's size (default 20: a million Buffer allocations). `hogs` (default 0; a list such as 0,2 gives a table
// for each) busy loops run beside every variant, plain node's too, at the app's priority: with one per core the
// cores are saturated, the case where the fold worker (nice +10) gets least. NODE_EXTRA_CA_CERTS is unset
// (bench/lib/run.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { RemoteSource } from "../../src/live/remote";
import { benchEnv } from "../lib/run";
import { median } from "../lib/util";

const ROOT = join(__dirname, "..", "..", "..");
const BIN = join(ROOT, "bin", "memtrace.js");
const WORKLOADS = join(ROOT, "bench", "record", "workloads");
const RUNS = Number(process.argv[2] ?? 5);
const ROUNDS = process.argv[3] ?? "20";
const HOGS = (process.argv[4] ?? "0").split(",").map(Number);
const BASELINE = process.env.MEMTRACE_BASELINE;
/** MEMTRACE_LIVE_VARIANTS="live,live before" runs only those (with plain and record, the ratios' bases). */
const ONLY = process.env.MEMTRACE_LIVE_VARIANTS?.split(",");
const ALL = [
  "plain",
  "record",
  "record --no-paired",
  "live",
  "live --paired",
  "live, fold at nice +0",
  "live, fold at nice +19",
  ...(BASELINE ? ["live before"] : []),
] as const;
type Variant = (typeof ALL)[number];
const VARIANTS = ALL.filter((v) => !ONLY || v === "plain" || v === "record" || ONLY.includes(v));
/** The busy loops, ended with the bench however it ends. */
const hogs: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), "memtrace-bench-live-"));

interface Sample {
  app: number;
  launcherCpu?: number;
  launcherRss?: number;
  snapshotsPerSecond?: number;
  /** Snapshots with a table computed again (the others refresh the header's figures only). */
  tablesPerSecond?: number;
  snapshotBytes?: number;
  /** The longest time between two snapshots (s). */
  longestGap?: number;
}

/** utime + stime (s) and VmRSS (bytes) of a process, or undefined once it is gone. */
function usage(pid: number): { cpu: number; rss: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpu = (Number(fields[11]) + Number(fields[12])) / 100;
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
    return { cpu, rss };
  } catch {
    return undefined;
  }
}

function runVariant(variant: Variant): Promise<Sample> {
  const app = [join(WORKLOADS, "timed.js"), "plain", join(WORKLOADS, "buffers.js"), ROUNDS];
  const capture = join(dir, `${variant.replace(/\W+/g, "-")}.mtrace`);
  const bin = variant === "live before" ? BASELINE! : BIN;
  const live = variant.startsWith("live");
  const flags = variant.split(" ").filter((w) => w.startsWith("--"));
  const argv =
    variant === "plain"
      ? [process.execPath, ...app]
      : live
        ? [process.execPath, bin, "record", ...flags, "--live-port", "0", "-o", capture, "--", process.execPath, ...app]
        : [process.execPath, bin, "record", ...flags, "-o", capture, "--", process.execPath, ...app];
  const env = benchEnv();
  delete env.MEMTRACE_PAIRED;
  const nice = /nice \+(\d+)/.exec(variant)?.[1];
  if (nice !== undefined) env.MEMTRACE_LIVE_NICE = nice;
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 300_000,
    });
    let stdout = "";
    let stderr = "";
    let cpu = 0;
    let rss = 0;
    const poll = setInterval(() => {
      const u = usage(child.pid!);
      if (u) [cpu, rss] = [u.cpu, Math.max(rss, u.rss)];
    }, 50);
    let viewer: RemoteSource | undefined;
    let snapshots = 0;
    let tables = 0;
    let bytes = 0;
    let first = 0;
    let last = 0;
    let longestGap = 0;
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
      const port = /memtrace live (\d+)/.exec(stderr)?.[1];
      if (port && !viewer) {
        viewer = new RemoteSource("127.0.0.1", Number(port), () => {});
        viewer.onSnapshot((s) => {
          const now = Date.now();
          if (snapshots++ === 0) first = now;
          if (s.tableAgeMs === undefined) tables++;
          else longestGap = Math.max(longestGap, now - last);
          last = now;
          bytes += JSON.stringify(s).length;
        });
        viewer.request({ merged: false, measure: "live", rows: 40 });
        viewer.connect();
      }
    });
    child.on("close", (status) => {
      clearInterval(poll);
      viewer?.close();
      if (status !== 0) return reject(new Error(`${variant} failed (${status}): ${stderr}`));
      const sample: Sample = { app: Number(stdout.trim().split("\n").at(-1)) };
      if (variant !== "plain") [sample.launcherCpu, sample.launcherRss] = [cpu, rss];
      if (viewer && snapshots > 1) {
        sample.snapshotsPerSecond = (snapshots - 1) / ((last - first) / 1000);
        sample.tablesPerSecond = (tables - 1) / ((last - first) / 1000);
        sample.snapshotBytes = bytes / snapshots;
        sample.longestGap = longestGap / 1000;
      }
      resolve(sample);
    });
  });
}

async function table(busy: number): Promise<void> {
  console.log(
    `\nload average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}; ${RUNS} runs, buffers.js ${ROUNDS}, ${busy} busy loops beside`,
  );
  for (let i = 0; i < busy; i++) {
    hogs.push(spawn(process.execPath, ["-e", "for (;;);"], { env: benchEnv(), stdio: "ignore", timeout: 3_600_000 }));
  }
  const samples = Object.fromEntries(VARIANTS.map((v) => [v, [] as Sample[]])) as Record<Variant, Sample[]>;
  for (let r = 0; r < RUNS; r++) {
    for (const v of VARIANTS) samples[v].push(await runVariant(v));
  }
  const m = (v: Variant, k: keyof Sample) => median((samples[v] ?? []).map((s) => s[k] ?? NaN));
  const plain = m("plain", "app");
  const record = m("record", "app");
  const cell = (x: number, digits: number) => (isNaN(x) ? "" : x.toFixed(digits));
  console.log(
    "| variant | app time (s) | vs plain | vs record | launcher CPU (s) | launcher peak RSS (MiB) | snapshots/s | tables/s | longest gap (s) |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const v of VARIANTS) {
    console.log(
      `| ${v} | ${m(v, "app").toFixed(3)} | ${(m(v, "app") / plain).toFixed(2)}x | ${(m(v, "app") / record).toFixed(2)}x | ` +
        `${cell(m(v, "launcherCpu"), 2)} | ${cell(m(v, "launcherRss") / 2 ** 20, 0)} | ` +
        `${cell(m(v, "snapshotsPerSecond"), 1)} | ${cell(m(v, "tablesPerSecond"), 1)} | ${cell(m(v, "longestGap"), 2)} |`,
    );
  }
  for (const h of hogs.splice(0)) h.kill();
  console.log(`snapshots: ${(m("live", "snapshotBytes") / 1024).toFixed(1)} KiB each (median of runs)`);
}

async function main(): Promise<void> {
  for (const busy of HOGS) await table(busy);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  for (const h of hogs) h.kill();
  console.error(e);
  process.exit(1);
});
