// Timing a whole command for the recorder's benchmarks: wall time, and the CPU time of every process it started.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The environment of every benchmarked run: without NODE_EXTRA_CA_CERTS, whose start-up work would dominate. */
export function benchEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * Wall time, CPU time (user + system) of every process of the run, and the largest peak RSS (bytes) of any one of
 * them, through GNU time; and what the run wrote to stderr.
 */
export function timeRun(
  argv: string[],
  cwd: string,
  env = benchEnv(),
): { wall: number; cpu: number; rss: number; stderr: string } {
  const timeFile = join(tmpdir(), `memtrace-bench-time-${process.pid}`);
  const start = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S %M", "-o", timeFile, ...argv], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
    cwd,
    encoding: "utf8",
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.status}): ${r.stderr}`);
  // GNU time's file may start with a line of its own ("Command exited with non-zero status"): the figures are last.
  const [user, system, kib] = readFileSync(timeFile, "utf8").trim().split("\n").at(-1)!.split(/\s+/).map(Number);
  rmSync(timeFile, { force: true });
  return { wall, cpu: user + system, rss: kib * 1024, stderr: r.stderr };
}

/**
 * A server workload's run (workloads/server.js prints the requests it answered last): those requests, and the CPU
 * time of the server and its load generator per request, which other work on the machine disturbs less than the
 * rate does.
 */
export function servedRun(argv: string[], cwd: string): { requests: number; cpuPerRequest: number } {
  const timeFile = join(tmpdir(), `memtrace-bench-served-${process.pid}`);
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S", "-o", timeFile, ...argv], {
    env: benchEnv(),
    cwd,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.status}): ${r.stderr}`);
  const requests = Number(r.stdout.trim().split("\n").pop());
  const [user, system] = readFileSync(timeFile, "utf8").trim().split("\n").at(-1)!.split(/\s+/).map(Number);
  rmSync(timeFile, { force: true });
  return { requests, cpuPerRequest: (user + system) / requests };
}
