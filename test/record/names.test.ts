// JS frames of a long-running app named by the code that ran: a plain node:http server with 120 start-up modules
// (whose code V8 flushes, and whose addresses it gives to the server's hot code) under keep-alive load keeps each
// request's body in one function. What it kept must be found under that function, at the line that kept it, and
// nowhere under a start-up module; node's own record of its code (--perf-basic-prof) must agree with every name
// the recorder gave a JIT frame.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { APPS, Capture, memtrace, shell, type Run } from "./capture";
import { judgeNames, parseMap } from "./name-oracle";

const app = join(APPS, "http-keep.js");
const source = readFileSync(app, "utf8").split("\n");
const keepLine = source.findIndex((l) => l.includes("Buffer.from(body")) + 1;
const MARKER_SIZE = 77777;

/** Folded stacks of what was live at the end among allocations since `fromNs`: [frames, bytes] pairs. */
async function leaksSince(file: string, fromNs: number): Promise<[string[], number][]> {
  const bin = `"${process.execPath}" bin/memtrace.js`;
  const run = await shell(
    `${bin} filter --from ${fromNs}ns "${file}" | ${bin} fold --leaks --heap native | ${bin} collapsed`,
  );
  return run.stdout
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const space = line.lastIndexOf(" ");
      return [line.slice(0, space).split(";"), Number(line.slice(space + 1))];
    });
}

async function recordServer(
  dir: string,
  where: "main" | "workers",
): Promise<{ run: Run; file: string; capture: Capture }> {
  const file = join(dir, `${where}.mtrace`);
  const run = await memtrace(
    [
      "record",
      "--no-children",
      "--exact-times",
      "-o",
      file,
      "--",
      process.execPath,
      "--perf-basic-prof",
      // The map comes with V8's log, which would otherwise go to files in the working directory (and V8 takes
      // /dev/null for the console).
      `--logfile=${join(dir, "v8.log")}`,
      "--no-logfile-per-isolate",
      app,
      "120",
      "3",
      where,
    ],
    { withoutTestHooks: true },
  );
  return { run, file, capture: new Capture(readFileSync(file)) };
}

for (const where of ["main", "workers"] as const) {
  t.test(
    `given a plain http server under load, keeping bodies on ${where === "main" ? "its main thread" : "worker threads"}`,
    async (t) => {
      const { run, file, capture } = await recordServer(t.testdir({}), where);
      t.match(run.stderr, /served \d+ requests, 24000 start-up entries/, run.stderr);
      const [pid] = capture.pids;
      t.teardown(() => rmSync(`/tmp/perf-${pid}.map`, { force: true }));

      const marker = capture.events.find((e) => e.pid === pid && e.size === MARKER_SIZE);
      t.ok(marker, "the app's end of start-up is in the capture");
      const leaks = await leaksSince(file, marker!.time);
      const total = leaks.reduce((sum, [, bytes]) => sum + bytes, 0);
      const sum = (keep: (frames: string[]) => boolean) =>
        leaks.filter(([frames]) => keep(frames)).reduce((s, [, bytes]) => s + bytes, 0);
      const atLine = sum((frames) => frames.includes(`keepBody (${app}:${keepLine})`));
      const startup = sum((frames) => frames.some((f) => f.includes("memtrace-startup-")));
      t.ok(total > 20e6, `it kept tens of megabytes while serving (${(total / 1e6).toFixed(1)} MB)`);
      t.ok(
        atLine >= 0.9 * total,
        `at least 90% under keepBody at line ${keepLine}: ${((100 * atLine) / total).toFixed(1)}%`,
      );
      t.equal(startup, 0, "no byte under a start-up module");

      const verdict = judgeNames(capture, pid, parseMap(readFileSync(`/tmp/perf-${pid}.map`, "utf8")));
      t.ok(verdict.judged > 1000, `the map judged ${verdict.judged} JIT frames (${verdict.unjudged} not)`);
      t.ok(verdict.unjudged < verdict.judged / 5, "and could speak for most");
      t.equal(verdict.disagreed, 0, `every name is the map's: ${verdict.disagreements.join("; ")}`);
      // Frames a worker's start-up saw in code gone before its agent could report the code there was: left
      // unnamed, never misnamed.
      t.ok(verdict.unnamed < verdict.judged / 4, `few frames left unnamed (${verdict.unnamed})`);
    },
  );
}
