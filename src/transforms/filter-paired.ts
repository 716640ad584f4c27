// filter of a paired scope (format versions 2 and 3): the rows of the allocations kept and of the frees that
// release them, with every free's age recounted among the allocations kept, so that fold of the output equals fold
// of what filter writes for the same events unpaired (docs/pipeline.md, "Paired by default"). The decoder gives
// ages and a time per row whatever the wire had; the output batches say the scope's form (FreeReference), so that
// the encoder writes a version-3 scope's frees as steps and its times as changes again.
//
// The unpaired filter's rules, in paired terms: a free is kept when it releases a kept block; an unmatched free
// releases nothing and goes; an early free (an allocation's EARLY release) is written right after its kept block,
// at the block's time; a kept block released at a dropped allocation of its address (OVERWRITTEN, AWAITED) stays
// live, until its late free if one comes. There the two forms can differ: the unpaired output holds such a block
// at its address until the next kept block there takes it as overwritten, and paired rows have no addresses, so
// the paired output holds it to the end; filter counts such blocks and warns. A late free names its block
// (PairedBatch.late_age); in captures written before that, it is the one awaited block whose allocation came within
// the lead from another thread, and when two could be, filter says so and stops rather than guess. The output's
// late frees name their blocks too.
import { CaptureError } from "../codec/errors";
import { EventKind, FREE_AGE, FREE_STEP, STEP_VERSION, type PairedBatch, type SiteTable } from "../codec/model";
import { f64, u32, u8 } from "../model/growable";
import { LiveHeap } from "./live";
import { EXTRA_AWAITED, EXTRA_EARLY } from "./pair";

const { MMAP, MREMAP, MUNMAP } = EventKind;

/** Whether filter keeps an allocation: its thread, kind, time, size and stack. */
export type Accepts = (tid: number, kind: number, time: number, size: number, stack: number) => boolean;

/** A block released at an allocation of its address, whose late free may still come. */
interface Awaited {
  /** The allocation's input serial (its key), time and thread; the released block's input serial. */
  serial: number;
  old: number;
  time: number;
  tid: number;
  kept: boolean;
  /** The released block's output serial when it was kept, else -1. */
  released: number;
}

export class PairedFilter {
  private readonly siteKind = u8();
  private readonly siteSize = f64();
  private readonly siteStack = u32();
  private serials = 0;
  private outSerials = 0;
  /** Kept live blocks: input serial -> output serial. */
  private readonly kept = new Map<number, number>();
  /** By the awaiting allocation's input serial (which stands for the address, as long as that block lives). */
  private readonly awaited = new Map<number, Awaited>();
  /** The same, by the released block's input serial: what a late free names (PairedBatch.lateAge). */
  private readonly byReleased = new Map<number, Awaited>();
  /** The awaited entries made within the last lead, oldest first: a late free's candidates when it names none. */
  private recent: Awaited[] = [];
  /** Mappings keep their addresses: LiveHeap pairs them, with key 1 for the kept. */
  private readonly mappings: LiveHeap;
  private releasedKept = false;
  /** The last unmatched heap free's kind and thread: what an early free written after its block says. */
  private lastUnmatched = { kind: EventKind.FREE as number, tid: 0 };
  /** Kept blocks released at an allocation filter dropped: they stay live in the output (see the file comment). */
  orphans = 0;

  /** How the output batches' frees are to be written: as the scope's version writes them. */
  private readonly freeReference: number;

  constructor(
    private readonly pid: number,
    version: number,
    private readonly lead: number,
    private readonly accepts: Accepts,
    private readonly stackCount: () => number,
  ) {
    this.freeReference = version >= STEP_VERSION ? FREE_STEP : FREE_AGE;
    for (const c of [this.siteKind, this.siteSize, this.siteStack]) c.push(0);
    this.mappings = new LiveHeap((key) => {
      if (key === 1) this.releasedKept = true;
    });
  }

  sites(s: SiteTable): void {
    for (let i = 0; i < s.length; i++) {
      const id = s.firstId + i;
      for (const c of [this.siteKind, this.siteSize, this.siteStack]) c.ensure(id + 1);
      this.siteKind.data[id] = s.kind[i];
      this.siteSize.data[id] = s.size[i];
      this.siteStack.data[id] = s.stack[i];
    }
  }

  /** The kept rows of `b`, renumbered; throws a CaptureError at `offset` where the pairing cannot be followed. */
  select(b: PairedBatch, offset: number): PairedBatch {
    const out = new RowsBuilder(this.freeReference);
    const bad = (what: string) => new CaptureError(`process ${this.pid}: ${what}`, offset);
    let free = 0;
    let mapping = 0;
    let unmap = 0;
    let extra = 0;
    let late = 0;
    const lateAge = b.lateAge ?? new Float64Array(0);
    for (let i = 0; i < b.length; i++) {
      const op = b.op[i];
      const time = b.time[i];
      const tid = b.tid[i];
      if (op % 2 === 0) {
        const site = op / 2;
        if (site === 0 || site >= this.siteKind.length) throw bad(`a paired row names undefined site ${site}`);
        const kind = this.siteKind.data[site];
        const size = this.siteSize.data[site];
        const stack = this.siteStack.data[site];
        const serial = this.serials++;
        const keep = this.accepts(tid, kind, time, size, stack);
        if (keep && stack >= this.stackCount()) throw bad(`an event refers to undefined stack ${stack}`);
        const hasExtra = extra < b.extraRow.length && b.extraRow[extra] === i;
        const why = hasExtra ? b.extraKind[extra] : 0;
        const age = hasExtra ? b.extraAge[extra++] : -1;
        if (kind === MMAP || kind === MREMAP) {
          const address = b.address[mapping++];
          this.mappings.alloc(kind, address, size, keep ? 1 : 0, 1);
          if (keep) {
            this.outSerials++;
            out.allocation(op, time, tid, address);
          }
          continue;
        }
        if (age === 0) {
          // Allocated and released at once by the free that came just before it: that free (a row that released
          // nothing, dropped) is written right after the block.
          if (why !== EXTRA_EARLY) throw bad("an allocation releases its own block, not early");
          if (!keep) continue;
          this.outSerials++;
          out.allocation(op, time, tid);
          out.free(time, this.lastUnmatched.tid, this.lastUnmatched.kind, 1);
          continue;
        }
        const outSerial = keep ? this.outSerials++ : -1;
        let extraAge = -1;
        if (age > 0) {
          const old = serial - age;
          const keptOld = this.kept.get(old);
          this.kept.delete(old);
          this.endAwait(old);
          if (keptOld !== undefined && keep) extraAge = outSerial - keptOld;
          if (keptOld !== undefined && !keep) this.orphans++;
          if (why === EXTRA_AWAITED) {
            const a: Awaited = { serial, old, time, tid, kept: keep, released: keptOld ?? -1 };
            this.awaited.set(serial, a);
            this.byReleased.set(old, a);
            this.recent.push(a);
          }
        }
        if (keep) {
          this.kept.set(serial, outSerial);
          out.allocation(op, time, tid);
          if (extraAge > 0) out.extra(extraAge, why);
        }
        continue;
      }
      const kind = b.freeKind[free++];
      if (kind === MUNMAP) {
        const address = b.address[mapping++];
        const length = b.unmapLength[unmap++];
        this.releasedKept = false;
        this.mappings.free(kind, address, length);
        if (this.releasedKept) out.unmap(time, tid, address, length);
        continue;
      }
      const v = (op - 1) / 2;
      if (v === 0) {
        this.lastUnmatched = { kind, tid };
        continue;
      }
      if (v === 1) {
        const a =
          late < lateAge.length ? this.named(this.serials - lateAge[late++], bad) : this.lateFreeOf(time, tid, bad);
        if (a.released < 0) continue;
        if (a.kept) out.late(time, tid, kind, this.outSerials - a.released);
        else out.free(time, tid, kind, this.outSerials - a.released);
        continue;
      }
      const old = this.serials - (v - 1);
      this.endAwait(old);
      const keptOld = this.kept.get(old);
      if (keptOld === undefined) continue;
      this.kept.delete(old);
      out.free(time, tid, kind, this.outSerials - keptOld);
    }
    if (
      free > b.freeKind.length ||
      mapping > b.address.length ||
      unmap > b.unmapLength.length ||
      extra !== b.extraRow.length
    ) {
      throw bad("a paired batch's columns do not match its rows");
    }
    return out.batch();
  }

  /** The awaited block a late free names by its age. */
  private named(old: number, bad: (what: string) => CaptureError): Awaited {
    const a = this.byReleased.get(old);
    if (!a || this.awaited.get(a.serial) !== a)
      throw bad(`a late free names a block of age ${this.serials - old} that awaits no free`);
    this.forget(a);
    return a;
  }

  /** The block of input serial `serial` is released: the free its address awaited can come no more. */
  private endAwait(serial: number): void {
    const a = this.awaited.get(serial);
    if (a) this.forget(a);
  }

  private forget(a: Awaited): void {
    this.awaited.delete(a.serial);
    if (this.byReleased.get(a.old) === a) this.byReleased.delete(a.old);
  }

  /** Without late_age (older captures): the one awaited block of another thread's allocation within the lead. */
  private lateFreeOf(time: number, tid: number, bad: (what: string) => CaptureError): Awaited {
    let start = 0;
    while (start < this.recent.length && this.recent[start].time + this.lead < time) start++;
    if (start > 0) this.recent = this.recent.slice(start);
    let found: Awaited | undefined;
    let candidates = 0;
    for (const a of this.recent) {
      if (a.tid === tid || this.awaited.get(a.serial) !== a) continue;
      found = a;
      candidates++;
    }
    if (!found) throw bad("a late free comes with no block awaiting it");
    if (candidates > 1) {
      throw bad(
        `a late free could be that of ${candidates} blocks handed between threads at once, which filter cannot tell ` +
          "apart in a paired capture: record with --no-paired to filter this recording",
      );
    }
    this.forget(found);
    return found;
  }
}

/** The rows of a PairedBatch as they are kept. */
class RowsBuilder {
  private readonly op = f64();
  private readonly time = f64();
  private readonly tid = u32();
  private readonly freeKind = u8();
  private readonly address = f64();
  private readonly unmapLength = f64();
  private readonly extraRow = u32();
  private readonly extraAge = f64();
  private readonly extraKind = u8();
  private readonly lateAge = f64();

  constructor(private readonly freeReference: number) {}

  allocation(op: number, time: number, tid: number, address?: number): void {
    this.row(op, time, tid);
    if (address !== undefined) this.address.push(address);
  }

  extra(age: number, why: number): void {
    this.extraRow.push(this.op.length - 1);
    this.extraAge.push(age);
    this.extraKind.push(why);
  }

  free(time: number, tid: number, kind: number, age: number): void {
    this.row((age + 1) * 2 + 1, time, tid);
    this.freeKind.push(kind);
  }

  late(time: number, tid: number, kind: number, age: number): void {
    this.row(3, time, tid);
    this.freeKind.push(kind);
    this.lateAge.push(age);
  }

  unmap(time: number, tid: number, address: number, length: number): void {
    this.row(1, time, tid);
    this.freeKind.push(MUNMAP);
    this.address.push(address);
    this.unmapLength.push(length);
  }

  batch(): PairedBatch {
    return {
      length: this.op.length,
      op: this.op.view(),
      freeReference: this.freeReference,
      time: this.time.view(),
      tid: this.tid.view(),
      freeKind: this.freeKind.view(),
      address: this.address.view(),
      unmapLength: this.unmapLength.view(),
      extraRow: this.extraRow.view(),
      extraAge: this.extraAge.view(),
      extraKind: this.extraKind.view(),
      lateAge: this.lateAge.view(),
    };
  }

  private row(op: number, time: number, tid: number): void {
    this.op.push(op);
    this.time.push(time);
    this.tid.push(tid);
  }
}
