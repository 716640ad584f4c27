// What sampling the JS heap costs: a JS-allocation-heavy workload (bench/record/workloads/js-objects.js) under
// plain node, under `memtrace record --js-interval 0` (native heap only) and under `memtrace record` with V8's
// sampling heap profiler at a few intervals (32 KiB is the default). The figure that matters is the last column:
// the time JS sampling adds to a recording that does not sample.
//
//   npm run build && node dist/bench/record/js-sampling.js [runs]
//
// Runs alternate between variants; the table shows medians of `runs` (default 5). NODE_EXTRA_CA_CERTS is unset.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { decodeAll } from "../../src/codec/decoder";
import { EventKind } from "../../src/codec/model";
import { timeRun } from "../lib/run";
import { median } from "../lib/util";

const ROOT = join(__dirname, "..", "..", "..");
const RUNS = Number(process.argv[2] ?? 5);
const BIN = join(ROOT, "bin", "memtrace.js");
const SCRIPT = join(ROOT, "bench", "record", "workloads", "js-objects.js");
const work = mkdtempSync(join(tmpdir(), "memtrace-bench-js-"));
const capture = join(work, "capture.mtrace");

const INTERVALS = [32 * 1024, 128 * 1024, 512 * 1024];
const variants: { name: string; argv: string[]; interval?: number }[] = [
  { name: "plain", argv: [process.execPath, SCRIPT] },
  { name: "js off", argv: [process.execPath, BIN, "record", "--js-interval", "0", "-o", capture, SCRIPT] },
  ...INTERVALS.map((interval) => ({
    name: `js every ${interval / 1024} KiB`,
    interval,
    argv: [process.execPath, BIN, "record", "--js-interval", String(interval), "-o", capture, SCRIPT],
  })),
];

function jsSamples(): number {
  let n = 0;
  for (const m of decodeAll(readFileSync(capture))) {
    if (m.type !== "events") continue;
    for (let i = 0; i < m.batch.length; i++) if (m.batch.kind[i] === EventKind.JS_SAMPLE) n++;
  }
  return n;
}

const [load1] = loadavg();
console.log(
  `load average ${load1.toFixed(2)} on ${cpus().length} cores${load1 > 0.5 ? " (busy: rerun when quiet)" : ""}`,
);
console.log(`${RUNS} runs of each variant, alternating; medians; NODE_EXTRA_CA_CERTS unset\n`);

const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
const samples = new Map<string, number>();
for (let run = 0; run < RUNS; run++) {
  for (const v of variants) {
    times.get(v.name)!.push(timeRun(v.argv, work).wall);
    if (v.interval && run === 0) samples.set(v.name, jsSamples());
  }
}

const t = (name: string) => median(times.get(name)!);
const header = ["variant", "wall", "vs plain", "JS samples", "JS sampling adds"];
const rows = variants.map((v) => [
  v.name,
  `${t(v.name).toFixed(2)}s`,
  `${(t(v.name) / t("plain")).toFixed(3)}x`,
  v.interval ? String(samples.get(v.name)) : "",
  v.interval ? `${((t(v.name) / t("js off") - 1) * 100).toFixed(1)}%` : "",
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join("  "));
rmSync(work, { recursive: true, force: true });
