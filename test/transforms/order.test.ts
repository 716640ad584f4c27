// EventOrderer: per-thread batches in, every process's events in one time order out.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import {
  EventKind as K,
  EventOrder,
  newHeader,
  newTrailer,
  type EventBatch,
  type Message,
} from "../../src/codec/model";
import { EventOrderer, MAX_HELD_EVENTS, allocBatch } from "../../src/transforms/order";

type Ev = [tid: number, time: number, kind: number, address: number];

function batch(rows: Ev[]): EventBatch {
  const b = allocBatch(rows.length);
  rows.forEach(([tid, time, kind, address], i) => {
    b.tid[i] = tid;
    b.time[i] = time;
    b.kind[i] = kind;
    b.address[i] = address;
    b.size[i] = kind < 64 ? 8 : 0;
    b.count[i] = 1;
  });
  b.length = rows.length;
  return b;
}

function orderer() {
  const out: Message[] = [];
  const o = new EventOrderer((m) => out.push(m));
  const events = () =>
    out.flatMap((m) =>
      m.type === "events"
        ? Array.from({ length: m.batch.length }, (_, i) => `${m.pid}:${m.batch.tid[i]}@${m.batch.time[i]}`)
        : [m.type],
    );
  return { o, out, events };
}

const header = (pid: number, eventOrder = EventOrder.ORDER_PER_THREAD): Message => ({
  type: "header",
  pid,
  header: newHeader({ eventOrder }),
});
const events = (pid: number, rows: Ev[]): Message => ({ type: "events", pid, batch: batch(rows) });

t.test(
  "given a free in one thread that reaches the stream before its allocation in another, when ordered, then the allocation comes first",
  async (t) => {
    const { o, events: got } = orderer();
    o.push(header(1));
    o.push(events(1, [[2, 200, K.FREE, 0x10]]));
    o.push(events(1, [[1, 100, K.MALLOC, 0x10]]));
    t.same(got(), ["header"], "nothing is released before a watermark");
    o.push({ type: "watermark", pid: 1, timeNs: 1000 });
    t.same(got(), ["header", "1:1@100", "1:2@200"]);
  },
);

t.test("given a watermark, when events lie on both sides of it, then only the earlier ones are released", async (t) => {
  const { o, events: got } = orderer();
  o.push(header(1));
  o.push(
    events(1, [
      [1, 100, K.MALLOC, 1],
      [1, 300, K.MALLOC, 2],
      [1, 500, K.MALLOC, 3],
    ]),
  );
  o.push(
    events(1, [
      [2, 200, K.MALLOC, 4],
      [2, 400, K.MALLOC, 5],
    ]),
  );
  o.push({ type: "watermark", pid: 1, timeNs: 300 });
  t.same(got(), ["header", "1:1@100", "1:2@200"], "t=300 is not before the watermark");
  o.push({ type: "watermark", pid: 1, timeNs: 450 });
  t.same(got().slice(3), ["1:1@300", "1:2@400"]);
  o.push({
    type: "trailer",
    pid: 1,
    trailer: newTrailer(),
  });
  t.same(got().slice(5), ["1:1@500", "trailer"], "a trailer releases everything first");
});

t.test("given events of two threads at the same time, when ordered, then they keep their stream order", async (t) => {
  const { o, events: got } = orderer();
  o.push(header(1));
  o.push(
    events(1, [
      [3, 100, K.MALLOC, 1],
      [3, 100, K.FREE, 1],
    ]),
  );
  o.push(events(1, [[1, 100, K.MALLOC, 2]]));
  o.push({ type: "watermark", pid: 1, timeNs: 101 });
  t.same(got(), ["header", "1:3@100", "1:3@100", "1:1@100"]);
});

t.test(
  "given a batch that mixes threads, when ordered, then it is merged with the other threads by time",
  async (t) => {
    const { o, events: got } = orderer();
    o.push(header(1));
    o.push(
      events(1, [
        [1, 100, K.MALLOC, 1],
        [2, 150, K.MALLOC, 2],
        [1, 300, K.MALLOC, 3],
      ]),
    );
    o.push(events(1, [[2, 250, K.MALLOC, 4]]));
    o.end();
    t.same(got(), ["header", "1:1@100", "1:2@150", "1:2@250", "1:1@300"], "end() releases what is held");
  },
);

t.test(
  "given a process in total order, when its events come, then they pass through at once and unchanged",
  async (t) => {
    const { o, events: got } = orderer();
    o.push(header(1, EventOrder.ORDER_TOTAL));
    o.push(events(1, [[2, 200, K.MALLOC, 1]]));
    o.push(events(1, [[1, 100, K.MALLOC, 2]]));
    t.same(got(), ["header", "1:2@200", "1:1@100"]);
  },
);

t.test("given two processes, when one's watermark comes, then only its own events are released", async (t) => {
  const { o, events: got } = orderer();
  o.push(header(1));
  o.push(header(2));
  o.push(events(1, [[1, 100, K.MALLOC, 1]]));
  o.push(events(2, [[2, 50, K.MALLOC, 1]]));
  o.push({ type: "watermark", pid: 2, timeNs: 1000 });
  t.same(got(), ["header", "header", "2:2@50"]);
  o.push(header(1));
  t.same(got().slice(3), ["1:1@100", "header"], "a new header of the process releases its old scope's events first");
});

t.test(
  "given a thread's JS heap samples written before its earlier native events, when ordered, then the output is in time order",
  async (t) => {
    // The agent writes samples when it polls V8, while the thread's native events still wait in its buffer.
    const { o, events: got } = orderer();
    o.push(header(1));
    o.push(events(1, [[1, 100, K.MALLOC, 0x10]]));
    o.push(events(1, [[1, 300, K.JS_SAMPLE, 0x100000000001]]));
    o.push(
      events(1, [
        [1, 200, K.FREE, 0x10],
        [1, 250, K.MALLOC, 0x20],
      ]),
    );
    o.push(
      events(1, [
        [1, 320, K.JS_SAMPLE_FREED, 0x100000000001],
        [1, 310, K.FREE, 0x20],
      ]),
    );
    o.push({ type: "watermark", pid: 1, timeNs: 1000 });
    t.same(got(), ["header", "1:1@100", "1:1@200", "1:1@250", "1:1@300", "1:1@310", "1:1@320"]);
  },
);

t.test(
  "given an event earlier than a watermark already passed, when ordered, then it is taken at the last time released",
  async (t) => {
    const { o, events: got } = orderer();
    o.push(header(1));
    o.push(events(1, [[1, 100, K.MALLOC, 0x10]]));
    o.push({ type: "watermark", pid: 1, timeNs: 150 });
    o.push(
      events(1, [
        [2, 90, K.FREE, 0x10],
        [2, 200, K.MALLOC, 0x20],
      ]),
    );
    o.push({ type: "watermark", pid: 1, timeNs: 1000 });
    t.same(got(), ["header", "1:1@100", "1:2@100", "1:2@200"]);
  },
);
t.test("given memtrace's recorder, what it writes between two Watermarks fits under the orderer's limit", async (t) => {
  // The recorder's app threads wait once kBlockAt bytes wait in the channel, and every send of more than that
  // is a round with its Watermark (native/preload/recorder.cpp, writer_thread.cpp); the threads' buffers hold
  // kMaxEvents more each. An event takes 5 bytes at the least (kind, time, address, size, stack).
  const native = (file: string) => readFileSync(join(__dirname, "..", "..", "native", "preload", file), "utf8");
  const product = (expression: string) => expression.split("*").reduce((p, f) => p * Number(f.trim()), 1);
  const blockAt = product(/constexpr size_t kBlockAt = ([\d *]+);/.exec(native("recorder.cpp"))![1]);
  const perThread = Number(/kMaxEvents = (\d+);/.exec(native("event_buffer.h"))![1]);
  const threads = 128;
  t.ok(blockAt > 0 && perThread > 0, "both read from the sources");
  t.ok(
    blockAt / 5 + threads * perThread < MAX_HELD_EVENTS,
    `${blockAt / 5} + ${threads} x ${perThread} events < ${MAX_HELD_EVENTS}`,
  );
});
