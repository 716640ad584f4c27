// fold --leaks at the app's end (APP_ENDED): what the app kept, before the runtime's teardown freed it.
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import { CaptureError } from "../../src/codec/errors";
import { Measure, ProcessEventKind, type Message } from "../../src/codec/model";
import { AppEnd } from "../../src/transforms/app-end";
import { filterMessages } from "../../src/transforms/filter";
import { Folder, foldMessages, type FoldOptions } from "../../src/transforms/fold";
import { measureTitle } from "../../src/transforms/measures";
import { CaptureBuilder, ThreadRole } from "../fixtures/builder";
import { appEnded, type AppEndedOptions } from "../fixtures/captures";
import { collect, dumpText, foldedRows } from "../fixtures/inspect";
import { UsageError } from "../../src/errors";

const raw = (options: AppEndedOptions = {}) => decodeAll(appEnded(options).bytes());

async function folded(input: Message[], options: FoldOptions) {
  const out = await collect(foldMessages(input, options));
  const header = out.find((m) => m.type === "header" && m.pid === 0);
  const info = header?.type === "header" ? header.header.fold : undefined;
  return { out, info, ...foldedRows(out) };
}

/** "function: bytes" of every row, by the innermost JS or native function named in `names`. */
function byFunction(rows: { stack: string; bytes: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) {
    const frames = r.stack.split(" > ");
    const name = frames.length > 1 ? frames[frames.length - 2] : frames[0];
    out[name] = (out[name] ?? 0) + r.bytes;
  }
  return out;
}

t.test(
  "given an app that keeps memory to its end, when folded by leaks, then its kept blocks are the rows",
  async (t) => {
    const f = await folded(raw(), { measure: "leaks" });
    t.same(
      byFunction(f.rows),
      {
        "keep (/app/keeps.js:4)": 1000,
        "keepInWorker (/app/keeps.js:14)": 500,
        "handOff (/app/keeps.js:20)": 40,
        uv__work_done: 200,
      },
      "teardown's frees do not count, nor what teardown allocated; a worker's blocks are taken at its own end",
    );
    t.equal(f.info?.measure, Measure.LEAKS);
    t.equal(f.info?.afterTeardown, false, "the folded header says: at the app's end");
    const [p] = f.processes;
    t.equal(p.appEndedNs, 9000, "the moment, per process");
    t.same([p.keptBytes, p.keptCount], [1740, 4], "what the app kept");
    t.same([p.leakedBytes, p.leakedCount], [37, 2], "what teardown left");
  },
);

t.test("given --after-teardown, when folded by leaks, then the rows are what was live at the end", async (t) => {
  const f = await folded(raw(), { measure: "leaks", afterTeardown: true });
  t.same(byFunction(f.rows), {
    "node::FreeEnvironment(node::Environment*)": 7,
    "node::worker::Worker::Run()": 30,
  });
  t.equal(f.info?.afterTeardown, true);
  t.same([f.processes[0].keptBytes, f.processes[0].leakedBytes], [1740, 37], "the totals are the same");
});

t.test("given the same run recorded without the marker, when folded by leaks, then the end is taken", async (t) => {
  const f = await folded(raw({ markers: false }), { measure: "leaks" });
  const teardown = await folded(raw(), { measure: "leaks", afterTeardown: true });
  t.same(f.rows, teardown.rows, "as every capture was read before the marker existed");
  const [p] = f.processes;
  t.same([p.appEndedNs, p.keptBytes, p.keptCount], [0, 37, 2], "kept is what was live at the end");
  const wire = decodeAll(encodeAll(f.out)).find((m) => m.type === "header" && m.pid === 0);
  t.match(dumpText(wire ? [wire] : []), /leaked_count=2 end_t=\d+\n/, "the dump shows nothing new for it");
});

t.test("given a worker that was still running when the app ended, then it is taken at the app's end", async (t) => {
  const f = await folded(raw({ workerLate: true }), { measure: "leaks" });
  t.same(
    byFunction(f.rows),
    {
      "keep (/app/keeps.js:4)": 1000,
      "node::worker::Worker::Run()": 30,
      uv__work_done: 200,
    },
    "its block freed by the main thread before the app's end is not kept; what it allocated before it is",
  );
});

t.test("given a threads' merge through the total order of a filter, when folded, then the same rows", async (t) => {
  const direct = await folded(raw(), { measure: "leaks" });
  const filtered = await collect(filterMessages(raw(), {}));
  const f = await folded(filtered, { measure: "leaks" });
  t.same(f.rows, direct.rows);
});

t.test("given other measures, then the totals still say what the app kept", async (t) => {
  for (const measure of ["peak", "total", "temporary"] as const) {
    const [p] = (await folded(raw(), { measure })).processes;
    t.same([p.appEndedNs, p.keptBytes, p.leakedBytes], [9000, 1740, 37], measure);
  }
});

t.test("given the JS heap alone, then the moment applies to JS samples", async (t) => {
  // Samples kept to the end, collected in teardown.
  const b = new CaptureBuilder();
  const proc = b.process(400);
  const main = proc.thread(400, "node", ThreadRole.ROLE_MAIN);
  const s = proc.stack(proc.js("holdObjects", "/app/objects.js", 2));
  proc.at(100);
  main.jsSample(1, 4096, 30, s).jsSample(2, 8192, 60, s);
  proc.at(200);
  proc.processEvent(ProcessEventKind.APP_ENDED, { tid: 400 });
  main.jsCollected(1).jsCollected(2);
  proc.end();
  const f = await folded(decodeAll(b.bytes()), { measure: "leaks", heap: "js" });
  t.same(
    f.rows.map((r) => [r.allocator, r.bytes, r.count]),
    [["js", 12288, 90]],
  );
});

t.test("given a stream folded by leaks, when folded again, then it keeps its moment", async (t) => {
  const once = decodeAll(encodeAll((await folded(raw(), { measure: "leaks" })).out));
  const twice = await collect(foldMessages(once, {}));
  t.equal(dumpText(decodeAll(encodeAll(twice))), dumpText(once), "fold | fold == fold");
  const again = await collect(foldMessages(once, { measure: "leaks" }));
  t.equal(dumpText(decodeAll(encodeAll(again))), dumpText(once), "--leaks, then --leaks");
  await t.rejects(
    collect(foldMessages(once, { measure: "leaks", afterTeardown: true })),
    new CaptureError(
      "the input was already folded with --leaks at the app's end; fold the raw capture with --leaks --after-teardown instead",
      0,
    ),
  );
  const late = decodeAll(encodeAll((await folded(raw(), { measure: "leaks", afterTeardown: true })).out));
  const kept = await collect(foldMessages(late, { measure: "leaks" }));
  t.equal(dumpText(decodeAll(encodeAll(kept))), dumpText(late), "an input after teardown stays so");
});

t.test("given afterTeardown with another measure, then fold refuses it", async (t) => {
  t.throws(() => new Folder(() => {}, { measure: "peak", afterTeardown: true }), UsageError);
  t.throws(() => new Folder(() => {}, { afterTeardown: true }), UsageError);
});

t.test("AppEnd: moments pass in time order, once per thread, and the process's ends them all", async (t) => {
  const end = new AppEnd(10);
  const passed: string[] = [];
  const pass = (time: number) =>
    end.pass(
      time,
      (tid) => passed.push(`thread ${tid}`),
      () => passed.push("process"),
    );
  const marker = (tid: number, timeNs: number) =>
    end.note({ kind: ProcessEventKind.APP_ENDED, timeNs, tid, childPid: 0, exitCode: 0, signal: 0, argv: [] });
  end.note({ kind: ProcessEventKind.EXITED, timeNs: 1, tid: 0, childPid: 0, exitCode: 0, signal: 0, argv: [] });
  t.equal(end.next, Infinity, "other kinds are not moments");
  marker(12, 500);
  marker(11, 300);
  marker(11, 100);
  t.equal(end.next, 300, "a thread's second marker is ignored");
  pass(299);
  t.same(passed, []);
  pass(300);
  t.same(passed, ["thread 11"], "a moment passes at an event at its time");
  t.ok(end.hasPassed(11));
  t.notOk(end.hasPassed(12));
  marker(0, 400);
  t.equal(end.processEnded, 400, "tid 0 is the process's");
  pass(1000);
  t.same(passed, ["thread 11", "process"], "thread 12's end came after the process's: it is taken at the latter");
  t.ok(end.hasPassed(99), "every thread has passed with the process");
  t.equal(end.next, Infinity);
});

t.test("given a folded stream at the app's end, then its dump and its title say which moment", async (t) => {
  const f = await folded(raw(), { measure: "leaks" });
  const text = dumpText(decodeAll(encodeAll(f.out)));
  t.match(text, /process APP_ENDED t=5000 .* tid=301\n/, "each marker with its thread");
  t.match(text, /process APP_ENDED t=9000 .* tid=300\n/);
  t.match(text, /leaked_bytes=37 leaked_count=2 end_t=\d+ app_ended_t=9000 kept_bytes=1740 kept_count=4\n/);
  t.notMatch(text, /after_teardown/, "shown when set");
  t.equal(measureTitle(Measure.LEAKS, f.info), "Leaked memory (live at the app's end, before node's teardown)");
  const after = await folded(raw(), { measure: "leaks", afterTeardown: true });
  t.match(dumpText(decodeAll(encodeAll(after.out))), / after_teardown=true[ \n]/);
  t.equal(measureTitle(Measure.LEAKS, after.info), "Leaked memory (live at exit, after node's teardown)");
  const old = await folded(raw({ markers: false }), { measure: "leaks" });
  t.equal(measureTitle(Measure.LEAKS, old.info), "Leaked memory (live at exit)");
  t.equal(measureTitle(Measure.LEAKS), "Leaked memory (live at exit)");
});
