// The HTML flame graph on large captures: how long `flame --html` takes against the SVG flame graph of the same
// capture (the baseline, measured in the same run), its peak RSS, and the page's size at two capture sizes: the
// page should grow with the unique stacks and the buckets, not with the events.
//
//   npm run build && node dist/bench/flame-html.js [events] [capture file...]
//
// Without files, it makes synthetic captures of `events` (default 10 M) and a tenth of that (bench/lib/synthetic.ts).
// Each command runs 3 times as a real process (bin/memtrace.js), alternating; medians are printed.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "../src/codec/encoder";
import { syntheticCapture } from "./lib/synthetic";
import { median, writeStream } from "./lib/util";

const BIN = join(__dirname, "..", "..", "bin", "memtrace.js");
const RUNS = 3;

async function synthetic(events: number): Promise<string> {
  const file = join(tmpdir(), `memtrace-bench-${events}.mtrace`);
  if (!existsSync(file)) await writeStream(file, encode(syntheticCapture(events)));
  return file;
}

/** Runs `memtrace flame [flags] file -o out`: [seconds, peak RSS bytes, output bytes]. */
function run(file: string, flags: string[]): [number, number, number] {
  const out = join(tmpdir(), `memtrace-bench-flame${flags.join("")}.out`);
  const t0 = process.hrtime.bigint();
  const report = execFileSync(
    "bash",
    [
      "-c",
      `command time -f %M ${JSON.stringify(process.execPath)} "$@" 2>&1 >/dev/null`,
      "--",
      BIN,
      "flame",
      ...flags,
      file,
      "-o",
      out,
    ],
    { encoding: "utf8" },
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return [seconds, Number(report.trim().split("\n").at(-1)) * 1024, statSync(out).size];
}

async function main(): Promise<void> {
  const [count, ...given] = process.argv.slice(2);
  const events = Number(count ?? 10_000_000);
  const files = given.length > 0 ? given : [await synthetic(Math.round(events / 10)), await synthetic(events)];
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  for (const file of files) {
    const svg: [number, number, number][] = [];
    const html: [number, number, number][] = [];
    for (let r = 0; r < RUNS; r++) {
      svg.push(run(file, []));
      html.push(run(file, ["--html"]));
    }
    const m = (xs: [number, number, number][], i: number) => median(xs.map((x) => x[i]));
    console.log(
      `${file} (${mb(statSync(file).size)}):\n` +
        `  flame (SVG)    ${m(svg, 0).toFixed(2)} s, peak RSS ${mb(m(svg, 1))}, ${mb(m(svg, 2))}\n` +
        `  flame --html   ${m(html, 0).toFixed(2)} s (${(m(html, 0) / m(svg, 0)).toFixed(2)}x the SVG), ` +
        `peak RSS ${mb(m(html, 1))}, ${mb(m(html, 2))}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
