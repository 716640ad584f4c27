// How much of what a server kept is at the line that kept it, by how V8 ran the function that kept it: the names
// tests' server (test/record/apps/http-keep.js: 120 start-up modules, 3 s of keep-alive load, every body kept
// in keepBody at a known line), warm (keepBody run 50,000 times before serving, as the tests do) and cold (not),
// recorded by memtrace's default (V8's interpreter and TurboFan only) and with --all-tiers (Sparkplug and Maglev
// kept), on each node given. "At its line": of the native bytes kept under keepBody, the share whose keepBody
// frame carries the line of its Buffer.from; the rest carry the function's first line.
//
//   npm run build && node dist/bench/record/lines-share.js [node ...]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { benchEnv } from "../lib/run";

const ROOT = join(__dirname, "..", "..", "..");
const NODES =
  process.argv.length > 2
    ? process.argv.slice(2).map((n) => (n === "node" ? process.execPath : resolve(n)))
    : [process.execPath];
const BIN = join(ROOT, "bin", "memtrace.js");
const SOURCE = join(ROOT, "test", "record", "apps", "http-keep.js");
const work = mkdtempSync(join(tmpdir(), "memtrace-lines-share-"));

const source = readFileSync(SOURCE, "utf8");
const keepLine = source.split("\n").findIndex((l) => l.includes("Buffer.from(body")) + 1;
const apps = {
  warm: SOURCE,
  cold: join(work, "http-keep-cold.js"),
};
// The same server without its warm-up (the load generator is found beside the original's workloads).
writeFileSync(
  apps.cold,
  source
    .replace('if (where === "main") warmUp();', "")
    .replaceAll("__dirname", JSON.stringify(join(ROOT, "test", "record", "apps"))),
);

function share(node: string, start: "warm" | "cold", options: string[]): string {
  const file = join(work, "capture.mtrace");
  const run = spawnSync(
    process.execPath,
    [BIN, "record", ...options, "--no-children", "-o", file, "--", node, apps[start], "120", "3", "main"],
    { env: benchEnv(), encoding: "utf8", timeout: 120_000 },
  );
  if (run.status !== 0) throw new Error(`record failed (${run.status}): ${run.stderr}`);
  const folded = execFileSync(
    "/bin/sh",
    [
      "-c",
      `"${process.execPath}" "${BIN}" filter --allocator malloc,calloc,realloc "${file}" | ` +
        `"${process.execPath}" "${BIN}" fold --leaks --heap native | "${process.execPath}" "${BIN}" collapsed --frames all`,
    ],
    { encoding: "utf8", maxBuffer: 1 << 28, timeout: 120_000 },
  );
  let under = 0;
  let atLine = 0;
  for (const line of folded.split("\n")) {
    const space = line.lastIndexOf(" ");
    if (space < 0) continue;
    const frames = line.slice(0, space).split(";");
    const bytes = Number(line.slice(space + 1));
    const keep = frames.find((f) => f.startsWith("keepBody ("));
    if (!keep) continue;
    under += bytes;
    if (keep === `keepBody (${apps[start]}:${keepLine})`) atLine += bytes;
  }
  rmSync(file, { force: true });
  return under ? `${((100 * atLine) / under).toFixed(1)}% of ${(under / 1e6).toFixed(1)} MB` : "nothing under keepBody";
}

const [load1] = loadavg();
console.log(`load average ${load1.toFixed(2)} on ${cpus().length} cores; NODE_EXTRA_CA_CERTS unset\n`);
console.log(`${"node".padEnd(10)} ${"start".padEnd(6)} ${"memtrace record".padEnd(24)} memtrace record --all-tiers`);
for (const node of NODES) {
  const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
  for (const start of ["warm", "cold"] as const) {
    console.log(
      `${version.padEnd(10)} ${start.padEnd(6)} ${share(node, start, []).padEnd(24)} ${share(node, start, ["--all-tiers"])}`,
    );
  }
}
rmSync(work, { recursive: true, force: true });
