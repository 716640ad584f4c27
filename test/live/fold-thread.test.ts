// The fold worker on real descriptors: a capture file followed as it is written (in pieces, then complete), a
// pipe read to its end, and a file that is not a capture (an error on screen, not a crash).
import { closeSync, createReadStream, mkdtempSync, openSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import type { Message } from "../../src/codec/model";
import { FoldThread } from "../../src/live/fold-thread";
import { Pairer } from "../../src/transforms/pair";
import type { LiveSnapshot } from "../../src/live/snapshot";
import { CaptureBuilder, ThreadRole } from "../fixtures/builder";

function capture(blocks: number): Uint8Array {
  const c = new CaptureBuilder();
  const p = c.process(100, { argv: ["node", "/app/grow.js"] });
  const main = p.thread(100, "node", ThreadRole.ROLE_MAIN);
  const grow = p.stack(p.js("main", "/app/grow.js", 1), p.js("grow", "/app/grow.js", 8));
  for (let i = 0; i < blocks; i++) {
    p.at(i * 1e6);
    main.malloc(0x1000 + i, 1000, grow);
    p.flush();
  }
  p.end();
  return c.bytes();
}

/**
 * The first snapshot that passes `test`, within 30 s: run from the sources, the worker compiles its TypeScript as it
 * starts, which took 8 s on a busy machine.
 */
function until(fold: FoldThread, test: (s: LiveSnapshot) => boolean): Promise<LiveSnapshot> {
  const source = fold.source();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no such snapshot within 30 s")), 30_000);
    source.onSnapshot((s) => {
      if (!test(s)) return;
      clearTimeout(timer);
      source.close();
      resolve(s);
    });
    source.request({ merged: false, measure: "live", rows: 10 });
  });
}

const dir = mkdtempSync(join(tmpdir(), "memtrace-fold-thread-"));

t.test("a file followed as it is written, then complete", async (t) => {
  const bytes = capture(50);
  const path = join(dir, "growing.mtrace");
  const writer = openSync(path, "w");
  const half = Math.floor(bytes.length / 2);
  writeSync(writer, bytes, 0, half);
  const fd = openSync(path, "r");
  const fold = new FoldThread({ fd, kind: "file", follow: true });
  t.teardown(() => fold.terminate());
  const first = await until(fold, (s) => s.processes.length > 0 && s.rows.length > 0);
  t.notOk(first.complete, "not complete while it may grow");
  writeSync(writer, bytes, half);
  closeSync(writer);
  const all = await until(fold, (s) => s.processes[0]?.liveBytes === 50 * 1000);
  t.equal(all.rows.find((r) => r.name === "grow")?.ownBytes, 50 * 1000, "everything written, folded");
  fold.complete();
  await fold.done;
  t.ok((await until(fold, () => true)).complete, "complete once told and read to its end");
  closeSync(fd);
});

t.test("a capture that stops growing: its view is sent again once a second, not at every interval", async (t) => {
  const path = join(dir, "idle.mtrace");
  writeFileSync(path, capture(10));
  const fd = openSync(path, "r");
  const fold = new FoldThread({ fd, kind: "file", follow: true });
  t.teardown(() => fold.terminate());
  await until(fold, (s) => s.processes[0]?.liveBytes === 10 * 1000);
  const source = fold.source();
  let count = 0;
  source.onSnapshot(() => count++);
  source.request({ merged: false, measure: "live", rows: 10 });
  await new Promise((resolve) => setTimeout(resolve, 2000));
  source.close();
  // At every 200 ms interval that would be 10 and the answer to the request.
  t.ok(count >= 2 && count <= 4, `the answer to the request, then about one a second (${count})`);
  closeSync(fd);
});

t.test("a pipe, read to its end", async (t) => {
  const file = join(dir, "piped.mtrace");
  writeFileSync(file, capture(20));
  const fifo = join(dir, "fifo");
  spawnSync("mkfifo", [fifo], { timeout: 10_000 });
  const cat = spawn("sh", ["-c", 'cat "$0" > "$1"', file, fifo], { stdio: "ignore", timeout: 10_000 });
  const fd = openSync(fifo, "r");
  const fold = new FoldThread({ kind: "chunks", follow: true });
  fold.feed(createReadStream("", { fd, highWaterMark: 1024 }));
  t.teardown(() => {
    cat.kill();
    return fold.terminate();
  });
  await fold.done;
  const s = await until(fold, () => true);
  t.ok(s.complete, "complete at the pipe's end");
  t.equal(s.processes[0].liveBytes, 20 * 1000);
});

t.test("a capture paired at record time (format version 2), as record --paired writes it", async (t) => {
  const paired: Message[] = [];
  const pairer = new Pairer((m) => paired.push(m));
  for (const m of decodeAll(capture(30))) pairer.push(m);
  pairer.end();
  const path = join(dir, "paired.mtrace");
  writeFileSync(path, encodeAll(paired));
  const fd = openSync(path, "r");
  const warnings: string[] = [];
  const fold = new FoldThread({ fd, kind: "file", follow: false }, (m) => warnings.push(m));
  t.teardown(() => fold.terminate());
  await fold.done;
  const s = await until(fold, () => true);
  t.equal(s.error, undefined, "read");
  t.equal(s.processes[0].liveBytes, 30 * 1000, "every block folded");
  t.equal(s.rows.find((r) => r.name === "grow")?.ownBytes, 30 * 1000, "in its function");
  closeSync(fd);
});

t.test("a file that is not a capture: the error is in the snapshot", async (t) => {
  const path = join(dir, "foreign.txt");
  const w = openSync(path, "w");
  writeSync(w, "this is not a capture at all, just some text\n");
  closeSync(w);
  const fd = openSync(path, "r");
  const warnings: string[] = [];
  const fold = new FoldThread({ fd, kind: "file", follow: false }, (m) => warnings.push(m));
  t.teardown(() => fold.terminate());
  await fold.done;
  const s = await until(fold, () => true);
  t.match(s.error, /not a memtrace capture|text/, String(s.error));
  closeSync(fd);
});
