// track() in a plain node process (no LD_PRELOAD): the capture holds the window's allocations, in every thread, with
// their JS functions named, and nothing allocated before or after it; stop() twice, a second window, the process
// exiting while recording (also while the capture's reader is slow), a second track() at once, track() under
// memtrace record, and pairing: by default, as memtrace record's, and `paired: false`. The tests that read the
// events one by one record unpaired (MEMTRACE_PAIRED=0).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import type { Message } from "../../src/codec/model";
import { foldMessages, type FoldOptions } from "../../src/transforms/fold";
import { collect } from "../fixtures/inspect";
import { Capture, memtrace, node as nodeRun, isAllocation, type Event, type Run } from "../record/capture";

const app = join(__dirname, "apps", "window.js");
const tmp = mkdtempSync(join(tmpdir(), "memtrace-track-"));
const BEFORE = 700_001;
const INSIDE = 600_001;
const AFTER = 800_001;
const IN_WORKER = 500_001;

/** The app run by plain node, recording unpaired unless `paired` says otherwise (MEMTRACE_PAIRED's value). */
function node(args: string[], paired = "0"): Promise<Run> {
  return nodeRun(args, { env: paired === "" ? {} : { MEMTRACE_PAIRED: paired }, timeoutMs: 60_000 });
}

function capture(file: string): Capture {
  return new Capture(readFileSync(file));
}

const allocationsOf = (c: Capture, size: number): Event[] =>
  c.events.filter((e) => isAllocation(e.kind) && e.size === size);

/** Whether a frame named `name` is on the event's stack. */
const under = (c: Capture, e: Event, name: string) => c.frames(e.pid, e.stack).some((f) => f.name === name);

t.test(
  "given a plain node process, when track() records a window, then the capture holds that window alone",
  async (t) => {
    const file = join(tmp, "plain.mtrace");
    const run = await node(["--expose-gc", app, file, "plain"]);
    t.equal(run.status, 0, run.stderr);
    t.match(run.stdout.toString(), /done/);
    const c = capture(file);
    t.same(c.warnings, []);
    t.equal(c.pids.length, 1, "one process");
    t.ok(c.trailer(c.pids[0]), "the capture ends with its Trailer");
    const inside = allocationsOf(c, INSIDE);
    t.equal(inside.length, 8, "every Buffer made in the window");
    t.ok(
      inside.every((e) => under(c, e, "inWindow")),
      "under inWindow, named from the code V8 had compiled",
    );
    t.same(allocationsOf(c, BEFORE), [], "nothing made before start");
    t.same(allocationsOf(c, AFTER), [], "nothing made after stop");
    t.equal(c.header(c.pids[0])?.nodeVersion, process.version, "the Header names this node");
    // The Buffers made before the window are freed in it: frees of blocks it never saw, which fold skips.
    const { stdout } = await memtrace(["stats", "--json", file]);
    const stats = JSON.parse(stdout.toString()) as {
      processes: { unmatchedDeallocations: number; leakedBytes: number }[];
    };
    t.ok(stats.processes[0].unmatchedDeallocations >= 4, "the earlier Buffers' frees match nothing");
    t.ok(stats.processes[0].leakedBytes >= 8 * INSIDE, "and take nothing off the window's own");
  },
);

t.test(
  "given a worker allocating during the window, then its allocations are in the capture, on its thread",
  async (t) => {
    const file = join(tmp, "worker.mtrace");
    const run = await node([app, file, "worker"]);
    t.equal(run.status, 0, run.stderr);
    const c = capture(file);
    const fromWorker = allocationsOf(c, IN_WORKER);
    t.equal(fromWorker.length, 6, "every Buffer the worker made");
    t.ok(
      fromWorker.every((e) => e.tid !== e.pid),
      "on the worker's thread",
    );
    t.equal(allocationsOf(c, INSIDE).length, 8, "and the main thread's");
  },
);

t.test("given stop() called twice, then the second is a no-op and a new window records afresh", async (t) => {
  const file = join(tmp, "twice.mtrace");
  const run = await node([app, file, "twice"]);
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout.toString(), /stopped twice/);
  for (const f of [file, `${file}.2`]) {
    const c = capture(f);
    t.same(c.warnings, [], f);
    t.equal(c.messages.filter((m) => m.type === "trailer").length, 1, `${f}: one Trailer`);
    t.equal(allocationsOf(c, INSIDE).length, 8, `${f}: its window's Buffers`);
    t.same(allocationsOf(c, AFTER), [], `${f}: nothing after its stop`);
  }
});

for (const [how, status] of [
  ["exit", 3],
  ["natural", 0],
] as const) {
  t.test(`given the process ending (${how}) while recording, then the capture is complete`, async (t) => {
    const file = join(tmp, `${how}.mtrace`);
    const run = await node([app, file, how]);
    t.equal(run.status, status, `the app's own exit code (signal ${run.signal}; stderr: ${run.stderr})`);
    const c = capture(file);
    t.same(c.warnings, []);
    t.ok(c.trailer(c.pids[0]), "the Trailer is written at exit");
    t.equal(allocationsOf(c, INSIDE).length, 8);
  });
}

t.test("given track(file, fn), then it resolves with fn's result once the recording stopped", async (t) => {
  const file = join(tmp, "function.mtrace");
  const run = await node([app, file, "function"]);
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout.toString(), /result 42/);
  const c = capture(file);
  t.ok(c.trailer(c.pids[0]));
  t.equal(allocationsOf(c, INSIDE).length, 8);
  t.same(allocationsOf(c, AFTER), []);
});

t.test("given a second track() while one records, then it is refused", async (t) => {
  const file = join(tmp, "overlap.mtrace");
  const run = await node([app, file, "overlap"]);
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout.toString(), /second: a recording is already running in this process/);
  t.notOk(existsSync(`${file}.2`), "no second file");
  t.ok(capture(file).trailer(capture(file).pids[0]));
});

t.test(
  "given memtrace record, when the app calls track(), then it is refused and nothing is counted twice",
  async (t) => {
    const file = join(tmp, "under-record.mtrace");
    const recorded = join(tmp, "record.mtrace");
    const run = await memtrace(["record", "-o", recorded, "--", process.execPath, app, file, "overlap"], {
      withoutTestHooks: true,
    });
    t.equal(run.status, 1, "the app's uncaught TrackError ends it");
    t.match(run.stderr, /recorded by `memtrace record` from its start/);
    t.notOk(existsSync(file));
  },
);

t.test(
  "given the capture's reader slow while the process exits, then the exit code holds and the capture is complete",
  async (t) => {
    // exit() waits in the recorder's last round for the reader, for a second here: the agent's poller thread must not
    // go on asking the isolate meanwhile (it read the list of isolates after exit had freed it, and crashed).
    const fifo = join(tmp, "slow.fifo");
    const out = join(tmp, "slow.mtrace");
    t.equal(spawnSync("mkfifo", [fifo]).status, 0, "mkfifo");
    const reader = spawn("/bin/sh", ["-c", 'exec 3< "$1"; sleep 1; exec cat <&3 > "$2"', "sh", fifo, out], {
      stdio: "ignore",
      timeout: 60_000,
    });
    const read = new Promise((resolve) => reader.once("close", resolve));
    const run = await node([app, fifo, "exit"]);
    await read;
    t.equal(run.status, 3, `the app's own exit code (signal ${run.signal}; stderr: ${run.stderr})`);
    const c = capture(out);
    t.same(c.warnings, []);
    t.ok(c.trailer(c.pids[0]), "the Trailer is written at exit");
    t.equal(allocationsOf(c, INSIDE).length, 8);
  },
);

const rows = (messages: Message[], type: "events" | "paired") =>
  messages.reduce((n, m) => n + (m.type === type ? m.batch.length : 0), 0);

/** The Location row of `summary`'s table for `name`: its bytes and counts (its shares depend on the whole run). */
async function summaryRow(file: string, name: string): Promise<string | undefined> {
  const { stdout } = await memtrace(["summary", file]);
  const line = stdout
    .toString()
    .split("\n")
    .find((l) => l.startsWith(`${name} (`));
  return line
    ?.replace(/^\S+ \([^)]*\)\s+/, "")
    .replace(/\s*\S+%/g, "")
    .replace(/\s+/g, " ");
}

t.test("given track() without paired, then it pairs as memtrace record does, and the reports read it", async (t) => {
  const file = join(tmp, "paired.mtrace");
  const run = await node([app, file, "plain"], "");
  t.equal(run.status, 0, run.stderr);
  const messages = decodeAll(readFileSync(file), { paired: true });
  const headers = messages.flatMap((m) => (m.type === "header" ? [m.header] : []));
  t.same(
    headers.map((h) => h.version),
    [4],
    "the Header says format version 4",
  );
  t.ok(rows(messages, "paired") > 0, "paired rows");
  t.equal(rows(messages, "events"), 0, "and no events as they came");
  t.ok(
    messages.some((m) => m.type === "trailer"),
    "the Trailer",
  );

  const unpaired = join(tmp, "unpaired.mtrace");
  const without = await node([app, unpaired, "unpaired"], "");
  t.equal(without.status, 0, without.stderr);
  const c = capture(unpaired);
  t.same(c.warnings, []);
  t.equal(c.header(c.pids[0])?.version, 1, "paired: false records events as they came (version 1)");
  t.equal(allocationsOf(c, INSIDE).length, 8);
  const [pairedRow, unpairedRow] = [await summaryRow(file, "inWindow"), await summaryRow(unpaired, "inWindow")];
  t.ok(pairedRow, "summary names the window's function");
  t.equal(pairedRow, unpairedRow, "with the same figures as the unpaired recording's");
});

t.test(
  "given track() recording both forms at once (MEMTRACE_PAIRED=2), then fold gives the same of both",
  async (t) => {
    const file = join(tmp, "both.mtrace");
    const run = await node([app, file, "worker"], "2");
    t.equal(run.status, 0, run.stderr);
    const both = decodeAll(readFileSync(file), { paired: true });
    const headers = both.flatMap((m) => (m.type === "header" ? [m.header] : []));
    t.ok(headers.length > 0 && headers.every((h) => h.version === 4), "version 4");
    t.ok(rows(both, "paired") > 100, "paired rows");
    t.equal(rows(both, "paired"), rows(both, "events"), "one paired row per event");
    const pairedOnly = both.filter((m) => m.type !== "events");
    const unpaired = both
      .filter((m) => m.type !== "paired" && m.type !== "sites")
      .map((m) => (m.type === "header" ? { ...m, header: { ...m.header, version: 1 } } : m));
    const folded = async (messages: Message[], options: FoldOptions) =>
      Buffer.from(encodeAll(await collect(foldMessages(messages, options))));
    for (const options of [{}, { measure: "leaks" }, { measure: "temporary" }] as FoldOptions[]) {
      const [a, b] = [await folded(pairedOnly, options), await folded(unpaired, options)];
      t.ok(a.equals(b), `the same folded bytes, ${JSON.stringify(options)}`);
    }
  },
);
