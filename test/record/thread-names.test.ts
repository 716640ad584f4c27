// A worker's `name` option names its thread in the capture, and so in every report, on each Node.js line where
// the worker can read it (Node 22 and later: worker_threads.threadName, which the agent hands to the recorder).
// Node 20 does not tell a worker its name (docs/thread-names.md): its workers are "worker", told apart by threadId.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { ThreadRole } from "../../src/codec/model";
import { nodeLines, type NodeLine } from "../fixtures/node-lines";
import { APPS, Capture, MALLOC, memtrace } from "./capture";

t.setTimeout(15 * 60 * 1000); // a fresh clone fetches and builds the lines first (CI does it before the tests)

const app = join(APPS, "named-workers.js");
const lineOf = (v8: string) => v8.split(".").slice(0, 2).join(".");
const self: NodeLine = { node: process.versions.node, v8: lineOf(process.versions.v8), binary: process.execPath };

const fetched = nodeLines();
const lines = typeof fetched === "string" ? [self] : [self, ...fetched.filter((l) => l.v8 !== self.v8)];
const unavailable = typeof fetched === "string" && !process.env.CI ? { skip: fetched } : {};
if (typeof fetched === "string" && process.env.CI) t.fail(fetched);

/** The names the app's workers must have on a Node.js major, in the app's order (blocks of 1501, 1502, ...). */
function expectedNames(major: number): string[] {
  if (major < 22) return ["worker", "worker", "worker", "worker"];
  // Node 24 names an unnamed worker's OS thread itself. The last name is cut to 63 bytes, between characters.
  return ["resizer", major < 24 ? "worker" : "WorkerThread", "thumbnail-resizer-pool", "é".repeat(31)];
}

for (const line of lines) {
  const major = Number(line.node.split(".")[0]);
  t.test(`given Node.js ${line.node}, an app whose workers have names`, line === self ? {} : unavailable, async (t) => {
    const file = join(t.testdir({}), "named.mtr");
    const run = await memtrace(["record", "--no-paired", "-o", file, "--", line.binary, app], {
      withoutTestHooks: true,
      timeoutMs: 60_000,
    });
    t.equal(run.status, 0, run.stderr);
    t.equal(run.stderr, "named workers done\n");
    const capture = new Capture(readFileSync(file));
    const [pid] = capture.pids;
    const threads = capture.threads(pid);

    const workers = [1501, 1502, 1503, 1504].map((size) => {
      const tids = new Set(capture.events.filter((e) => e.kind === MALLOC && e.size === size).map((e) => e.tid));
      t.equal(tids.size, 1, `the blocks of ${size} bytes in one thread`);
      return threads.get([...tids][0]);
    });
    t.same(
      workers.map((w) => w?.name),
      expectedNames(major),
      "each worker's thread by the name the app gave it",
    );
    t.ok(
      workers.every((w) => w?.role === ThreadRole.ROLE_WORKER),
      "each a worker thread",
    );
    t.equal(new Set(workers.map((w) => w?.workerId)).size, 4, "with a threadId each");

    if (major >= 22) {
      const stats = await memtrace(["stats", file], { timeoutMs: 60_000 });
      t.equal(stats.status, 0, stats.stderr);
      t.match(stats.stdout.toString(), /^\s*\d+\s+\d+\s+resizer\s/m, "stats lists the thread by its name");
    }
  });
}
