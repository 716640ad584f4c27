// The HTML flame graph on large captures: how long `flame --html` takes against the SVG flame graph of the same
// capture (the baseline, measured in the same run), its peak RSS, and the page's size at two capture sizes: the
// page should grow with the unique stacks and the buckets, not with the events. Then the folded capture that serves
// it: `fold --timeline` beside plain `fold` (the timeline's cost), the folded capture's size, and `flame --html` of
// it, which should take well under a second and give the capture's own page data.
//
//   npm run build && node dist/bench/flame-html.js [events] [capture file...]
//
// Without files, it makes synthetic captures of `events` (default 10 M) and a tenth of that (bench/lib/synthetic.ts).
// Each command runs 3 times as a real process (bin/memtrace.js), alternating; medians are printed, with CPU time
// beside the wall time (the machine is often shared).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
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

/**
 * Runs `memtrace <args> -o out`: wall seconds, peak RSS bytes, output bytes, and CPU seconds (user and system), which
 * a busy machine disturbs less than the wall time.
 */
function run(args: string[], out: string): Run {
  const t0 = process.hrtime.bigint();
  const report = execFileSync(
    "bash",
    [
      "-c",
      `command time -f "%M %U %S" ${JSON.stringify(process.execPath)} "$@" 2>&1 >/dev/null`,
      "--",
      BIN,
      ...args,
      "-o",
      out,
    ],
    // The machine's extra CA certificates make node do ~900k mallocs at start: not memtrace's cost.
    { encoding: "utf8", env: { ...process.env, NODE_EXTRA_CA_CERTS: "" } },
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const [rss, user, system] = report.trim().split("\n").at(-1)!.split(" ").map(Number);
  return [seconds, rss * 1024, statSync(out).size, user + system];
}

type Run = [seconds: number, rss: number, size: number, cpu: number];

/** The page's embedded data (what its script reads). */
function pageData(file: string): string {
  return /<script type="application\/json" id="data">(.*?)<\/script>/s.exec(readFileSync(file, "utf8"))?.[1] ?? "";
}

async function main(): Promise<void> {
  const [count, ...given] = process.argv.slice(2);
  const events = Number(count ?? 10_000_000);
  const files = given.length > 0 ? given : [await synthetic(Math.round(events / 10)), await synthetic(events)];
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  const tmp = (name: string) => join(tmpdir(), `memtrace-bench-flame-${name}`);
  for (const file of files) {
    const kinds = ["svg", "html", "fold", "foldTimeline", "foldedHtml", "foldedPlainHtml"] as const;
    const runs = Object.fromEntries(kinds.map((k) => [k, [] as Run[]]));
    for (let r = 0; r < RUNS; r++) {
      runs.svg.push(run(["flame", file], tmp("svg")));
      runs.html.push(run(["flame", "--html", file], tmp("raw.html")));
      runs.fold.push(run(["fold", file], tmp("plain.mtrace")));
      runs.foldTimeline.push(run(["fold", "--timeline", file], tmp("timeline.mtrace")));
      runs.foldedHtml.push(run(["flame", "--html", tmp("timeline.mtrace")], tmp("folded.html")));
      runs.foldedPlainHtml.push(run(["flame", "--html", tmp("plain.mtrace")], tmp("plain.html")));
    }
    const m = (k: (typeof kinds)[number], i: number) => median(runs[k].map((x) => x[i]));
    const line = (label: string, k: (typeof kinds)[number], size: (n: number) => string) =>
      `  ${label.padEnd(42)} ${m(k, 0).toFixed(2)} s (CPU ${m(k, 3).toFixed(2)} s), peak RSS ${mb(m(k, 1))}, ` +
      `output ${size(m(k, 2))}`;
    const same = pageData(tmp("raw.html")) === pageData(tmp("folded.html"));
    console.log(
      [
        `${file} (${mb(statSync(file).size)}):`,
        line("flame (SVG), the baseline", "svg", mb),
        line("flame --html of the capture", "html", mb) +
          ` (${(m("html", 3) / m("svg", 3)).toFixed(2)}x the SVG's CPU)`,
        line("fold", "fold", kb),
        line("fold --timeline", "foldTimeline", kb) +
          ` (${(m("foldTimeline", 3) / m("fold", 3)).toFixed(2)}x fold's CPU)`,
        line("flame --html of fold --timeline's output", "foldedHtml", mb),
        line("flame --html of fold's output (no window)", "foldedPlainHtml", mb),
        `  the folded capture's page data ${same ? "equals" : "DIFFERS FROM"} the capture's`,
      ].join("\n"),
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
