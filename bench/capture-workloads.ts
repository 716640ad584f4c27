// The default capture (`record -o FILE`: paired, zstd) against heaptrack's file on the workloads of
// bench/record/overhead.ts (issue 23's size goal on every workload), one recording each, alternating per workload:
// heaptrack, this memtrace, and with --baseline another built checkout's memtrace (the size before a change).
// Each workload runs with NODE_EXTRA_CA_CERTS unset and again set to the machine's value (its start-up work is
// part of what users record). Sizes are bytes per event (allocations and frees, from the capture's trailers),
// and the ratio to heaptrack's file of the same workload and environment.
//
//   npm run build && node dist/bench/capture-workloads.js [--baseline /path/to/other/bin/memtrace.js]
import { readdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { decodeAll } from "../src/codec/decoder";
import { benchEnv, timeRun } from "./lib/run";

const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "bin", "memtrace.js");
const WORKLOADS = ["buffers", "maps", "zlib", "empty"];
const args = process.argv.slice(2);
const baselineAt = args.indexOf("--baseline");
const BASELINE = baselineAt >= 0 ? args[baselineAt + 1] : undefined;
const CA = process.env.NODE_EXTRA_CA_CERTS;
const work = mkdtempSync(join(tmpdir(), "memtrace-capture-workloads-"));
const at = (name: string) => join(work, name);

function eventsIn(file: string): number {
  let events = 0;
  for (const m of decodeAll(readFileSync(file), { paired: true })) {
    if (m.type === "trailer") events += m.trailer.allocations + m.trailer.deallocations;
  }
  return events;
}

function recorded(bin: string, script: string, env: NodeJS.ProcessEnv): { bytes: number; events: number } {
  const file = at("capture.mtrace");
  timeRun([process.execPath, bin, "record", "-o", file, "--", process.execPath, script], work, env);
  const r = { bytes: statSync(file).size, events: eventsIn(file) };
  rmSync(file);
  return r;
}

function heaptrack(script: string, env: NodeJS.ProcessEnv): number {
  timeRun(["heaptrack", "-o", at("heaptrack"), process.execPath, script], work, env);
  const name = readdirSync(work).find((f) => f.startsWith("heaptrack"))!;
  const bytes = statSync(at(name)).size;
  rmSync(at(name));
  return bytes;
}

const [load1] = loadavg();
console.log(`# The default capture beside heaptrack's file, per workload\n`);
console.log(`- date: ${new Date().toISOString()}`);
console.log(`- command: node dist/bench/capture-workloads.js${BASELINE ? ` --baseline ${BASELINE}` : ""}`);
console.log(`- load average ${load1.toFixed(2)} on ${cpus().length} cores${load1 > 0.5 ? " (busy)" : ""}\n`);
const columns = ["workload", "NODE_EXTRA_CA_CERTS", "events", "heaptrack", "memtrace", "memtrace / heaptrack"];
if (BASELINE) columns.push("baseline", "baseline / heaptrack");
console.log(`| ${columns.join(" | ")} |`);
console.log(`| ${columns.map(() => "---").join(" | ")} |`);
for (const workload of WORKLOADS) {
  const script = join(ROOT, "bench", "record", "workloads", `${workload}.js`);
  for (const ca of CA ? [undefined, CA] : [undefined]) {
    const env = { ...benchEnv(), ...(ca && { NODE_EXTRA_CA_CERTS: ca }) };
    const ht = heaptrack(script, env);
    const mt = recorded(BIN, script, env);
    const base = BASELINE ? recorded(BASELINE, script, env) : undefined;
    const per = (bytes: number, events: number) =>
      `${(bytes / events).toFixed(3)} B (${(bytes / 1024).toFixed(0)} KiB)`;
    const row = [
      workload,
      ca ? "set" : "unset",
      `${(mt.events / 1e6).toFixed(2)} M`,
      per(ht, mt.events),
      per(mt.bytes, mt.events),
      `${(mt.bytes / mt.events / (ht / mt.events)).toFixed(2)}x`,
    ];
    if (base) row.push(per(base.bytes, base.events), `${(base.bytes / base.events / (ht / mt.events)).toFixed(2)}x`);
    console.log(`| ${row.join(" | ")} |`);
  }
}
console.log(
  "\nBytes per event: each file's size over the events of the memtrace capture of the same run (heaptrack: of\n" +
    "memtrace's run just after it). Ratios per event, so that runs of a slightly different length compare.",
);
rmSync(work, { recursive: true, force: true });
