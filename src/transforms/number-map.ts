// A hash map from integer keys (addresses, sample ids, packed row keys; any finite number, since a corrupt capture's
// addresses can be negative) to int32 values, in typed arrays.
//
// A JS Map keyed by 47-bit addresses boxes every key as a heap number: in fold it was the largest single cost
// (about a fifth of the time) and a steady source of garbage. This is open addressing with linear probing and
// backward-shift deletion (no tombstones, so lookups stay short however many blocks come and go).
//
// An empty slot holds NaN: no key is NaN (keys are sums of integers), and NaN equals no key. (A key of -1, which a
// corrupt capture can give, once matched the empty slots: a block "found" there was released twice.) `k !== k` tests
// for an empty slot.
const EMPTY = NaN;
const MAX_LOAD = 0.5;
const TWO_POW_32 = 4294967296;

export class NumberMap {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  size = 0;

  /**
   * `pages`: the keys are memory addresses. Then keys on one 4 KiB page keep their order within a run of 256 slots,
   * so that blocks made and freed close together touch few cache lines of the table (the table's first probe was a
   * fifth of fold's time, mostly cache misses); the page number itself is mixed. Small integer keys (ids) would
   * crowd into one run: they take the default.
   */
  constructor(
    initialCapacity = 1024,
    private readonly pages = false,
  ) {
    let cap = 16;
    while (cap < initialCapacity / MAX_LOAD) cap *= 2;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.values = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private slot(key: number): number {
    const lo = key >>> 0;
    const hi = (key / TWO_POW_32) >>> 0;
    const pages = this.pages;
    let h = Math.imul((pages ? lo >>> 12 : lo) ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 13;
    return (pages ? (h << 8) | ((lo >>> 4) & 0xff) : h) & this.mask;
  }

  /** The value for key, or -1 when absent (values stored must be >= 0). */
  get(key: number): number {
    const keys = this.keys;
    let i = this.slot(key);
    for (;;) {
      const k = keys[i];
      if (k === key) return this.values[i];
      if (k !== k) return -1;
      i = (i + 1) & this.mask;
    }
  }

  set(key: number, value: number): void {
    this.put(key, value);
  }

  /** Sets key to value in one probe; returns the value it replaced, or -1 if the key was absent. */
  put(key: number, value: number): number {
    if (this.size + 1 > this.keys.length * MAX_LOAD) this.grow();
    const keys = this.keys;
    let i = this.slot(key);
    for (;;) {
      const k = keys[i];
      if (k === key) {
        const old = this.values[i];
        this.values[i] = value;
        return old;
      }
      if (k !== k) {
        keys[i] = key;
        this.values[i] = value;
        this.size++;
        return -1;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** Removes key; returns its value, or -1 if it was absent. */
  delete(key: number): number {
    const keys = this.keys;
    const mask = this.mask;
    let i = this.slot(key);
    for (;;) {
      const k = keys[i];
      if (k !== k) return -1;
      if (k === key) break;
      i = (i + 1) & mask;
    }
    const value = this.values[i];
    this.size--;
    // Backward-shift: move later entries of the probe run into the hole so that no lookup stops early.
    let hole = i;
    let j = (i + 1) & mask;
    while (keys[j] === keys[j]) {
      const home = this.slot(keys[j]);
      // Move j into the hole unless its home lies cyclically in (hole, j].
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        keys[hole] = keys[j];
        this.values[hole] = this.values[j];
        hole = j;
      }
      j = (j + 1) & mask;
    }
    keys[hole] = EMPTY;
    return value;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const cap = oldKeys.length * 2;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.values = new Int32Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i] === oldKeys[i]) this.set(oldKeys[i], oldValues[i]);
  }

  /** Calls fn for every entry (in no particular order). */
  forEach(fn: (key: number, value: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] === this.keys[i]) fn(this.keys[i], this.values[i]);
  }
}
