// What is live in one process: allocations paired with their frees.
//
// Three address spaces are kept apart because their events pair differently:
// - heap blocks (malloc, new, ...): a free releases the whole block at that address;
// - mappings (mmap, mremap): a munmap releases a byte range, which may be part of a mapping, or span several;
// - JS heap samples: the "address" is V8's sample id.
// Each live allocation carries an opaque numeric key chosen by the caller (fold's aggregation row, filter's "kept"
// mark) and a tag (fold's per-measure note: the thread's allocation number, or "made inside the window");
// releases are reported through `onRelease(key, bytes, count, tag, overwritten)`.
//
// A recorder that reads its clock on allocations without a fence (Settings.allocation_time_lead_ns) may give a
// block that malloc hands out again, just after another thread freed it, a time a little before that free: in
// time order, an allocation at an address still live. Then the old block is taken as freed there, and the next
// free of the address from another thread within the lead is its free, not the new block's. The bytes are
// right at every moment; only a block whose free is really missing is told `overwritten: false` when released
// (it is counted in `overwritten` once the lead has passed without its free).
//
// The mirror case: a recorder that reads its clock on frees without a fence too
// (Settings.deallocation_time_lead_ns) may give a block that one thread allocates and another frees at once a
// free a little before its allocation: in time order, a free of an address that is not live. Such a free is held,
// and an allocation of the address from another thread within the lead is its block: allocated, then released at
// once (onEarlyFree tells the caller, whose free() call said "unmatched", and `unmatched` no longer counts it). A held
// free that no allocation takes was unmatched after all.
import { EventKind } from "../codec/model";
import { f64, u32 } from "../model/growable";
import { NumberMap } from "./number-map";

// Read once: the enum is re-exported through a getter, which the hot path would call at every event.
const { MMAP, MREMAP, MUNMAP, JS_SAMPLE, JS_SAMPLE_FREED } = EventKind;

interface Piece {
  start: number;
  end: number;
  key: number;
  origin: Origin;
}

/** One mmap call: its pieces may be unmapped separately; the call's count is released with its last piece. */
interface Origin {
  pieces: number;
  count: number;
  tag: number;
}

/**
 * Called for every release. `overwritten` is true when the block was not freed but replaced by a new allocation
 * at the same address (its free was never seen).
 */
export type ReleaseHandler = (key: number, bytes: number, count: number, tag: number, overwritten: boolean) => void;

export interface LiveHeapOptions {
  /** Settings.allocationTimeLeadNs of the events' scope; 0 when every event's time is ordered. */
  allocationTimeLeadNs?: number;
  /** Called with the key of a block released before its free came (see above), when that free comes. */
  onLateFree?: (key: number) => void;
  /** Settings.deallocationTimeLeadNs of the events' scope; 0 when every free's time is ordered. */
  deallocationTimeLeadNs?: number;
  /**
   * Called when an allocation takes a free that came before it (see above), after the block was allocated and
   * released: `free` is that earlier free event, which free() had reported unmatched.
   */
  onEarlyFree?: (key: number, free: EarlyFree) => void;
}

/** A heap free that released nothing, held in case its allocation comes just after it. */
export interface EarlyFree {
  kind: number;
  size: number;
  time: number;
  tid: number;
}

/** A block released at an allocation of its address: the free that may still come for it. */
interface AwaitedFree {
  /** The new allocation's time and thread. */
  time: number;
  tid: number;
  /** The released block's key. */
  key: number;
}

export class LiveHeap {
  private readonly heap = new NumberMap(1024, true);
  private readonly samples = new NumberMap();
  /** Sorted by start, never overlapping. */
  private pieces: Piece[] = [];
  // Slot storage for heap blocks and samples: size, key and count of each live one; freed slots are reused.
  private readonly slotSize = f64();
  private readonly slotKey = u32();
  private readonly slotCount = f64();
  private readonly slotTag = f64();
  private readonly freeSlots = u32();

  private overwrittenSeen = 0;
  private unmatchedSeen = 0;
  private readonly lead: number;
  /** Heap addresses whose old block was released at a new allocation, by address (rare: a plain Map). */
  private readonly awaited = new Map<number, AwaitedFree>();
  private readonly freeLead: number;
  /** Unmatched heap frees still within the free lead, by address. */
  private readonly early = new Map<number, EarlyFree>();
  /** Past this many held frees, those whose lead has passed are dropped. */
  private earlyPruneAt = 1024;
  /** The latest time of a held free: once an event comes later than it plus the lead, none can be taken. */
  private earlyLatest = 0;

  constructor(
    private readonly onRelease: ReleaseHandler,
    private readonly options: LiveHeapOptions = {},
  ) {
    this.lead = options.allocationTimeLeadNs ?? 0;
    this.freeLead = options.deallocationTimeLeadNs ?? 0;
  }

  /** Frees that released nothing known; a held early free that an allocation takes is not one. */
  get unmatched(): number {
    return this.unmatchedSeen;
  }

  /** Allocations at an address that was already live (the free in between was never seen). */
  get overwritten(): number {
    return this.overwrittenSeen + this.awaited.size;
  }

  /** Records an allocation event (`time` and `tid` matter when the scope has an allocation time lead). */
  alloc(kind: number, address: number, size: number, key: number, count: number, tag = 0, time = 0, tid = 0): void {
    if (kind === MMAP || kind === MREMAP) {
      if (size <= 0) return;
      // A mapping over a live one (MAP_FIXED) replaces what it covers.
      if (this.unmap(address, size, true)) this.overwrittenSeen++;
      this.insertPiece({ start: address, end: address + size, key, origin: { pieces: 1, count, tag } });
      return;
    }
    const map = kind === JS_SAMPLE ? this.samples : this.heap;
    if (map === this.heap && this.early.size > 0 && this.takeEarlyFree(address, time, tid, key, size, count, tag)) {
      return;
    }
    let slot: number;
    if (this.freeSlots.length > 0) slot = this.freeSlots.data[--this.freeSlots.length];
    else {
      slot = this.slotSize.length;
      this.slotSize.push(0);
      this.slotKey.push(0);
      this.slotCount.push(0);
      this.slotTag.push(0);
    }
    this.slotSize.data[slot] = size;
    this.slotKey.data[slot] = key;
    this.slotCount.data[slot] = count;
    this.slotTag.data[slot] = tag;
    const old = map.put(address, slot);
    if (old < 0) return;
    if (this.lead > 0 && map === this.heap) {
      // A second allocation before the first one's free came means that free is missing after all.
      if (this.awaited.has(address)) this.overwrittenSeen++;
      this.awaited.set(address, { time, tid, key: this.slotKey.data[old] });
      this.releaseSlot(old, false);
      return;
    }
    this.overwrittenSeen++;
    this.releaseSlot(old, true);
  }

  /** Records a deallocation event. Returns false if it released nothing known (an unmatched free). */
  free(kind: number, address: number, size: number, time = 0, tid = 0): boolean {
    const released = this.release(kind, address, size, time, tid);
    if (!released) this.unmatchedSeen++;
    return released;
  }

  private release(kind: number, address: number, size: number, time: number, tid: number): boolean {
    if (kind === MUNMAP) return this.unmap(address, size, false);
    const map = kind === JS_SAMPLE_FREED ? this.samples : this.heap;
    if (map === this.heap && this.awaited.size > 0) {
      const awaited = this.awaited.get(address);
      if (awaited) {
        this.awaited.delete(address);
        // The new block's own thread frees it in program order; another thread, soon enough, frees the old one.
        if (tid !== awaited.tid && time <= awaited.time + this.lead) {
          this.options.onLateFree?.(awaited.key);
          return true;
        }
        this.overwrittenSeen++;
      }
    }
    const slot = map.delete(address);
    if (slot < 0) {
      if (map === this.heap && this.freeLead > 0) this.holdEarlyFree({ kind, size, time, tid }, address);
      return false;
    }
    this.releaseSlot(slot, false);
    return true;
  }

  /** Whether a held free is this new block's: then the block is allocated and released at once. */
  private takeEarlyFree(
    address: number,
    time: number,
    tid: number,
    key: number,
    size: number,
    count: number,
    tag: number,
  ): boolean {
    // Frees of blocks allocated before recording started are held too, and never taken: once the lead has
    // passed the latest of them, no allocation needs to look them up.
    if (time > this.earlyLatest + this.freeLead) {
      this.early.clear();
      return false;
    }
    const free = this.early.get(address);
    if (!free) return false;
    this.early.delete(address);
    // The thread that freed first in program order freed an older block (or one never seen); another thread's
    // free, soon enough before, is this block's.
    if (free.tid === tid || time > free.time + this.freeLead) return false;
    this.onRelease(key, size, count, tag, false);
    this.unmatchedSeen--;
    this.options.onEarlyFree?.(key, free);
    return true;
  }

  private holdEarlyFree(free: EarlyFree, address: number): void {
    this.early.set(address, free);
    this.earlyLatest = Math.max(this.earlyLatest, free.time);
    if (this.early.size < this.earlyPruneAt) return;
    // Frees of blocks allocated before recording started (or before a fork, in the child) are held too.
    for (const [a, f] of this.early) if (f.time + this.freeLead < free.time) this.early.delete(a);
    this.earlyPruneAt = Math.max(1024, 2 * this.early.size);
  }

  /** Unmatched frees held for an allocation that may still come within the free lead. */
  get heldFrees(): number {
    return this.early.size;
  }

  /** Live blocks, mappings and samples. */
  get liveBlocks(): number {
    return this.heap.size + this.samples.size + this.pieces.length;
  }

  private releaseSlot(slot: number, overwritten: boolean): void {
    const d = this.slotTag.data;
    this.onRelease(this.slotKey.data[slot], this.slotSize.data[slot], this.slotCount.data[slot], d[slot], overwritten);
    this.freeSlots.push(slot);
  }

  /** Releases [start, start + length) of any mappings; returns whether anything was mapped there. */
  private unmap(start: number, length: number, overwritten: boolean): boolean {
    const end = start + length;
    const hit = this.overlapping(start, end);
    if (hit.length === 0) return false;
    const first = this.pieces.indexOf(hit[0]);
    const replacement: Piece[] = [];
    for (const p of hit) {
      const from = Math.max(p.start, start);
      const to = Math.min(p.end, end);
      let remaining = 0;
      if (p.start < from) {
        replacement.push({ start: p.start, end: from, key: p.key, origin: p.origin });
        remaining++;
      }
      if (to < p.end) {
        replacement.push({ start: to, end: p.end, key: p.key, origin: p.origin });
        remaining++;
      }
      p.origin.pieces += remaining - 1;
      const count = p.origin.pieces === 0 ? p.origin.count : 0;
      this.onRelease(p.key, to - from, count, p.origin.tag, overwritten);
    }
    this.pieces.splice(first, hit.length, ...replacement);
    return true;
  }

  private overlapping(start: number, end: number): Piece[] {
    const pieces = this.pieces;
    // First piece that ends after start.
    let lo = 0;
    let hi = pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pieces[mid].end <= start) lo = mid + 1;
      else hi = mid;
    }
    const out: Piece[] = [];
    for (let i = lo; i < pieces.length && pieces[i].start < end; i++) out.push(pieces[i]);
    return out;
  }

  private insertPiece(piece: Piece): void {
    const pieces = this.pieces;
    let lo = 0;
    let hi = pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pieces[mid].start < piece.start) lo = mid + 1;
      else hi = mid;
    }
    pieces.splice(lo, 0, piece);
  }
}
