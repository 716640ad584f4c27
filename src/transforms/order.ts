// Puts the events of each process into one time order across its threads.
//
// A recorder with per-thread buffers (EventOrder ORDER_PER_THREAD) writes each thread's events in order, but a
// batch of thread B may reach the stream before an earlier batch of thread A. Pairing frees with allocations
// needs the true order: a block allocated by a libuv worker and freed on the main thread must be allocated first.
// So the events of such a process are held per thread until a Watermark says that nothing earlier can still come,
// and released merged by time (ties keep stream order). Memory is bounded by the events between two watermarks;
// without watermarks the merge falls back to releasing whatever is held when MAX_HELD_EVENTS is reached.
//
// A thread's JS heap samples are a stream of their own: the agent writes them when it polls V8's profiler, while
// the thread's native events wait in its buffer, so a batch of samples can precede native events of the same
// thread that happened before it. Each of the two is in time order; they are merged as two threads are.
import { EventOrder, isJsHeap, type EventBatch, type Message } from "../codec/model";

export const MAX_HELD_EVENTS = 4_000_000;
const OUT_BATCH = 16 * 1024;
/** A run of one thread at least this long is passed on as a view of its batch rather than copied. */
const VIEW_MIN = 256;

interface Run {
  batch: EventBatch;
  /** Next unreleased row. */
  pos: number;
  /** Arrival order, for ties. */
  seq: number;
}

class ProcessQueue {
  /** Held runs per stream (a thread's native events, or its JS heap samples: streamOf), oldest first. */
  readonly threads = new Map<number, Run[]>();
  held = 0;
  /** The time of the last event released: what comes later is never earlier (see BatchBuilder). */
  lastTime = -Infinity;
}

/** What a fold says when it had to merge threads without a watermark (OrderOptions.onApproximate). */
export function approximateMergeWarning(pid: number): string {
  return `process ${pid}: too many events between watermarks; threads were merged approximately, so a free in one thread may miss its allocation in another`;
}

export interface OrderOptions {
  /** Called once if events had to be released without a watermark. */
  onApproximate?: (pid: number) => void;
}

/**
 * Feeds Messages in, gets Messages out through `emit`, with every process's events in global time order. Other
 * Messages pass through at once, except a Header or Trailer, which first releases everything held for its process.
 */
export class EventOrderer {
  private readonly queues = new Map<number, ProcessQueue>();
  private readonly perThread = new Set<number>();
  private seq = 0;
  private warned = new Set<number>();

  constructor(
    private readonly emit: (m: Message) => void,
    private readonly options: OrderOptions = {},
  ) {}

  push(m: Message): void {
    switch (m.type) {
      case "header":
        this.release(m.pid, Infinity);
        if (m.header.eventOrder === EventOrder.ORDER_PER_THREAD) this.perThread.add(m.pid);
        else this.perThread.delete(m.pid);
        this.emit(m);
        return;
      case "events":
        if (!this.perThread.has(m.pid)) {
          this.emit(m);
          return;
        }
        this.hold(m.pid, m.batch);
        return;
      case "watermark":
        this.release(m.pid, m.timeNs);
        return;
      case "trailer":
        this.release(m.pid, Infinity);
        this.emit(m);
        return;
      default:
        this.emit(m);
    }
  }

  /** At end of input: releases everything still held. */
  end(): void {
    for (const pid of this.queues.keys()) this.release(pid, Infinity);
  }

  private hold(pid: number, batch: EventBatch): void {
    let q = this.queues.get(pid);
    if (!q) {
      q = new ProcessQueue();
      this.queues.set(pid, q);
    }
    for (const { stream, batch: part } of splitByStream(batch)) {
      let runs = q.threads.get(stream);
      if (!runs) {
        runs = [];
        q.threads.set(stream, runs);
      }
      runs.push({ batch: part, pos: 0, seq: this.seq++ });
      q.held += part.length;
    }
    if (q.held > MAX_HELD_EVENTS) {
      if (!this.warned.has(pid)) {
        this.warned.add(pid);
        this.options.onApproximate?.(pid);
      }
      this.release(pid, Infinity);
    }
  }

  /** Emits, merged by time, every held event of `pid` with a time before `limit`. */
  private release(pid: number, limit: number): void {
    const q = this.queues.get(pid);
    if (!q || q.held === 0) return;
    const out = new BatchBuilder(pid, this.emit, q.held, q);
    const heads: Run[][] = [...q.threads.values()].filter((runs) => runs.length > 0);
    for (;;) {
      // The thread whose next event is earliest, and the earliest next event of any other thread.
      let best = -1;
      let bestTime = Infinity;
      let bestSeq = Infinity;
      let nextTime = Infinity;
      let nextSeq = Infinity;
      for (let i = 0; i < heads.length; i++) {
        const runs = heads[i];
        if (runs.length === 0) continue;
        const r = runs[0];
        const t = r.batch.time[r.pos];
        if (t < bestTime || (t === bestTime && r.seq < bestSeq)) {
          if (best >= 0) {
            nextTime = bestTime;
            nextSeq = bestSeq;
          }
          best = i;
          bestTime = t;
          bestSeq = r.seq;
        } else if (t < nextTime || (t === nextTime && r.seq < nextSeq)) {
          nextTime = t;
          nextSeq = r.seq;
        }
      }
      if (best < 0 || bestTime >= limit) break;
      // Copy the run of this thread's events that come before every other thread's next event.
      const runs = heads[best];
      const r = runs[0];
      const b = r.batch;
      const stop = Math.min(limit, nextTime);
      let i = r.pos;
      while (i < b.length && (b.time[i] < stop || (b.time[i] === nextTime && b.time[i] < limit && r.seq < nextSeq)))
        i++;
      out.copy(b, r.pos, i);
      q.held -= i - r.pos;
      r.pos = i;
      if (r.pos === b.length) runs.shift();
    }
    out.flush();
    for (const [stream, runs] of q.threads) if (runs.length === 0) q.threads.delete(stream);
  }
}

/** The stream an event belongs to: its thread's native events, or its thread's JS heap samples. */
function streamOf(b: EventBatch, i: number): number {
  return isJsHeap(b.kind[i]) ? -1 - b.tid[i] : b.tid[i];
}

/** Splits a batch that mixes streams (threads, JS heap samples) into one batch per stream, each in its order. */
function splitByStream(b: EventBatch): { stream: number; batch: EventBatch }[] {
  const first = streamOf(b, 0);
  let mixed = false;
  for (let i = 1; i < b.length; i++) {
    if (streamOf(b, i) !== first) {
      mixed = true;
      break;
    }
  }
  if (!mixed) return b.length > 0 ? [{ stream: first, batch: b }] : [];
  const rows = new Map<number, number[]>();
  for (let i = 0; i < b.length; i++) {
    const key = streamOf(b, i);
    const list = rows.get(key);
    if (list) list.push(i);
    else rows.set(key, [i]);
  }
  return [...rows].map(([stream, idx]) => ({ stream, batch: selectRows(b, idx) }));
}

export function selectRows(b: EventBatch, idx: number[]): EventBatch {
  const n = idx.length;
  const out = allocBatch(n);
  for (let j = 0; j < n; j++) copyEvent(b, idx[j], out, j);
  out.length = n;
  return out;
}

/** Copies event i of one batch to row j of another. */
export function copyEvent(from: EventBatch, i: number, to: EventBatch, j: number): void {
  to.kind[j] = from.kind[i];
  to.tid[j] = from.tid[i];
  to.time[j] = from.time[i];
  to.address[j] = from.address[i];
  to.size[j] = from.size[i];
  to.stack[j] = from.stack[i];
  to.count[j] = from.count[i];
}

export function allocBatch(capacity: number): EventBatch {
  return {
    length: 0,
    kind: new Uint8Array(capacity),
    tid: new Uint32Array(capacity),
    time: new Float64Array(capacity),
    address: new Float64Array(capacity),
    size: new Float64Array(capacity),
    stack: new Uint32Array(capacity),
    count: new Float64Array(capacity),
  };
}

/** A batch twice the capacity of `batch`, holding its first `length` events. */
export function growBatch(batch: EventBatch, length: number): EventBatch {
  const grown = allocBatch(2 * Math.max(batch.kind.length, 1));
  grown.kind.set(batch.kind.subarray(0, length));
  grown.tid.set(batch.tid.subarray(0, length));
  grown.time.set(batch.time.subarray(0, length));
  grown.address.set(batch.address.subarray(0, length));
  grown.size.set(batch.size.subarray(0, length));
  grown.stack.set(batch.stack.subarray(0, length));
  grown.count.set(batch.count.subarray(0, length));
  return grown;
}

/**
 * Gathers released rows into output batches. A long run of one thread goes out as a view of its batch, uncopied;
 * short runs (threads that interleave finely) are copied into a batch of up to OUT_BATCH events, sized for what is
 * still to come (a watermark often releases a few events, and a full batch is half a megabyte of columns).
 */
class BatchBuilder {
  private batch: EventBatch | undefined;

  constructor(
    private readonly pid: number,
    private readonly emit: (m: Message) => void,
    /** At most this many events will be copied. */
    private left: number,
    private readonly queue: ProcessQueue,
  ) {}

  copy(src: EventBatch, from: number, to: number): void {
    this.left -= to - from;
    // The output is in total order. An event that arrives after a watermark it is earlier than (a time read
    // without a fence leads by a little; a hostile capture by anything) is taken at the last time released.
    let last = this.queue.lastTime;
    for (let i = from; i < to; i++) {
      if (src.time[i] < last) src.time[i] = last;
      else last = src.time[i];
    }
    this.queue.lastTime = last;
    if (to - from >= VIEW_MIN) {
      this.flush();
      this.emit({ type: "events", pid: this.pid, batch: viewRows(src, from, to) });
      return;
    }
    while (from < to) {
      const o = (this.batch ??= allocBatch(Math.min(OUT_BATCH, Math.max(1, this.left + to - from))));
      const k = Math.min(to - from, o.kind.length - o.length);
      for (let j = 0; j < k; j++) copyEvent(src, from + j, o, o.length + j);
      o.length += k;
      from += k;
      if (o.length === o.kind.length) this.flush();
    }
  }

  flush(): void {
    if (!this.batch || this.batch.length === 0) return;
    this.emit({ type: "events", pid: this.pid, batch: this.batch });
    this.batch = undefined;
  }
}

/** Rows [from, to) of a batch as a batch of their own, sharing its columns. */
function viewRows(b: EventBatch, from: number, to: number): EventBatch {
  return {
    length: to - from,
    kind: b.kind.subarray(from, to),
    tid: b.tid.subarray(from, to),
    time: b.time.subarray(from, to),
    address: b.address.subarray(from, to),
    size: b.size.subarray(from, to),
    stack: b.stack.subarray(from, to),
    count: b.count.subarray(from, to),
  };
}
