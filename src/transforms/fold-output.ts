// The output side of fold: rows from any input scope, re-interned into the folded scope (pid 0) by frame
// identity, and written as the folded stream's Messages.
//
// Identity rather than id: the same function in two processes, or at two return addresses of one function, is one
// frame of the output, so flame graphs merge them. Options shape the output stacks: inverted (innermost frame at
// the root) and split (a synthetic root frame per process, then per thread).
import {
  Content,
  EventOrder,
  FunctionKind,
  newHeader,
  newTrailer,
  type FoldInfo,
  type FoldedBatch,
  type Measure,
  type Message,
} from "../codec/model";
import { u32, type Growable } from "../model/growable";
import { Interner } from "../model/interner";
import type { Scope } from "../model/scope";

const OUT_BATCH = 16 * 1024;

export interface OutputShape {
  inverted: boolean;
  splitProcesses: boolean;
  splitThreads: boolean;
}

/** Per input scope: its stacks' and frames' ids in the output (0 = not mapped yet). */
export class ScopeMemo {
  readonly stacks: Growable<Uint32Array> = u32();
  readonly frames: Growable<Uint32Array> = u32();
  constructor(readonly scope: Scope) {}
}

type Row = [pid: number, tid: number, kind: number, stack: number, bytes: number, count: number];

export class FoldedWriter {
  private readonly output = new Interner();
  /** The rows of each measure. */
  private readonly rows = new Map<Measure, Map<string, Row>>();

  constructor(private readonly shape: OutputShape) {}

  /** Adds bytes and count to the output row of an input row (stack in `memo.scope`) under a measure. */
  add(
    measure: Measure,
    memo: ScopeMemo,
    pid: number,
    tid: number,
    kind: number,
    stack: number,
    bytes: number,
    count: number,
  ): void {
    this.addMapped(measure, pid, tid, kind, this.outputStack(memo, pid, tid, stack), bytes, count);
  }

  /** Adds to an output row whose stack is already an output stack id (rows of a folded input, mapped as they are). */
  addMapped(measure: Measure, pid: number, tid: number, kind: number, outStack: number, bytes: number, count: number) {
    let rows = this.rows.get(measure);
    if (!rows) this.rows.set(measure, (rows = new Map()));
    const key = `${pid},${tid},${kind},${outStack}`;
    const row = rows.get(key);
    if (row) {
      row[4] += bytes;
      row[5] += count;
    } else rows.set(key, [pid, tid, kind, outStack, bytes, count]);
  }

  /** A folded input's stack, as it was (its shape already applied when it was folded). */
  plainStack(memo: ScopeMemo, stack: number): number {
    return this.mapPlain(memo, stack);
  }

  /** The output stack of an input row's stack (its shape applied). */
  stackOf(memo: ScopeMemo, pid: number, tid: number, stack: number): number {
    return this.outputStack(memo, pid, tid, stack);
  }

  private outputStack(memo: ScopeMemo, pid: number, tid: number, stack: number): number {
    const { inverted, splitProcesses, splitThreads } = this.shape;
    if (!inverted && !splitProcesses && !splitThreads) return this.mapPlain(memo, stack);
    let out = 0;
    if (splitProcesses) out = this.output.stack(out, this.syntheticFrame(processFrameName(memo.scope, pid)));
    if (splitThreads) out = this.output.stack(out, this.syntheticFrame(threadFrameName(memo.scope, tid)));
    const frames = memo.scope.stackFrames(stack); // innermost first
    if (!inverted) frames.reverse();
    for (const f of frames) out = this.output.stack(out, this.frame(memo, f));
    return out;
  }

  /** The output stack of an input stack, memoised along the tree: each input stack is interned once. */
  private mapPlain(memo: ScopeMemo, stack: number): number {
    if (stack === 0) return 0;
    const scope = memo.scope;
    memo.stacks.ensure(scope.stackCount);
    const known = memo.stacks.data;
    if (known[stack] !== 0) return known[stack];
    const chain: number[] = [];
    let s = stack;
    while (s !== 0 && known[s] === 0) {
      chain.push(s);
      s = scope.stackParent.data[s];
    }
    let out = s === 0 ? 0 : known[s];
    for (let i = chain.length - 1; i >= 0; i--) {
      const id = chain[i];
      out = this.output.stack(out, this.frame(memo, scope.stackFrame.data[id]));
      known[id] = out;
    }
    return out;
  }

  private frame(memo: ScopeMemo, frame: number): number {
    memo.frames.ensure(memo.scope.frameCount);
    const known = memo.frames.data;
    if (known[frame] === 0) known[frame] = this.output.frame(memo.scope.frameSpec(frame));
    return known[frame];
  }

  private syntheticFrame(name: string): number {
    return this.output.frame({ name, kind: FunctionKind.KIND_OTHER });
  }

  /**
   * The folded scope's Messages: header, tables, the batches of its own measure then those of the others in
   * `info.measures` (each sorted, for stable output), `extra` (Timeline Records, whose stacks are interned already),
   * trailer.
   */
  messages(info: FoldInfo, extra: Message[] = []): Message[] {
    const out: Message[] = [
      {
        type: "header",
        pid: 0,
        header: newHeader({
          content: Content.FOLDED,
          writer: "memtrace fold",
          eventOrder: EventOrder.ORDER_TOTAL,
          fold: info,
        }),
      },
    ];
    out.push(...this.output.drain(0));
    for (const measure of info.measures.length > 0 ? info.measures : [info.measure]) {
      const sorted = [...(this.rows.get(measure)?.values() ?? [])]
        .filter((r) => r[4] !== 0 || r[5] !== 0)
        .sort((a, b) => a[3] - b[3] || a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
      const type = measure === info.measure ? "folded" : "otherMeasure";
      for (let at = 0; at < sorted.length; at += OUT_BATCH) {
        out.push({ type, pid: 0, batch: foldedBatch(measure, sorted.slice(at, at + OUT_BATCH)) });
      }
    }
    out.push(...extra);
    out.push({ type: "trailer", pid: 0, trailer: newTrailer() });
    return out;
  }
}

function processFrameName(scope: Scope, pid: number): string {
  const argv = scope.header.argv;
  return argv.length ? `process ${pid}: ${argv.join(" ")}` : `process ${pid}`;
}

function threadFrameName(scope: Scope, tid: number): string {
  const name = scope.threads.get(tid)?.name;
  if (name) return `thread ${tid} (${name})`;
  return tid === scope.pid ? `thread ${tid} (main)` : `thread ${tid}`;
}

function foldedBatch(measure: FoldInfo["measure"], rows: Row[]): FoldedBatch {
  const n = rows.length;
  const b: FoldedBatch = {
    measure,
    length: n,
    stack: new Uint32Array(n),
    bytes: new Float64Array(n),
    count: new Float64Array(n),
    pid: new Uint32Array(n),
    tid: new Uint32Array(n),
    kind: new Uint8Array(n),
  };
  rows.forEach(([pid, tid, kind, stack, bytes, count], i) => {
    b.pid[i] = pid;
    b.tid[i] = tid;
    b.kind[i] = kind;
    b.stack[i] = stack;
    b.bytes[i] = bytes;
    b.count[i] = count;
  });
  return b;
}
