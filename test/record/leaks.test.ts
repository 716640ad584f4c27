// --leaks is what the app kept to its end, however it ended: the recorder marks the end of the app's code in every
// isolate (APP_ENDED), before node's teardown frees what the app kept, and fold measures there.
import type { ChildProcess } from "node:child_process";
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { ProcessEventKind, ThreadRole } from "../../src/codec/model";
import { foldMessages, type FoldOptions } from "../../src/transforms/fold";
import { collect, foldedRows } from "../fixtures/inspect";
import { APPS, Capture, memtrace, plainNode } from "./capture";

const app = join(APPS, "keeps.js");
const tmp = mkdtempSync(join(tmpdir(), "memtrace-leaks-"));
const plain = { withoutTestHooks: true };
const MiB = 1024 * 1024;
/** keepBuffers keeps 24 Buffers of 1 MiB. */
const BUFFERS = 24 * MiB;
/** And keepZlib 24 deflate streams, each with at least its window, hash chains and heads (zlib's deflateInit2). */
const ZLIB_AT_LEAST = 24 * 256 * 1024;

/** Bytes under each function, by the folded rows: a row counts for every function its stack passes through once. */
async function under(capture: Capture, options: FoldOptions, names: string[]): Promise<Record<string, number>> {
  const { rows } = foldedRows(await collect(foldMessages(capture.messages, options)));
  const out: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const r of rows) {
    const frames = new Set(r.stack.split(" > ").map((f) => f.replace(/ \(.*$/, "")));
    for (const n of names) if (frames.has(n)) out[n] += r.bytes;
  }
  return out;
}

const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;

for (const [how, status] of [
  ["natural", 0],
  ["exit", 0],
  ["throw", 1],
  ["worker", 0],
] as const) {
  t.test(`given an app that keeps memory to its end and ends by ${how}, --leaks finds it`, async (t) => {
    const out = join(tmp, `${how}.mtrace`);
    const [alone, recorded] = [
      await plainNode([app, how], plain),
      await memtrace(["record", "--no-paired", "-o", out, app, how], plain),
    ];
    t.equal(alone.status, status, "the app's own exit code");
    t.equal(recorded.status, alone.status, "the same when recorded");
    t.equal(recorded.stdout.toString(), alone.stdout.toString(), "the same stdout");
    t.equal(recorded.stderr, alone.stderr, "the same stderr (exit listeners, the uncaught exception's trace)");

    const capture = new Capture(readFileSync(out));
    t.same(capture.warnings, [], "a complete capture");
    const [pid] = capture.pids;
    const ends = capture.messages.flatMap((m) =>
      m.type === "process" && m.event.kind === ProcessEventKind.APP_ENDED ? [m.event] : [],
    );
    const mainEnd = ends.find((e) => e.tid === pid);
    t.ok(mainEnd, "the main thread's app end is recorded");
    const keeper =
      how === "worker" ? [...capture.threads(pid).values()].find((x) => x.role === ThreadRole.ROLE_WORKER) : undefined;
    if (how === "worker") {
      t.ok(keeper, "the worker's thread");
      t.ok(
        ends.some((e) => e.tid === keeper?.tid && e.timeNs < mainEnd!.timeNs),
        "and the worker's own, before the process's",
      );
    }
    t.equal(ends.length, how === "worker" ? 2 : 1, "one per isolate");

    const names = ["keepBuffers", "keepZlib"];
    const leaks = await under(capture, { measure: "leaks" }, names);
    const peak = await under(capture, { measure: "peak" }, names);
    const teardown = await under(capture, { measure: "leaks", afterTeardown: true }, names);
    t.ok(peak.keepZlib >= ZLIB_AT_LEAST, `keepZlib held ${mib(peak.keepZlib)} of zlib's own memory at the peak`);
    t.ok(leaks.keepBuffers >= 0.9 * BUFFERS, `--leaks: ${mib(leaks.keepBuffers)} of ${mib(BUFFERS)} under keepBuffers`);
    t.ok(
      leaks.keepZlib >= 0.9 * peak.keepZlib,
      `--leaks: ${mib(leaks.keepZlib)} of ${mib(peak.keepZlib)} under keepZlib`,
    );
    if (how === "natural" || how === "worker") {
      // What made the marker necessary: teardown frees what the app kept before the process ends.
      t.ok(teardown.keepBuffers < 0.1 * BUFFERS, `after teardown, ${mib(teardown.keepBuffers)} under keepBuffers`);
    }
  });
}

t.test("given the natural end, summary --leaks says which moment it took", async (t) => {
  const run = await memtrace(["summary", "--leaks", "--sort", "total", "--top", "100", join(tmp, "natural.mtrace")]);
  t.equal(run.status, 0, run.stderr);
  t.match(
    run.stdout.toString(),
    /^Leaked memory[^:]*: [\d.]+ MiB still live at the app's end in [\d,]+ allocations, before node's teardown\n/,
  );
  // In the app view the function that kept the Buffers owns them (the runtime under it is its detail).
  t.match(run.stdout.toString(), /\nkeepBuffers \(.*keeps\.js:\d+\) +2[45]\.\d MiB +[\d.]+% +2[45]\.\d MiB/);
});

/** Sends SIGTERM to the app once it has said "ready <pid>" and the recorder has flushed a few times. */
function terminateWhenReady(child: ChildProcess) {
  let text = "";
  child.stderr?.on("data", (b: Buffer) => {
    text += b.toString();
    const m = /ready (\d+)/.exec(text);
    if (m && !text.includes("sent")) {
      text += "sent";
      setTimeout(() => process.kill(Number(m[1]), "SIGTERM"), 500);
    }
  });
}

t.test(
  "given a SIGTERM that the app handles with process.exit, its end is recorded and --leaks finds it",
  async (t) => {
    const out = join(tmp, "handled.mtrace");
    const run = await memtrace(["record", "--no-paired", "-o", out, app, "signal", "handle"], {
      ...plain,
      started: terminateWhenReady,
    });
    t.equal(run.status, 0, "the app's handler exits 0");
    const capture = new Capture(readFileSync(out));
    t.same(capture.warnings, []);
    t.ok(capture.messages.some((m) => m.type === "process" && m.event.kind === ProcessEventKind.APP_ENDED));
    const leaks = await under(capture, { measure: "leaks" }, ["keepBuffers"]);
    t.ok(leaks.keepBuffers >= 0.9 * BUFFERS, `--leaks: ${mib(leaks.keepBuffers)} under keepBuffers`);
  },
);

t.test("given a SIGTERM that kills the app, nothing is freed and --leaks takes the end of the capture", async (t) => {
  const out = join(tmp, "killed.mtrace");
  const run = await memtrace(["record", "--no-paired", "-o", out, app, "signal"], {
    ...plain,
    started: terminateWhenReady,
  });
  t.equal(run.signal, "SIGTERM", "the app died of it, and memtrace the same way");
  const capture = new Capture(readFileSync(out));
  t.match(capture.warnings, [/has no trailer/], "the capture is cut short");
  t.notOk(
    capture.messages.some((m) => m.type === "process" && m.event.kind === ProcessEventKind.APP_ENDED),
    "no app end: the process ended without its teardown",
  );
  const leaks = await under(capture, { measure: "leaks" }, ["keepBuffers"]);
  t.ok(leaks.keepBuffers >= 0.9 * BUFFERS, `--leaks: ${mib(leaks.keepBuffers)} under keepBuffers`);
});
