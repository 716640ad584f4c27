// The capture's size against heaptrack's file (issue 23's size goal), on the dense workload at each number of rounds
// given: memtrace records it twice uncompressed (events as recorded, `--no-paired`, and paired at record time, the
// default, format version 4), and each capture is then compressed as the recorder compresses (chunks of 256 KiB: an LZ4
// frame each, or one zstd stream flushed at each), so that LZ4 and zstd see the same bytes; and once as the
// recorder writes it by default (`record -o FILE`, zstd), which is what a user gets. heaptrack records the same
// workload once. Sizes are bytes per event (allocations and frees, from the captures' trailers).
//
//   npm run build && node dist/bench/capture-size.js [rounds ...]   (default: 200000 2000000)
//
// NODE_EXTRA_CA_CERTS and NODE_OPTIONS are unset for every command.
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { decode } from "../src/codec/decoder";
import { compressFrame } from "../src/codec/lz4";
import { ZstdStreamEncoder } from "../src/codec/zstd";
import { timeRun } from "./lib/run";

const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "bin", "memtrace.js");
const APP = join(ROOT, "bench", "record", "workloads", "dense.js");
const CHUNK = 256 * 1024;
const work = mkdtempSync(join(tmpdir(), "memtrace-capture-size-"));
const at = (name: string) => join(work, name);

async function eventsIn(file: string): Promise<number> {
  let events = 0;
  for await (const m of decode(createReadStream(file), { paired: true })) {
    if (m.type === "trailer") events += m.trailer.allocations + m.trailer.deallocations;
  }
  return events;
}

/** The recorder's two compressors over the same bytes, chunk by chunk. */
function compressedSizes(file: string): { lz4: number; zstd: number } {
  const data = readFileSync(file);
  const zstd = new ZstdStreamEncoder();
  let lz4 = 0;
  let z = 0;
  for (let i = 0; i < data.length; i += CHUNK) {
    const chunk = data.subarray(i, i + CHUNK);
    lz4 += compressFrame(chunk).length;
    z += zstd.flush([chunk]).length;
  }
  z += zstd.end().length;
  return { lz4, zstd: z };
}

async function main(): Promise<void> {
  const rounds = process.argv.slice(2);
  if (rounds.length === 0) rounds.push("200000", "2000000");
  const [load1] = loadavg();
  console.log(`# Capture size on the dense workload\n`);
  console.log(`- date: ${new Date().toISOString()}`);
  console.log(`- command: node dist/bench/capture-size.js ${rounds.join(" ")}`);
  console.log(`- load average ${load1.toFixed(2)} on ${cpus().length} cores${load1 > 0.5 ? " (busy)" : ""}\n`);
  console.log("| rounds | events | capture | uncompressed | LZ4 | zstd | `record -o` (zstd) | heaptrack |");
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const n of rounds) {
    let heaptrack = 0;
    for (const paired of [false, true]) {
      const env = (argv: string[]) => [...argv.slice(0, 3), paired ? "--paired" : "--no-paired", ...argv.slice(3)];
      const raw = at(`raw-${n}-${paired}.mtrace`);
      const file = at(`default-${n}-${paired}.mtrace`);
      timeRun(env([process.execPath, BIN, "record", "--no-compress", "-o", raw, "--", process.execPath, APP, n]), work);
      timeRun(env([process.execPath, BIN, "record", "-o", file, "--", process.execPath, APP, n]), work);
      const events = await eventsIn(raw);
      const defaultEvents = await eventsIn(file);
      const { lz4, zstd } = compressedSizes(raw);
      if (!paired) {
        timeRun(["heaptrack", "-o", at("heaptrack"), process.execPath, APP, n], work);
        const name = readdirSync(work).find((f) => f.startsWith("heaptrack"))!;
        heaptrack = statSync(at(name)).size;
        rmSync(at(name));
      }
      const per = (bytes: number, of = events) => `${(bytes / of).toFixed(3)} B (${(bytes / 1e6).toFixed(2)} MB)`;
      console.log(
        `| ${n} | ${(events / 1e6).toFixed(1)} M | ${paired ? "paired (version 4)" : "events (version 1)"} | ` +
          `${per(statSync(raw).size)} | ${per(lz4)} | ${per(zstd)} | ${per(statSync(file).size, defaultEvents)} | ` +
          `${paired ? "" : per(heaptrack)} |`,
      );
      rmSync(raw);
      rmSync(file);
    }
  }
  console.log(
    "\nLZ4 and zstd: the uncompressed capture compressed as the recorder does, in 256 KiB chunks (an LZ4 frame\n" +
      "each; one zstd frame flushed at each, level 3, window 8 MiB). `record -o`: another recording of the same\n" +
      "workload, written by the recorder's default (zstd), per its own events. heaptrack: its file (zstd) per\n" +
      "the events of memtrace's uncompressed capture of the same workload.",
  );
  rmSync(work, { recursive: true, force: true });
}

void main();
