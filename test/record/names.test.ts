// JS frames of a long-running app named by the code that ran: a plain node:http server with 120 start-up modules
// (whose code V8 flushes, and whose addresses it gives to the server's hot code) under keep-alive load keeps each
// request's body in one function. What it kept must be found under that function, at the line that kept it, and
// nowhere under a start-up module; node's own record of its code (--perf-basic-prof) must agree with every name
// the recorder gave a JIT frame.
import { readFileSync, rmSync } from "node:fs";
import t from "tap";
import { judgeNames, parseMap } from "./name-oracle";
import { MARKER_SIZE, app, keepLine, leaksSince, recordServer } from "./server-run";

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
      const sum = (keep: (frames: string[]) => boolean, stacks = leaks) =>
        stacks.filter(([frames]) => keep(frames)).reduce((s, [, bytes]) => s + bytes, 0);
      const total = sum(() => true);
      const startup = sum((frames) => frames.some((f) => f.includes("memtrace-startup-")));
      // How many requests a 3 s run serves depends on the machine's load; each kept its 5000-byte body.
      const served = Number(/served (\d+) requests/.exec(run.stderr)?.[1]);
      t.ok(
        served > 500 && total > 0.9 * served * 5000,
        `it kept the ${served} bodies it served (${(total / 1e6).toFixed(1)} MB)`,
      );
      // Of the memory outside V8's heap (whose pages, mapped by V8, hold the bodies in flight between threads).
      const outside = await leaksSince(file, marker!.time, "--allocator malloc,calloc,realloc");
      const atLine = sum((frames) => frames.includes(`keepBody (${app}:${keepLine})`), outside);
      const share = (100 * atLine) / sum(() => true, outside);
      t.ok(
        share >= 90,
        `at least 90% under keepBody at line ${keepLine}: ${share.toFixed(1)}% ` +
          `(${((100 * atLine) / total).toFixed(1)}% of all native bytes, V8's heap pages included)`,
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
