// Decode and fold throughput, and fold's peak memory, on a synthetic capture of 10 M events (or argv[2]).
//
//   npm run build && node dist/bench/codec.js [events]
//
// Runs each measurement 5 times, alternating decode and fold, and prints medians. Fold's memory is measured in a
// child process (its peak RSS), at the full size and at a tenth of it: the two should be close, because fold's
// memory is bounded by the live set and the tables, not by the number of events.
import { execFileSync } from "node:child_process";
import { createReadStream, existsSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decode } from "../src/codec/decoder";
import { encode } from "../src/codec/encoder";
import { syntheticCapture } from "./lib/synthetic";
import { median, writeStream } from "./lib/util";

const EVENTS = Number(process.argv[2] ?? 10_000_000);
const RUNS = 5;

async function ensureCapture(events: number): Promise<string> {
  const file = join(tmpdir(), `memtrace-bench-${events}.mtrace`);
  if (!existsSync(file)) await writeStream(file, encode(syntheticCapture(events)));
  return file;
}

async function decodeOnce(file: string): Promise<number> {
  let events = 0;
  for await (const m of decode(createReadStream(file, { highWaterMark: 256 * 1024 }))) {
    if (m.type === "events") events += m.batch.length;
  }
  return events;
}

/** Runs fold in a child process: returns [seconds, peak RSS bytes]. */
function foldInChild(file: string): [number, number] {
  const out = execFileSync(process.execPath, [join(__dirname, "lib", "fold-child.js"), file], { encoding: "utf8" });
  const [seconds, rss] = out.trim().split(" ").map(Number);
  return [seconds, rss];
}

async function main(): Promise<void> {
  const file = await ensureCapture(EVENTS);
  const small = await ensureCapture(Math.round(EVENTS / 10));
  const bytes = statSync(file).size;
  const decodeTimes: number[] = [];
  const foldTimes: number[] = [];
  const foldRss: number[] = [];
  let counted = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    counted = await decodeOnce(file);
    decodeTimes.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const [seconds, rss] = foldInChild(file);
    foldTimes.push(seconds);
    foldRss.push(rss);
  }
  const [, smallRss] = foldInChild(small);
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  const rate = (s: number) => `${(counted / s / 1e6).toFixed(2)} M events/s`;
  const rows = [
    ["capture", `${counted} events, ${mb(bytes)} (${(bytes / counted).toFixed(2)} bytes/event)`],
    ["decode (median of 5)", `${median(decodeTimes).toFixed(2)} s  ${rate(median(decodeTimes))}`],
    ["decode + fold (median of 5)", `${median(foldTimes).toFixed(2)} s  ${rate(median(foldTimes))}`],
    [
      "fold peak RSS",
      `${mb(median(foldRss))} at ${counted} events; ${mb(smallRss)} at ${Math.round(counted / 10)} events`,
    ],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`node ${process.version}, one core per process`);
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  writeFileSync(
    join(tmpdir(), "memtrace-bench-codec.json"),
    JSON.stringify({ counted, bytes, decodeTimes, foldTimes, foldRss, smallRss }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
