// The pipeline at the scale of a real recording (issue 23), on the dense workload (bench/record/workloads/dense.js:
// a Map of four typed arrays, 2 M rounds, about 64 M allocations and frees), beside heaptrack in one run:
// - the capture: memtrace's default (`record -o FILE`) and uncompressed, beside heaptrack's file;
// - reading it: `memtrace fold` (time and peak RSS) and the reports on its output, beside `heaptrack_print`;
// - the design's own pipe: `record app.js | fold > folded` beside `record -o FILE`;
// - the recorder's default (events paired at record time, format version 4, zstd), whose fold runs in the native
//   kernel (native/kernel/) and, for comparison, in TypeScript (MEMTRACE_NO_KERNEL=1); and `--no-paired` (every
//   raw event, format version 1), which fold pairs itself.
//
//   npm run build && node dist/bench/pipeline.js [runs, default 3] [rounds, default 2000000]
//
// The app is recorded once by each tool (heaptrack takes ~30 s); the timed steps run `runs` times each, alternating,
// and the table shows medians, of wall time and of CPU time (user + system, all processes of the step), which a busy
// machine disturbs less. NODE_EXTRA_CA_CERTS and NODE_OPTIONS are unset for every command.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { decodeAll } from "../src/codec/decoder";
import { timeRun } from "./lib/run";
import { median } from "./lib/util";

const ROOT = join(__dirname, "..", "..");
const RUNS = Number(process.argv[2] ?? 3);
const ROUNDS = process.argv[3] ?? "2000000";
const BIN = join(ROOT, "bin", "memtrace.js");
const APP = join(ROOT, "bench", "record", "workloads", "dense.js");
const work = mkdtempSync(join(tmpdir(), "memtrace-pipeline-"));
const at = (name: string) => join(work, name);
const node = process.execPath;
const memtrace = (...args: string[]) => [node, BIN, ...args];
/** memtrace without its native kernel of paired batches: fold runs in TypeScript. */
const withoutKernel = (...args: string[]) => ["env", "MEMTRACE_NO_KERNEL=1", node, BIN, ...args];

interface Step {
  name: string;
  argv: string[];
}

type Run = ReturnType<typeof timeRun>;

/** Runs each step `RUNS` times, alternating; returns each step's runs. */
function measure(steps: Step[]): Map<string, Run[]> {
  const out = new Map(steps.map((s) => [s.name, [] as Run[]]));
  for (let run = 0; run < RUNS; run++) for (const s of steps) out.get(s.name)!.push(timeRun(s.argv, work));
  return out;
}

function eventsIn(file: string): number {
  let events = 0;
  for (const m of decodeAll(readFileSync(file), { paired: "raw" })) {
    if (m.type === "trailer") events += m.trailer.allocations + m.trailer.deallocations;
  }
  return events;
}

const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const sec = (s: number) => `${s.toFixed(2)} s`;

function main(): void {
  const [load1] = loadavg();
  console.log(`# Pipeline on the dense workload (${ROUNDS} rounds)\n`);
  console.log(`- date: ${new Date().toISOString()}`);
  console.log(`- command: node dist/bench/pipeline.js ${RUNS} ${ROUNDS}`);
  console.log(
    `- machine: ${cpus().length} x ${cpus()[0]?.model ?? "?"}, load average ${load1.toFixed(2)} at the start`,
  );
  console.log(`- node ${process.version}; medians of ${RUNS} alternating runs; NODE_EXTRA_CA_CERTS unset\n`);

  // The recordings, once each.
  const recorded = timeRun(memtrace("record", "-o", at("dense.mtrace"), APP, ROUNDS), work);
  timeRun(memtrace("record", "--compressor", "lz4", "-o", at("dense.lz4.mtrace"), APP, ROUNDS), work);
  timeRun(memtrace("record", "--no-compress", "-o", at("dense.raw.mtrace"), APP, ROUNDS), work);
  const recordedUnpaired = timeRun(memtrace("record", "--no-paired", "-o", at("dense.np.mtrace"), APP, ROUNDS), work);
  const heaptracked = timeRun(["heaptrack", "-o", at("dense.heaptrack"), node, APP, ROUNDS], work);
  const heaptrackFile = at("dense.heaptrack.zst");
  const events = eventsIn(at("dense.mtrace"));
  const size = (f: string) => statSync(f).size;

  console.log("## Capture\n");
  console.log("| capture | bytes | bytes/event | vs heaptrack |\n| --- | --- | --- | --- |");
  for (const [name, file] of [
    ["memtrace record -o (default: paired, zstd)", at("dense.mtrace")],
    ["memtrace record --compressor lz4 (paired)", at("dense.lz4.mtrace")],
    ["memtrace record --no-compress (paired)", at("dense.raw.mtrace")],
    ["memtrace record --no-paired -o (zstd)", at("dense.np.mtrace")],
    ["heaptrack", heaptrackFile],
  ]) {
    const b = size(file);
    console.log(`| ${name} | ${mib(b)} | ${(b / events).toFixed(3)} | ${(b / size(heaptrackFile)).toFixed(2)}x |`);
  }
  console.log(
    `\n${(events / 1e6).toFixed(1)} M events (allocations and frees, from the trailer). Recording took ` +
      `${sec(recorded.wall)} with memtrace, ${sec(recordedUnpaired.wall)} with memtrace --no-paired, ` +
      `${sec(heaptracked.wall)} with heaptrack (once each).\n`,
  );

  const read = measure([
    { name: "memtrace fold", argv: memtrace("fold", at("dense.mtrace"), "-o", at("dense.folded")) },
    {
      name: "memtrace fold --no-timeline",
      argv: memtrace("fold", "--no-timeline", at("dense.mtrace"), "-o", at("nt.folded")),
    },
    { name: "memtrace fold --leaks", argv: memtrace("fold", "--leaks", at("dense.mtrace"), "-o", at("leaks.folded")) },
    {
      name: "memtrace fold --temporary",
      argv: memtrace("fold", "--temporary", at("dense.mtrace"), "-o", at("temp.folded")),
    },
    {
      name: "memtrace fold --total",
      argv: memtrace("fold", "--total", at("dense.mtrace"), "-o", at("total.folded")),
    },
    { name: "memtrace fold (LZ4 capture)", argv: memtrace("fold", at("dense.lz4.mtrace"), "-o", at("lz4.folded")) },
    {
      name: "memtrace fold (TypeScript)",
      argv: withoutKernel("fold", at("dense.mtrace"), "-o", at("ts.folded")),
    },
    {
      name: "memtrace fold --no-timeline (TypeScript)",
      argv: withoutKernel("fold", "--no-timeline", at("dense.mtrace"), "-o", at("tsnt.folded")),
    },
    {
      name: "memtrace fold (--no-paired capture)",
      argv: memtrace("fold", at("dense.np.mtrace"), "-o", at("np.folded")),
    },
    {
      name: "memtrace fold --no-timeline (--no-paired capture)",
      argv: memtrace("fold", "--no-timeline", at("dense.np.mtrace"), "-o", at("npnt.folded")),
    },
    { name: "heaptrack_print", argv: ["sh", "-c", `heaptrack_print ${heaptrackFile} > ${at("heaptrack.txt")}`] },
    { name: "memtrace summary (raw capture)", argv: memtrace("summary", at("dense.mtrace"), "-o", at("s.txt")) },
    { name: "memtrace summary (folded)", argv: memtrace("summary", at("dense.folded"), "-o", at("f.txt")) },
    { name: "memtrace stats (folded)", argv: memtrace("stats", at("dense.folded"), "-o", at("st.txt")) },
    {
      name: "memtrace flame --html (folded)",
      argv: memtrace("flame", "--html", at("dense.folded"), "-o", at("f.html")),
    },
  ]);
  const print = median(read.get("heaptrack_print")!.map((r) => r.wall));
  const printCpu = median(read.get("heaptrack_print")!.map((r) => r.cpu));
  const printRss = median(read.get("heaptrack_print")!.map((r) => r.rss));
  console.log("## Reading the capture\n");
  console.log(
    "| step | wall | M events/s | speed vs heaptrack_print | CPU | CPU vs heaptrack_print | peak RSS | " +
      "RSS vs heaptrack_print |\n| --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const [name, runs] of read) {
    const wall = median(runs.map((r) => r.wall));
    const cpu = median(runs.map((r) => r.cpu));
    const rss = median(runs.map((r) => r.rss));
    console.log(
      `| ${name} | ${sec(wall)} | ${(events / wall / 1e6).toFixed(1)} | ${(print / wall).toFixed(2)}x | ` +
        `${sec(cpu)} | ${(printCpu / cpu).toFixed(2)}x | ${mib(rss)} | ${(rss / printRss).toFixed(2)}x |`,
    );
  }

  console.log(
    `\nThe folded capture: ${size(at("dense.folded"))} bytes with its timeline (the default), ` +
      `${size(at("nt.folded"))} bytes without (--no-timeline).\n`,
  );

  const pipe = measure([
    { name: "record -o file", argv: memtrace("record", "-o", at("p.mtrace"), APP, ROUNDS) },
    {
      name: "record | fold > folded",
      argv: [
        "sh",
        "-c",
        `${node} ${BIN} record ${APP} ${ROUNDS} 2>/dev/null | ${node} ${BIN} fold > ${at("p.folded")}`,
      ],
    },
    { name: "record --no-paired -o file", argv: memtrace("record", "--no-paired", "-o", at("np.mtrace"), APP, ROUNDS) },
    {
      name: "record --no-paired | fold > folded",
      argv: [
        "sh",
        "-c",
        // fold's warnings stay on stderr: a merge without watermarks makes the run's pairing approximate.
        `${node} ${BIN} record --no-paired ${APP} ${ROUNDS} 2>/dev/null | ${node} ${BIN} fold > ${at("np.folded")}`,
      ],
    },
  ]);
  const alone = median(pipe.get("record -o file")!.map((r) => r.wall));
  console.log("\n## Recording into fold\n");
  console.log("| command | wall | vs record -o | CPU |\n| --- | --- | --- | --- |");
  for (const [name, runs] of pipe) {
    const wall = median(runs.map((r) => r.wall));
    console.log(
      `| ${name.replaceAll("|", "\\|")} | ${sec(wall)} | ${(wall / alone).toFixed(2)}x | ${sec(median(runs.map((r) => r.cpu)))} |`,
    );
  }
  const approximate = pipe
    .get("record --no-paired | fold > folded")!
    .filter((r) => r.stderr.includes("merged approximately"));
  const unpairedAlone = median(pipe.get("record --no-paired -o file")!.map((r) => r.wall));
  const unpairedPipe = median(pipe.get("record --no-paired | fold > folded")!.map((r) => r.wall));
  console.log(`\n--no-paired: record | fold is ${(unpairedPipe / unpairedAlone).toFixed(2)}x record --no-paired -o.`);
  console.log(
    `\nfold merged threads without watermarks (approximate pairing) in ${approximate.length} of ${RUNS} pipe runs.`,
  );
  rmSync(work, { recursive: true, force: true });
}

main();
