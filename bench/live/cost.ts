// What the live view costs: the app's own time (timed inside it) under plain node, `memtrace record -o FILE` and
// `memtrace record --live-port 0 -o FILE` with a viewer connected; the snapshots the viewer receives per second;
// and the launcher's CPU time and peak RSS (the fold worker is a thread of it) beside plain recording's.
//
//   npm run build && node dist/bench/live/cost.js [runs] [rounds]
//
// Variants alternate within each run; the table shows medians of `runs` (default 5). `rounds` is the buffers
// workload's size (default 20: a million Buffer allocations). NODE_EXTRA_CA_CERTS is unset (bench/lib/run.ts).
import { spawn } from "node:child_process";
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
const dir = mkdtempSync(join(tmpdir(), "memtrace-bench-live-"));

interface Sample {
  app: number;
  launcherCpu?: number;
  launcherRss?: number;
  snapshotsPerSecond?: number;
  snapshotBytes?: number;
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

function runVariant(variant: "plain" | "record" | "live"): Promise<Sample> {
  const app = [join(WORKLOADS, "timed.js"), "plain", join(WORKLOADS, "buffers.js"), ROUNDS];
  const capture = join(dir, `${variant}.mtrace`);
  const argv =
    variant === "plain"
      ? [process.execPath, ...app]
      : variant === "record"
        ? [process.execPath, BIN, "record", "-o", capture, "--", process.execPath, ...app]
        : [process.execPath, BIN, "record", "--live-port", "0", "-o", capture, "--", process.execPath, ...app];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      env: benchEnv(),
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
    let bytes = 0;
    let first = 0;
    let last = 0;
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
      const port = /memtrace live (\d+)/.exec(stderr)?.[1];
      if (port && !viewer) {
        viewer = new RemoteSource("127.0.0.1", Number(port), () => {});
        viewer.onSnapshot((s) => {
          const now = Date.now();
          if (snapshots++ === 0) first = now;
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
        sample.snapshotBytes = bytes / snapshots;
      }
      resolve(sample);
    });
  });
}

async function main(): Promise<void> {
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}; ${RUNS} runs, buffers.js ${ROUNDS}`,
  );
  const samples: Record<string, Sample[]> = { plain: [], record: [], live: [] };
  for (let r = 0; r < RUNS; r++) {
    for (const v of ["plain", "record", "live"] as const) samples[v].push(await runVariant(v));
  }
  const m = (v: string, k: keyof Sample) => median(samples[v].map((s) => s[k] ?? NaN));
  const plain = m("plain", "app");
  console.log("| variant | app time (s) | vs plain | launcher CPU (s) | launcher peak RSS (MiB) |");
  console.log("|---|---|---|---|---|");
  for (const v of ["plain", "record", "live"]) {
    const cpu = m(v, "launcherCpu");
    const rss = m(v, "launcherRss") / 2 ** 20;
    console.log(
      `| ${v} | ${m(v, "app").toFixed(3)} | ${(m(v, "app") / plain).toFixed(2)}x | ${isNaN(cpu) ? "" : cpu.toFixed(2)} | ${isNaN(rss) ? "" : rss.toFixed(0)} |`,
    );
  }
  console.log(
    `viewer: ${m("live", "snapshotsPerSecond").toFixed(1)} snapshots/s, ${(m("live", "snapshotBytes") / 1024).toFixed(1)} KiB each (median of runs)`,
  );
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
