// pair: a version-1 capture -> the same capture with its events paired (version 3, or 2 if asked: SiteTable,
// PairedBatch).
//
// This is the reference for what a recorder that pairs at record time writes (proto/memtrace.proto, PairedBatch;
// docs/pipeline.md): the events of each process in the order fold reads them (EventOrderer), each allocation as a
// site, each free as the block LiveHeap says it releases (a step in version 3, an age in 2), with the same time leads. Mappings keep their
// addresses (a reader pairs them itself). Every other Record passes through in the position fold would see it, so
// fold of the output equals fold of the input.
import type { Transform } from "node:stream";
import {
  Content,
  EventKind,
  FREE_AGE,
  FREE_STEP,
  PAIRED_VERSION,
  STEP_VERSION,
  isAllocation,
  isDeallocation,
  type EventBatch,
  type Message,
  type PairedBatch,
} from "../codec/model";
import { f64, u32, u8, type Growable } from "../model/growable";
import { LiveHeap } from "./live";
import { EventOrderer, type OrderOptions } from "./order";
import { stageTransform } from "../streams/stage";

const { MMAP, MREMAP, MUNMAP } = EventKind;
/** ExtraRelease of proto/memtrace.proto. */
export const EXTRA_EARLY = 0;
export const EXTRA_OVERWRITTEN = 1;
export const EXTRA_AWAITED = 2;

/** Rows per PairedBatch at most. */
const BATCH_ROWS = 64 * 1024;

export interface PairOptions extends OrderOptions {
  /** The paired scopes' Header.version: STEP_VERSION (frees as steps, the default) or PAIRED_VERSION (as ages). */
  version?: number;
}

class ProcessPairing {
  readonly live: LiveHeap;
  /** Allocations so far (the next serial). */
  serials = 0;
  private readonly sites = new Map<string, number>();
  private readonly newSites = { kind: u8(), size: f64(), stack: u32(), count: f64() };
  private firstNewSite = 1;
  private readonly rows = {
    op: f64(),
    time: f64(),
    tid: u32(),
    freeKind: u8(),
    address: f64(),
    unmapLength: f64(),
    extraRow: u32(),
    extraAge: f64(),
    extraKind: u8(),
    lateAge: f64(),
  };
  /** The row and serial of the allocation being paired (LiveHeap's releases during alloc() are its extras). */
  private allocRow = -1;
  private allocSerial = 0;
  /** What the free being paired released. */
  private released = -1;
  private late = false;

  constructor(
    readonly pid: number,
    allocationTimeLeadNs: number,
    deallocationTimeLeadNs: number,
    private readonly freeReference: number,
  ) {
    this.live = new LiveHeap((key, _bytes, _count, _tag, overwritten) => this.onRelease(key, overwritten), {
      allocationTimeLeadNs,
      deallocationTimeLeadNs,
      onLateFree: (key) => {
        this.late = true;
        this.rows.lateAge.push(this.serials - key);
      },
    });
  }

  private onRelease(key: number, overwritten: boolean): void {
    if (this.allocRow < 0) {
      this.released = key;
      return;
    }
    const r = this.rows;
    const own = key === this.allocSerial;
    r.extraRow.push(this.allocRow);
    r.extraAge.push(own ? 0 : this.allocSerial - key);
    r.extraKind.push(own ? EXTRA_EARLY : overwritten ? EXTRA_OVERWRITTEN : EXTRA_AWAITED);
  }

  get length(): number {
    return this.rows.op.length;
  }

  add(b: EventBatch, i: number): void {
    const kind = b.kind[i];
    const r = this.rows;
    const row = r.op.length;
    const allocation = isAllocation(kind);
    if (!allocation && !isDeallocation(kind)) return; // fold reads neither kind
    r.time.push(b.time[i]);
    r.tid.push(b.tid[i]);
    if (allocation) {
      const serial = this.serials++;
      r.op.push(this.site(kind, b.size[i], b.stack[i], b.count[i]) * 2);
      if (kind === MMAP || kind === MREMAP) {
        r.address.push(b.address[i]);
        return;
      }
      this.allocRow = row;
      this.allocSerial = serial;
      this.live.alloc(kind, b.address[i], b.size[i], serial, b.count[i], 0, b.time[i], b.tid[i]);
      this.allocRow = -1;
      return;
    }
    r.freeKind.push(kind);
    if (kind === MUNMAP) {
      r.address.push(b.address[i]);
      r.unmapLength.push(b.size[i]);
      r.op.push(1);
      return;
    }
    this.released = -1;
    this.late = false;
    this.live.free(kind, b.address[i], b.size[i], b.time[i], b.tid[i]);
    const v = this.released >= 0 ? this.serials - this.released + 1 : this.late ? 1 : 0;
    r.op.push(v * 2 + 1);
  }

  private site(kind: number, size: number, stack: number, count: number): number {
    const key = `${kind},${size},${stack},${count}`;
    let id = this.sites.get(key);
    if (id === undefined) {
      id = this.sites.size + 1;
      this.sites.set(key, id);
      const s = this.newSites;
      s.kind.push(kind);
      s.size.push(size);
      s.stack.push(stack);
      s.count.push(count);
    }
    return id;
  }

  /** The sites defined since the last flush and the rows, as Messages; then starts afresh. */
  flush(emit: (m: Message) => void): void {
    const s = this.newSites;
    if (s.kind.length > 0) {
      emit({
        type: "sites",
        pid: this.pid,
        sites: {
          firstId: this.firstNewSite,
          length: s.kind.length,
          kind: s.kind.data.slice(0, s.kind.length),
          size: s.size.data.slice(0, s.kind.length),
          stack: s.stack.data.slice(0, s.kind.length),
          count: s.count.data.slice(0, s.kind.length),
        },
      });
      this.firstNewSite += s.kind.length;
      for (const c of [s.kind, s.size, s.stack, s.count]) c.length = 0;
    }
    const r = this.rows;
    if (r.op.length === 0) return;
    const take = <T extends Uint8Array | Uint32Array | Float64Array>(c: Growable<T>): T => {
      const out = c.data.slice(0, c.length) as T;
      c.length = 0;
      return out;
    };
    const batch: PairedBatch = {
      length: r.op.length,
      op: take(r.op),
      freeReference: this.freeReference,
      time: take(r.time),
      tid: take(r.tid),
      freeKind: take(r.freeKind),
      address: take(r.address),
      unmapLength: take(r.unmapLength),
      extraRow: take(r.extraRow),
      extraAge: take(r.extraAge),
      extraKind: take(r.extraKind),
      lateAge: take(r.lateAge),
    };
    emit({ type: "paired", pid: this.pid, batch });
  }
}

/** The push-based pairer: push() every Message of a version-1 capture, end() once; output goes to `emit`. */
export class Pairer {
  private readonly orderer: EventOrderer;
  private readonly processes = new Map<number, ProcessPairing>();
  private pending: ProcessPairing | undefined;
  private readonly version: number;

  constructor(
    private readonly emit: (m: Message) => void,
    options: PairOptions = {},
  ) {
    this.orderer = new EventOrderer((m) => this.handle(m), options);
    this.version = options.version ?? STEP_VERSION;
  }

  push(m: Message): void {
    this.orderer.push(m);
  }

  end(): void {
    this.orderer.end();
    this.flushAll();
  }

  private handle(m: Message): void {
    if (m.type === "events") {
      const p = this.processes.get(m.pid);
      if (!p) {
        this.emit(m);
        return;
      }
      // One process has rows pending at a time, so that rows keep the order fold would read them in.
      if (this.pending !== p) this.flushAll();
      this.pending = p;
      const b = m.batch;
      for (let i = 0; i < b.length; i++) {
        p.add(b, i);
        if (p.length >= BATCH_ROWS) p.flush(this.emit);
      }
      return;
    }
    // Everything else keeps its place among the rows.
    this.flushAll();
    if (m.type === "header") {
      this.processes.delete(m.pid);
      const h = m.header;
      if (h.content === Content.RAW) {
        const s = h.settings;
        const steps = this.version >= STEP_VERSION;
        this.processes.set(
          m.pid,
          new ProcessPairing(m.pid, s.allocationTimeLeadNs, s.deallocationTimeLeadNs, steps ? FREE_STEP : FREE_AGE),
        );
        this.emit({ ...m, header: { ...h, version: steps ? STEP_VERSION : PAIRED_VERSION } });
        return;
      }
    }
    this.emit(m);
  }

  private flushAll(): void {
    this.pending?.flush(this.emit);
    this.pending = undefined;
  }
}

/** pair as a Transform: Messages of a version-1 capture in, the paired capture's Messages out. */
export function pair(options: PairOptions = {}): Transform {
  return stageTransform((emit) => new Pairer(emit, options));
}
