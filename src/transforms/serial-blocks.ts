// The live blocks of a paired scope (proto/memtrace.proto, PairedBatch), by serial: what fold keeps of each (its row,
// tag and site) so that a free, which names its allocation by age, updates its row without hashing an address.
//
// Recent serials sit in a ring indexed by serial modulo its size, where consecutive allocations are neighbours in
// memory; a block still live when its ring slot is needed again moves to a map, so memory is bounded by the ring and
// the live blocks.
const RING = 1 << 17;
const MASK = RING - 1;

export interface SerialBlock {
  key: number;
  tag: number;
  site: number;
}

export class SerialBlocks {
  private readonly serial = new Float64Array(RING).fill(-1);
  private readonly key = new Uint32Array(RING);
  private readonly tag = new Float64Array(RING);
  private readonly site = new Uint32Array(RING);
  private readonly old = new Map<number, SerialBlock>();
  /** Filled by take(). */
  readonly taken: SerialBlock = { key: 0, tag: 0, site: 0 };

  put(serial: number, key: number, tag: number, site: number): void {
    const at = serial & MASK;
    const previous = this.serial[at];
    if (previous >= 0) this.old.set(previous, { key: this.key[at], tag: this.tag[at], site: this.site[at] });
    this.serial[at] = serial;
    this.key[at] = key;
    this.tag[at] = tag;
    this.site[at] = site;
  }

  /** Removes a live block into `taken`; false if the serial is not live. */
  take(serial: number): boolean {
    // An empty slot holds -1: a corrupt age that names serial -1 must not match it.
    if (serial < 0) return false;
    const at = serial & MASK;
    const t = this.taken;
    if (this.serial[at] === serial) {
      this.serial[at] = -1;
      t.key = this.key[at];
      t.tag = this.tag[at];
      t.site = this.site[at];
      return true;
    }
    const b = this.old.get(serial);
    if (!b) return false;
    this.old.delete(serial);
    t.key = b.key;
    t.tag = b.tag;
    t.site = b.site;
    return true;
  }
}
