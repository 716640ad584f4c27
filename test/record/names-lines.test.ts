// The names of a long-running server's JIT frames on every other Node.js line memtrace has an agent for
// (native/node-lines.json; names.test.ts holds them on the tests' own node, with workers and lines): node's own
// record of its code agrees with every name, nothing the server kept while serving is under a start-up module,
// and what it copied into malloc'd memory is under the function that kept it. (On V8 13 and later Maglev code has
// no lines and V8's heap pages weigh more among what a server holds: docs/js-frames.md.)
import { readFileSync, rmSync } from "node:fs";
import t from "tap";
import { nodeLines } from "../fixtures/node-lines";
import { judgeNames, parseMap } from "./name-oracle";
import { MARKER_SIZE, leaksSince, recordServer } from "./server-run";

t.setTimeout(15 * 60 * 1000); // a fresh clone fetches and builds the lines first (CI does it before the tests)

const fetched = nodeLines();
const own = process.versions.v8.split(".").slice(0, 2).join(".");
const lines = typeof fetched === "string" ? [] : fetched.filter((l) => l.v8 !== own);
const unavailable = typeof fetched === "string" && !process.env.CI ? { skip: fetched } : {};
if (typeof fetched === "string" && process.env.CI) t.fail(fetched);

for (const line of lines) {
  t.test(`given Node.js ${line.node} (V8 ${line.v8}), a plain http server under load`, unavailable, async (t) => {
    const { run, file, capture } = await recordServer(t.testdir({}), "main", line.binary);
    t.match(run.stderr, /served \d+ requests, 24000 start-up entries/, run.stderr);
    const [pid] = capture.pids;
    t.teardown(() => rmSync(`/tmp/perf-${pid}.map`, { force: true }));

    const verdict = judgeNames(capture, pid, parseMap(readFileSync(`/tmp/perf-${pid}.map`, "utf8")));
    t.ok(verdict.judged > 500, `the map judged ${verdict.judged} JIT frames (${verdict.unjudged} not)`);
    t.ok(verdict.unjudged < verdict.judged / 5, "and could speak for most");
    t.equal(verdict.disagreed, 0, `every name is the map's: ${verdict.disagreements.join("; ")}`);

    const marker = capture.events.find((e) => e.pid === pid && e.size === MARKER_SIZE)!;
    const leaks = await leaksSince(file, marker.time, "--allocator malloc,calloc,realloc");
    const total = leaks.reduce((sum, [, bytes]) => sum + bytes, 0);
    const under = leaks.filter(([frames]) => frames.some((f) => f.startsWith("keepBody ")));
    const kept = under.reduce((sum, [, bytes]) => sum + bytes, 0);
    t.ok(
      kept >= 0.9 * total,
      `at least 90% of the malloc'd bytes under keepBody: ${((100 * kept) / total).toFixed(1)}%`,
    );
    t.notOk(
      leaks.some(([frames]) => frames.some((f) => f.includes("memtrace-startup-"))),
      "no byte under a start-up module",
    );
  });
}
