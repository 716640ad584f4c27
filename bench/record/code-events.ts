// How often V8 replaces, moves and tiers up code in a server under load, and how it reports each case through the
// JIT code event API, on each node given: the JSON API of workloads/server.js with 120 start-up modules under
// keep-alive load, with bench/record/native/code_event_probe.cpp (built here against each node's headers)
// counting the code events, and V8's own traces counting deoptimisations, tier-ups and flushes in the same run.
//
//   npm run build && node dist/bench/record/code-events.js [seconds] [node ...]
//
// Without nodes, the one running this. Each node needs its headers in <prefix>/include/node.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const ROOT = join(__dirname, "..", "..", "..");
const SECONDS = process.argv[2] ?? "5";
const NODES = process.argv.length > 3 ? process.argv.slice(3) : [process.execPath];
const work = mkdtempSync(join(tmpdir(), "memtrace-code-events-"));

// V8's traces, by the line each prints (their wording is stable across these lines).
const TRACES: [string, RegExp][] = [
  ["deoptimisations", /^\[bailout \(kind: deopt/],
  ["TurboFan compilations", /^\[completed compiling .*target TURBOFAN/],
  ["Maglev compilations", /^\[completed compiling .*target MAGLEV/],
  ["bytecode flushes", /^\[flushing /],
];

function measure(node: string): { version: string; counts: Map<string, number> } {
  const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
  const major = Number(version.slice(1).split(".")[0]);
  const headers = join(dirname(dirname(node)), "include", "node");
  const include = existsSync(headers) ? headers : "/usr/include/node";
  const probe = join(work, `probe-${version}.node`);
  const compile = spawnSync(
    "g++",
    [
      major >= 24 ? "-std=c++20" : "-std=c++17",
      "-O1",
      "-shared",
      "-fPIC",
      "-DNAPI_VERSION=8",
      "-isystem",
      include,
      "-o",
      probe,
      join(ROOT, "bench", "record", "native", "code_event_probe.cpp"),
    ],
    { encoding: "utf8" },
  );
  if (compile.status !== 0) throw new Error(`cannot build the probe for ${version}: ${compile.stderr}`);
  const start = join(work, "start.js");
  // The load generator is a node process too: only the server is probed.
  writeFileSync(start, `if (!process.argv[1].endsWith("http-load.js")) require(${JSON.stringify(probe)}).start();\n`);
  const counts = join(work, `counts-${version}.txt`);
  const flush = major >= 22 ? "--trace-flush-code" : "--trace-flush-bytecode";
  const run = spawnSync(
    node,
    [
      "--trace-opt",
      "--trace-deopt",
      flush,
      "--trace-baseline-batch-compilation",
      "--require",
      start,
      join(ROOT, "bench", "record", "workloads", "server.js"),
      SECONDS,
      "120",
    ],
    { encoding: "utf8", env: { ...process.env, PROBE_OUT: counts, NODE_OPTIONS: "" }, maxBuffer: 1 << 28 },
  );
  if (run.status !== 0) throw new Error(`${version} failed: ${run.stderr}`);
  const out = new Map<string, number>();
  const lines = run.stdout.split("\n");
  out.set("requests answered", Number(lines.filter((l) => /^\d+$/.test(l)).pop()));
  for (const [what, pattern] of TRACES) out.set(what, lines.filter((l) => pattern.test(l)).length);
  let sparkplug = 0;
  for (const l of lines) sparkplug += Number(/Compiling current batch of (\d+) functions/.exec(l)?.[1] ?? 0);
  out.set("Sparkplug compilations", sparkplug);
  for (const line of readFileSync(counts, "utf8").trim().split("\n")) {
    const space = line.indexOf(" ");
    out.set(line.slice(space + 1), Number(line.slice(0, space)));
  }
  return { version, counts: out };
}

const results = NODES.map(measure);
rmSync(work, { recursive: true, force: true });
const rows = [...new Set(results.flatMap((r) => [...r.counts.keys()]))].sort();
console.log(`${SECONDS} s of load on workloads/server.js with 120 start-up modules\n`);
console.log(["".padEnd(44), ...results.map((r) => r.version.padStart(10))].join(" "));
for (const row of rows) {
  console.log([row.padEnd(44), ...results.map((r) => String(r.counts.get(row) ?? 0).padStart(10))].join(" "));
}
