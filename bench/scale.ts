// Scale: a synthetic capture of many events (500 M by default) through `memtrace fold | memtrace summary`, streamed
// (never written to disk), with each stage's wall time and peak RSS. fold's memory is bounded by the live blocks,
// the rows (unique stacks) and the events between two watermarks, not by the events: the figures at a tenth of the
// events show it.
//
//   npm run build && node dist/bench/scale.js [events, default 500000000]
//
// The capture is bench/lib/synthetic.ts's: one process, four threads writing per-thread batches that reach the
// stream out of time order between watermarks, ~60% allocations and ~40% frees over a bounded live set, 4000 stacks.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "../src/codec/encoder";
import { benchEnv } from "./lib/run";
import { syntheticCapture } from "./lib/synthetic";

const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "bin", "memtrace.js");

/** In a child: writes the synthetic capture of `events` events to stdout. */
async function generate(events: number): Promise<void> {
  for await (const chunk of encode(syntheticCapture(events))) {
    if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once("drain", resolve));
  }
}

interface Stage {
  wall: number;
  rss: number;
}

/** Runs generate | fold | summary in a shell, each stage timed by GNU time; returns the stages and the summary. */
function run(events: number, work: string): { stages: Record<string, Stage>; summary: string } {
  const t = (name: string) => `/usr/bin/time -f "%e %M" -o ${join(work, `${name}.time`)}`;
  const node = process.execPath;
  const script =
    `${t("generate")} ${node} ${__filename} --generate ${events} | ${t("fold")} ${node} ${BIN} fold | ` +
    `${t("summary")} ${node} ${BIN} summary > ${join(work, "summary.txt")}`;
  const r = spawnSync("bash", ["-c", `set -o pipefail; ${script}`], { env: benchEnv(), stdio: "inherit" });
  if (r.status !== 0) throw new Error(`the pipeline failed (${r.status})`);
  const stages: Record<string, Stage> = {};
  for (const name of ["generate", "fold", "summary"]) {
    const [wall, kib] = readFileSync(join(work, `${name}.time`), "utf8")
      .trim()
      .split("\n")
      .at(-1)!
      .split(" ")
      .map(Number);
    stages[name] = { wall, rss: kib * 1024 };
  }
  return { stages, summary: readFileSync(join(work, "summary.txt"), "utf8") };
}

function main(): void {
  const events = Number(process.argv[2] ?? 500_000_000);
  const work = mkdtempSync(join(tmpdir(), "memtrace-scale-"));
  const [load1] = loadavg();
  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
  const lines = [
    `# Scale: ${(events / 1e6).toFixed(0)} M synthetic events through fold | summary\n`,
    `- date: ${new Date().toISOString()}`,
    `- command: node dist/bench/scale.js ${events}`,
    `- machine: ${cpus().length} x ${cpus()[0]?.model ?? "?"}, load average ${load1.toFixed(2)} at the start`,
    `- node ${process.version}; one run each; the capture is streamed, never stored\n`,
    "| events | stage | wall | M events/s | peak RSS |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const n of [Math.round(events / 10), events]) {
    const { stages, summary } = run(n, work);
    for (const [name, s] of Object.entries(stages)) {
      lines.push(
        `| ${(n / 1e6).toFixed(0)} M | ${name} | ${s.wall.toFixed(1)} s | ${(n / s.wall / 1e6).toFixed(2)} | ${mib(s.rss)} |`,
      );
    }
    if (n === events)
      lines.push("", "The summary's first lines:", "", "```", ...summary.split("\n").slice(0, 6), "```");
  }
  console.log(lines.join("\n"));
  writeFileSync(join(tmpdir(), "memtrace-bench-scale.md"), lines.join("\n"));
  rmSync(work, { recursive: true, force: true });
}

if (process.argv[2] === "--generate") {
  generate(Number(process.argv[3])).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else main();
