// Other ways to write a paired capture's rows, for bench/paired-encoding.ts: each form rewrites every PairedBatch
// Record of a version-2 capture (keeping every other Record where it was) into a stream of its own, whose size under
// zstd is what the recorder would write in that form. A form differs from the recorder's in the rows per batch, the
// order of a batch's columns, how a free names its block, and how times are written.
import { closeSync, openSync, writeSync } from "node:fs";
import type { Message, PairedBatch } from "../../src/codec/model";
import { encodeRecord } from "../../src/codec/records";
import { ByteWriter, WIRE_LEN, WIRE_VARINT, zigzag } from "../../src/codec/wire";

/** How a free that releases a block names it. */
export type FreeForm =
  /** As recorded: op = (age + 1) << 1 | 1. */
  | "age"
  /** op = (zigzag(serial - the serial freed last - 1) + 2) << 1 | 1: the step from the process's last freed block. */
  | "serial-step"
  /**
   * op = (site + 1) << 1 | 1, the site of the block, and a column `free_step` (one per such row): zigzag of the
   * block's number among its site's allocations - the number of that site's block freed last - 1.
   */
  | "site-step";

/** How times are written. */
export type TimeForm =
  /** As recorded: time_delta, one per row (0 where the clock was not read again). */
  | "delta"
  /** Only where the time changes: time_row (row deltas) and time_step (time deltas). */
  | "runs"
  /** No times at all: not a form, the lower bound of what times cost. */
  | "none";

export interface Form {
  name: string;
  /** Rows per PairedBatch; undefined: the recorded batches' boundaries. */
  batchRows?: number;
  free: FreeForm;
  time: TimeForm;
  /** The order of the batch's fields; fields not named follow in number order. */
  order?: number[];
  /** Each column compressed as a stream of its own (the sum is reported), rather than the whole capture. */
  apart?: boolean;
}

/** Field numbers of the rewritten PairedBatch: the .proto's 1-10, then the forms' own columns. */
export const FIELD = {
  time_ns: 1,
  op: 2,
  time_delta: 3,
  tid_delta: 4,
  free_kind: 5,
  address: 6,
  unmap_length: 7,
  extra_row: 8,
  extra_age: 9,
  extra_kind: 10,
  free_step: 11,
  time_row: 12,
  time_step: 13,
} as const;
const FIELDS = Object.values(FIELD);

/** One row in every form at once, computed once per row (the per-process analysis is shared by the forms). */
interface Row {
  time: number;
  tid: number;
  /** op as recorded (free form "age"). */
  op: number;
  serialStepOp: number;
  siteStepOp: number;
  /** For site-step: the step, or -1 when the row does not release a block by its free. */
  siteStep: number;
}

/** Per process: what the serial and site steps need (bounded by the live blocks). */
class Steps {
  serials = 0;
  lastFreed = -1;
  private readonly siteOf = new Map<number, number>();
  private readonly numberInSite = new Map<number, number>();
  private readonly siteCount: number[] = [];
  private readonly siteLastFreed: number[] = [];

  row(b: PairedBatch, i: number, out: Row): void {
    const op = b.op[i];
    out.op = op;
    out.serialStepOp = out.siteStepOp = op;
    out.siteStep = -1;
    if (op % 2 === 0) {
      const site = op / 2;
      const serial = this.serials++;
      this.siteOf.set(serial, site);
      const k = this.siteCount[site] ?? 0;
      this.siteCount[site] = k + 1;
      this.numberInSite.set(serial, k);
      return;
    }
    const v = (op - 1) / 2;
    if (v < 2) return;
    const serial = this.serials - (v - 1);
    out.serialStepOp = (zigzag(serial - this.lastFreed - 1) + 2) * 2 + 1;
    this.lastFreed = serial;
    const site = this.siteOf.get(serial);
    const k = this.numberInSite.get(serial);
    if (site === undefined || k === undefined) throw new Error(`row ${i}: a free of serial ${serial}, not live`);
    this.siteOf.delete(serial);
    this.numberInSite.delete(serial);
    out.siteStepOp = (site + 1) * 2 + 1;
    out.siteStep = zigzag(k - (this.siteLastFreed[site] ?? -1) - 1);
    this.siteLastFreed[site] = k;
  }

  /** A block released by an allocation (an extra release) is no longer live. */
  forget(serial: number): void {
    this.siteOf.delete(serial);
    this.numberInSite.delete(serial);
  }
}

/** A form's growing columns for one process's pending batch. */
class Pending {
  rows = 0;
  baseTime = 0;
  prevTime = 0;
  prevTid = 0;
  prevTimeRow = 0;
  prevExtraRow = 0;
  readonly cols = new Map<number, number[]>(FIELDS.map((f) => [f, []]));

  col(f: number): number[] {
    return this.cols.get(f)!;
  }

  clear(): void {
    this.rows = 0;
    this.prevTid = 0;
    this.prevTimeRow = 0;
    this.prevExtraRow = 0;
    for (const c of this.cols.values()) c.length = 0;
  }
}

/** Appends to a file in large writes. */
class Sink {
  readonly w = new ByteWriter(16 << 20);
  private readonly fd: number;
  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
  }
  flushIfFull(): void {
    if (this.w.pos >= 8 << 20) this.flush();
  }
  flush(): void {
    writeSync(this.fd, this.w.view());
    this.w.reset();
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** One form's writer: the whole stream, or (apart) one file per column plus one for every other Record. */
export class FormWriter {
  private readonly pending = new Map<number, Pending>();
  private readonly stream: Sink;
  private readonly columns = new Map<number, Sink>();
  private readonly scratch = new ByteWriter(1 << 20);
  readonly order: number[];

  constructor(
    readonly form: Form,
    dir: string,
  ) {
    this.stream = new Sink(`${dir}/stream`);
    const named = form.order ?? [];
    this.order = [...named, ...FIELDS.filter((f) => !named.includes(f))];
    if (form.apart) for (const f of FIELDS) this.columns.set(f, new Sink(`${dir}/column-${f}`));
  }

  /** The files whose compressed sizes add up to this form's size. */
  files(): string[] {
    return [this.stream.path, ...[...this.columns.values()].map((s) => s.path)];
  }

  /** A Record other than a PairedBatch, already encoded. */
  other(bytes: Uint8Array): void {
    this.stream.w.bytes(bytes);
    this.stream.flushIfFull();
  }

  add(pid: number, b: PairedBatch, rows: Row[]): void {
    let p = this.pending.get(pid);
    if (!p) this.pending.set(pid, (p = new Pending()));
    const form = this.form;
    // Mappings' addresses and lengths are rare: carried over whole, as recorded, into the batch in progress.
    for (const a of b.address) p.col(FIELD.address).push(a);
    for (const a of b.unmapLength) p.col(FIELD.unmap_length).push(a);
    let extra = 0;
    let free = 0;
    for (let i = 0; i < b.length; i++) {
      const r = rows[i];
      const row = p.rows++;
      if (row === 0) p.baseTime = p.prevTime = r.time;
      const dt = r.time - p.prevTime;
      if (form.time === "delta") p.col(FIELD.time_delta).push(dt);
      else if (form.time === "runs" && dt !== 0) {
        p.col(FIELD.time_row).push(row - p.prevTimeRow);
        p.col(FIELD.time_step).push(dt);
        p.prevTimeRow = row;
      }
      p.prevTime = r.time;
      p.col(FIELD.tid_delta).push(zigzag(r.tid - p.prevTid));
      p.prevTid = r.tid;
      const op = form.free === "age" ? r.op : form.free === "serial-step" ? r.serialStepOp : r.siteStepOp;
      p.col(FIELD.op).push(op);
      if (form.free === "site-step" && r.siteStep >= 0) p.col(FIELD.free_step).push(r.siteStep);
      if (r.op % 2 === 1) p.col(FIELD.free_kind).push(b.freeKind[free++]);
      while (extra < b.extraRow.length && b.extraRow[extra] === i) {
        p.col(FIELD.extra_row).push(row - p.prevExtraRow);
        p.prevExtraRow = row;
        p.col(FIELD.extra_age).push(b.extraAge[extra]);
        p.col(FIELD.extra_kind).push(b.extraKind[extra]);
        extra++;
      }
      if (form.batchRows !== undefined && p.rows >= form.batchRows) this.write(pid, p);
    }
    if (form.batchRows === undefined) this.write(pid, p);
  }

  end(): void {
    for (const [pid, p] of this.pending) this.write(pid, p);
    this.stream.close();
    for (const s of this.columns.values()) s.close();
  }

  private write(pid: number, p: Pending): void {
    if (p.rows === 0) return;
    const body = this.scratch;
    body.reset();
    for (const f of this.order) {
      const c = p.col(f);
      if (f === FIELD.time_ns) {
        if (p.baseTime !== 0) {
          body.tag(1, WIRE_VARINT);
          body.varint(p.baseTime);
        }
        continue;
      }
      const sink = this.columns.get(f);
      if (sink) {
        for (const v of c) sink.w.varint(v);
        sink.flushIfFull();
      } else body.packed(f, c, c.length);
    }
    const w = this.stream.w;
    const inner = body.view();
    const size = 1 + varintBytes(pid) + 2 + varintBytes(inner.length) + inner.length;
    w.varint(size);
    w.tag(1, WIRE_VARINT);
    w.varint(pid);
    w.tag(20, WIRE_LEN);
    w.varint(inner.length);
    w.bytes(inner);
    this.stream.flushIfFull();
    p.clear();
  }
}

function varintBytes(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Feeds a capture's Messages to every form: the shared per-process analysis once, then each form's writer. */
export class FormSet {
  private readonly steps = new Map<number, Steps>();
  private readonly encoded = new ByteWriter(1 << 20);
  private readonly scratch = new ByteWriter(1 << 20);
  private rows: Row[] = [];
  batches = 0;
  batchRows: number[] = [];

  constructor(readonly writers: FormWriter[]) {}

  push(m: Message): void {
    if (m.type === "header") this.steps.set(m.pid, new Steps());
    if (m.type !== "paired") {
      this.encoded.reset();
      encodeRecord(m, this.encoded, this.scratch);
      const bytes = this.encoded.view();
      for (const w of this.writers) w.other(bytes);
      return;
    }
    const b = m.batch;
    const steps = this.steps.get(m.pid)!;
    while (this.rows.length < b.length)
      this.rows.push({ time: 0, tid: 0, op: 0, serialStepOp: 0, siteStepOp: 0, siteStep: -1 });
    let extra = 0;
    for (let i = 0; i < b.length; i++) {
      const r = this.rows[i];
      r.time = b.time[i];
      r.tid = b.tid[i];
      steps.row(b, i, r);
      // An allocation that releases an older block (OVERWRITTEN, AWAITED) or its own (EARLY): no longer live.
      for (; extra < b.extraRow.length && b.extraRow[extra] === i; extra++)
        steps.forget(steps.serials - 1 - b.extraAge[extra]);
    }
    this.batches++;
    this.batchRows.push(b.length);
    for (const w of this.writers) w.add(m.pid, b, this.rows);
  }

  end(): void {
    for (const w of this.writers) w.end();
  }
}
