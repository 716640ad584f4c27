// The live model on captures made by the test builder: what is live now, at the peak and lately, per thread and
// merged, in the app view; threads in order with their names; processes apart; a capture read in pieces gives
// the same snapshot as one read whole.
import t from "tap";
import { Decoder, decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import type { Message } from "../../src/codec/model";
import { Pairer } from "../../src/transforms/pair";
import { LiveModel } from "../../src/live/model";
import type { LiveRequest, LiveSnapshot } from "../../src/live/snapshot";
import { CaptureBuilder, ProcessEventKind, ThreadRole } from "../fixtures/builder";
import { handComputed } from "../fixtures/captures";

const MIB = 1 << 20;

/** A process whose main thread grows in `grow` and whose worker "resizer" grows in `resize`, second by second. */
function growing(seconds: number, end = true): CaptureBuilder {
  const c = new CaptureBuilder();
  const p = c.process(100, { argv: ["node", "/app/grow.js"] });
  const main = p.thread(100, "node", ThreadRole.ROLE_MAIN);
  const worker = p.thread(101, "resizer", ThreadRole.ROLE_WORKER, 1);
  const pool = p.thread(102, "libuv worker", ThreadRole.ROLE_POOL);
  const root = p.js("main", "/app/grow.js", 1);
  const grow = p.stack(
    p.native("node::Start"),
    root,
    p.js("grow", "/app/grow.js", 8),
    p.native("malloc", "/lib/libc.so.6"),
  );
  const resize = p.stack(p.native("node::worker::Worker::StartThread"), p.js("resize", "/app/grow.js", 12));
  const temp = p.stack(p.native("node::Start"), root, p.js("scratch", "/app/grow.js", 20));
  const work = p.stack(p.native("uv_worker"), p.native("deflate", "/lib/libz.so.1"));
  let address = 0x100000;
  for (let s = 0; s < seconds; s++) {
    p.at(s * 1e9 + 1e6);
    main.malloc(address++, MIB, grow);
    worker.malloc(address++, MIB / 2, resize);
    const tmp = address++;
    main.malloc(tmp, 4 * MIB, temp);
    pool.malloc(address++, 1000, work);
    p.after(1e6);
    main.free(tmp);
    p.flush();
  }
  if (end) p.end();
  return c;
}

function request(fields: Partial<LiveRequest> = {}): LiveRequest {
  return { merged: false, measure: "live", rows: 20, ...fields };
}

function fed(c: CaptureBuilder, end = true): LiveModel {
  const model = new LiveModel();
  for (const m of decodeAll(c.bytes())) model.push(m);
  if (end) model.end();
  return model;
}

const row = (s: LiveSnapshot, name: string) => s.rows.find((r) => r.name === name);

t.test("given a growing app, the main thread's snapshot shows its growing function in the app view", async (t) => {
  const s = fed(growing(12)).snapshot(request());
  t.equal(s.pid, 100);
  t.equal(s.tid, 100, "the main thread by default");
  t.equal(s.processes[0].command, "node /app/grow.js");
  t.equal(s.processes[0].liveBytes, 12 * (MIB + MIB / 2 + 1000), "live bytes of the whole process");
  t.equal(s.processes[0].peakBytes, 12 * (MIB + MIB / 2 + 1000) + 4 * MIB, "with one temporary");
  t.equal(s.processes[0].events, 12 * 5);
  t.ok(s.complete);
  const grow = row(s, "grow")!;
  t.same([grow.ownBytes, grow.totalBytes, grow.ownCount], [12 * MIB, 12 * MIB, 12], "own: the JS function");
  t.equal(grow.file, "/app/grow.js:8", "its file and line");
  t.notOk(row(s, "malloc"), "the allocator is runtime detail, not a row of its own");
  t.notOk(row(s, "resize"), "the worker's function is not the main thread's");
  t.equal(s.totalBytes, 12 * MIB);
  t.equal(row(s, "main")!.totalBytes, 12 * MIB, "the caller's total");
  t.ok(s.processes[0].series.length > 10, "a heap series over the run");
  t.equal(s.processes[0].series.at(-1), s.processes[0].liveBytes, "ending at the heap now");
});

t.test("threads: the main thread, workers by name, the pool; merged; selecting one", async (t) => {
  const model = fed(growing(3));
  const s = model.snapshot(request());
  t.same(
    s.threads.map((x) => [x.tid, x.name, x.kind]),
    [
      [100, "main", "main thread"],
      [101, "resizer", "worker thread"],
      [102, "libuv worker", "libuv threadpool"],
    ],
  );
  const w = model.snapshot(request({ pid: 100, tid: 101 }));
  t.equal(w.tid, 101);
  t.same(w.rows.map((r) => r.name).sort(), ["(worker thread)", "resize"], "the worker's own rows");
  const m = model.snapshot(request({ merged: true }));
  t.equal(m.tid, undefined);
  t.ok(row(m, "grow") && row(m, "resize") && row(m, "(libuv threadpool)"), "every thread's rows");
  t.equal(m.totalBytes, 3 * (MIB + MIB / 2 + 1000));
  const unknown = model.snapshot(request({ pid: 100, tid: 999 }));
  t.equal(unknown.tid, 100, "a thread that is not there: the main thread");
});

t.test("measures: live now, live at the peak, allocated in the last seconds", async (t) => {
  const model = fed(growing(14));
  const peak = model.snapshot(request({ measure: "peak" }));
  t.equal(row(peak, "scratch")?.ownBytes, 4 * MIB, "the temporary block was live at the peak");
  t.equal(row(peak, "grow")?.ownBytes, 14 * MIB, "the peak came with the last temporary block");
  const live = model.snapshot(request());
  t.notOk(row(live, "scratch"), "nothing of it is live now");
  const recent = model.snapshot(request({ measure: "recent" }));
  const grew = row(recent, "grow")!.ownBytes;
  t.ok(grew >= 9 * MIB && grew <= 11 * MIB, `about the last 10 s of 14 (${grew / MIB} MiB)`);
  t.ok(row(recent, "scratch")!.ownBytes >= 36 * MIB, "freed or not, what was allocated");
});

t.test("rows: the top by each sort, not more", async (t) => {
  const s = fed(handComputed()).snapshot(request({ rows: 1, merged: true }));
  t.ok(s.rows.length >= 1 && s.rows.length <= 3, "at most one per sort");
  t.ok(s.locations >= s.rows.length);
  const second = fed(handComputed()).snapshot(request({ pid: 20 }));
  t.equal(second.pid, 20, "another process");
  t.equal(second.processes.length, 2);
});

t.test("a capture read in pieces as it is written: the same as read whole", async (t) => {
  const bytes = growing(6).bytes();
  const whole = fed(growing(6));
  const model = new LiveModel();
  const decoder = new Decoder((m) => model.push(m));
  let before: LiveSnapshot | undefined;
  for (let at = 0; at < bytes.length; at += 97) {
    decoder.push(bytes.slice(at, Math.min(bytes.length, at + 97)));
    if (!before && at > bytes.length / 2) before = model.snapshot(request());
  }
  t.ok(before && before.processes[0].liveBytes < whole.snapshot(request()).processes[0].liveBytes, "half-way: less");
  t.notOk(before!.complete, "not complete yet");
  decoder.end();
  model.end();
  model.end();
  const a = model.snapshot(request());
  const b = whole.snapshot(request());
  t.same({ ...a, seq: 0 }, { ...b, seq: 0 });
});

t.test("a capture paired at record time (format version 2): the same snapshots as its unpaired form", async (t) => {
  const messages = decodeAll(growing(12).bytes());
  const paired: Message[] = [];
  const pairer = new Pairer((m) => paired.push(m));
  for (const m of messages) pairer.push(m);
  pairer.end();
  t.ok(
    paired.some((m) => m.type === "paired") && !paired.some((m) => m.type === "events"),
    "the capture's events are paired",
  );
  // Through the wire and the decoder the fold worker uses.
  const model = new LiveModel();
  const decoder = new Decoder((m) => model.push(m), { paired: true });
  decoder.push(encodeAll(paired));
  decoder.end();
  model.end();
  const unpaired = fed(growing(12));
  // The heap series and the last seconds' totals ("recent") are sampled between Records: this capture's paired
  // rows come in one batch of 12 seconds, sampled once (the recorder writes a batch a round, many a second), so
  // those are left out here.
  const figures = (s: LiveSnapshot) => ({
    ...s,
    seq: 0,
    processes: s.processes.map((p) => ({ ...p, series: [] })),
  });
  for (const r of [request(), request({ measure: "peak" }), request({ merged: true }), request({ tid: 101 })]) {
    t.same(
      figures(model.snapshot(r)),
      figures(unpaired.snapshot(r)),
      `${r.measure} ${r.merged ? "merged" : (r.tid ?? "main")}`,
    );
  }
  t.equal(model.snapshot(request()).processes[0].events, 12 * 5, "every event folded");
});

t.test("a late resolution renames the frames already shown; an exec renames the process", async (t) => {
  const c = new CaptureBuilder();
  const p = c.process(7, { argv: ["node", "a.js"] });
  const main = p.thread(7, "node", ThreadRole.ROLE_MAIN);
  const frame = p.unresolvedFrame(0x1234);
  const s = p.stack(p.js("main", "/app/a.js", 1), frame);
  main.malloc(0x10, 100, s);
  main.malloc(0x20, 50, p.stack(p.js("main", "/app/a.js", 1), frame, p.js("inner", "/app/a.js", 20)));
  main.malloc(0x30, 30, p.stack(p.js("main", "/app/a.js", 1), p.js("other", "/app/a.js", 30)));
  p.flush();
  p.resolve([[frame, p.js("late", "/app/a.js", 9)]]);
  p.processEvent(ProcessEventKind.EXECED, { argv: ["node", "b.js"] });
  p.end();
  const messages = decodeAll(c.bytes());
  const at = messages.findIndex((m) => m.type === "resolution");
  const model = new LiveModel();
  for (const m of messages.slice(0, at)) model.push(m);
  const before = model.snapshot(request());
  t.notOk(row(before, "late"), "not named yet");
  t.equal(before.processes[0].command, "node a.js");
  for (const m of messages.slice(at)) model.push(m);
  const after = model.snapshot(request());
  t.equal(row(after, "late")?.ownBytes, 100, "named once resolved");
  t.equal(row(after, "late")?.totalBytes, 150, "the stacks below the renamed frame are renamed too");
  t.equal(row(after, "inner")?.ownBytes, 50);
  t.equal(row(after, "other")?.ownBytes, 30, "a stack not through it keeps its copy");
  t.equal(row(after, "main")?.totalBytes, 180);
  t.equal(after.processes[0].command, "node b.js", "the program it became");
  t.ok(after.processes[0].ended, "its trailer came");
});

t.test("a refresh between two whole snapshots: the header's figures now, the table as it was", async (t) => {
  const messages = decodeAll(growing(12, false).bytes());
  const half = messages.findIndex((m, i) => i > messages.length / 2 && m.type === "events");
  const model = new LiveModel();
  for (const m of messages.slice(0, half)) model.push(m);
  const before = model.snapshot(request());
  for (const m of messages.slice(half)) model.push(m);
  const refreshed = model.refresh(before, { behindBytes: 7 });
  const now = model.snapshot(request());
  t.ok(refreshed.seq > before.seq, "a newer snapshot");
  t.ok(refreshed.processes[0].events > before.processes[0].events, "the events folded since");
  t.same(refreshed.processes, now.processes, "the heap, its peak, the events and the plot as they are now");
  t.same(refreshed.rows, before.rows, "the table of the last whole snapshot");
  t.equal(refreshed.totalBytes, before.totalBytes);
  t.equal(refreshed.behindBytes, 7);
  t.ok(now.totalBytes > before.totalBytes, "which the next whole snapshot updates");
});
