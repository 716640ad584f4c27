// A synthetic capture shaped like a recording: one process, a busy main thread and a few pool threads writing
// per-thread batches of 16 Ki events that reach the stream out of time order between watermarks (as the
// recorder's flusher writes them), allocations and frees of a bounded set of live blocks (one allocation in 10,000
// leaks: its slot is taken again without a free), and a few thousand stacks from a call tree. Memory to read it is
// bounded whatever the number of events. Deterministic for a given seed.
import { EventKind, FunctionKind, newHeader, newTrailer, type Message } from "../../src/codec/model";
import { Interner } from "../../src/model/interner";
import { allocBatch } from "../../src/transforms/order";

const BATCH = 16 * 1024;
const THREADS = 4;
const LIVE_SLOTS = 50_000;

export function* syntheticCapture(events: number, seed = 1): Generator<Message> {
  let s = seed >>> 0;
  const rnd = () => {
    // xorshift32: fast and good enough for shaping test data.
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const pid = 4242;
  const interner = new Interner();
  const stacks: number[] = [];
  const fns = Array.from({ length: 400 }, (_, i) =>
    interner.frame({
      name: `fn${i}`,
      file: i % 3 ? "app.js" : "",
      kind: i % 3 ? FunctionKind.KIND_JS : FunctionKind.KIND_NATIVE,
      line: i + 1,
    }),
  );
  for (let i = 0; i < 4000; i++) {
    const depth = 5 + Math.floor(rnd() * 30);
    const path: number[] = [];
    for (let d = 0; d < depth; d++) path.push(fns[Math.floor(rnd() * rnd() * fns.length)]);
    stacks.push(interner.stackOf(path));
  }
  yield { type: "header", pid, header: newHeader({ argv: ["node", "synthetic.js"], writer: "memtrace bench" }) };
  yield* interner.drain(pid);

  // Live blocks per thread: slot -> address (0 = free slot).
  const live = Array.from({ length: THREADS }, () => new Float64Array(LIVE_SLOTS / THREADS));
  // Each thread fills its own buffer; every FLUSH_EVERY events the "flusher" writes every thread's buffer, pool
  // threads first (so that their batches reach the stream before earlier main-thread events), then a watermark.
  const FLUSH_EVERY = 8 * BATCH;
  const buffers = Array.from({ length: THREADS }, () => allocBatch(BATCH));
  const full: Message[][] = Array.from({ length: THREADS }, () => []);
  let nextAddress = 0x7f0000000000;
  let time = 0;
  for (let written = 1; written <= events; written++) {
    const t = rnd() < 0.7 ? 0 : 1 + Math.floor(rnd() * (THREADS - 1));
    const b = buffers[t];
    const i = b.length++;
    const slots = live[t];
    time += 1 + Math.floor(rnd() * 200);
    const slot = Math.floor(rnd() * slots.length);
    b.tid[i] = pid + t;
    b.time[i] = time;
    b.count[i] = 1;
    if (slots[slot] !== 0 && rnd() >= 0.0001) {
      b.kind[i] = t === 0 && rnd() < 0.5 ? EventKind.DELETE : EventKind.FREE;
      b.address[i] = slots[slot];
      b.size[i] = 0;
      b.stack[i] = 0;
      slots[slot] = 0;
    } else {
      // A slot taken again without a free leaves its old block live: the capture's leaks.
      const size = 16 + Math.floor(rnd() * rnd() * 4096);
      nextAddress += 16 + size + (Math.floor(rnd() * 8) << 4);
      b.kind[i] = t === 0 && rnd() < 0.6 ? EventKind.NEW : EventKind.MALLOC;
      b.address[i] = nextAddress;
      b.size[i] = size;
      b.stack[i] = stacks[Math.floor(rnd() * rnd() * stacks.length)];
      slots[slot] = nextAddress;
    }
    if (b.length === BATCH) {
      full[t].push({ type: "events", pid, batch: b });
      buffers[t] = allocBatch(BATCH);
    }
    if (written % FLUSH_EVERY === 0 || written === events) {
      for (let k = THREADS - 1; k >= 0; k--) {
        yield* full[k];
        full[k].length = 0;
        if (buffers[k].length > 0) {
          yield { type: "events", pid, batch: buffers[k] };
          buffers[k] = allocBatch(BATCH);
        }
      }
      yield { type: "watermark", pid, timeNs: time + 1 };
    }
  }
  yield {
    type: "trailer",
    pid,
    trailer: newTrailer({ timeNs: time }),
  };
}
