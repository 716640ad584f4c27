// Bytes and counts summed by a numeric key (a row packed with bucket positions), in typed-array columns: the
// timeline's tables hold one entry per (row, interval), however many events fell into it.
import { f64 } from "../../model/growable";
import type { SortedSums } from "../../native/kernel";
import { NumberMap } from "../number-map";

export class Sums {
  private readonly index: NumberMap;
  readonly keys;
  readonly bytes;
  readonly count;

  constructor(capacity = 1024) {
    this.index = new NumberMap(capacity);
    this.keys = f64(capacity);
    this.bytes = f64(capacity);
    this.count = f64(capacity);
  }

  get size(): number {
    return this.keys.length;
  }

  add(key: number, bytes: number, count: number): void {
    this.addAt(this.indexOf(key), bytes, count);
  }

  /** The entry of a key, made if new: it stays the key's until the next rekey. */
  indexOf(key: number): number {
    let i = this.index.get(key);
    if (i < 0) {
      i = this.keys.push(key);
      this.bytes.push(0);
      this.count.push(0);
      this.index.set(key, i);
    }
    return i;
  }

  addAt(i: number, bytes: number, count: number): void {
    this.bytes.data[i] += bytes;
    this.count.data[i] += count;
  }

  /** The same sums under new keys; entries whose keys become equal are added together. */
  rekey(key: (old: number) => number): Sums {
    const out = new Sums(Math.max(1024, this.size));
    for (let i = 0; i < this.size; i++) out.add(key(this.keys.data[i]), this.bytes.data[i], this.count.data[i]);
    return out;
  }

  /** The entries that hold anything, by increasing key. */
  sorted(): SortedSums {
    const keys = this.sortedKeys();
    const bytes = new Float64Array(keys.length);
    const count = new Float64Array(keys.length);
    keys.forEach((key, j) => {
      const i = this.index.get(key);
      bytes[j] = this.bytes.data[i];
      count[j] = this.count.data[i];
    });
    return { keys, bytes, count };
  }

  /** The keys of the entries that hold anything, in increasing order. */
  sortedKeys(): Float64Array {
    let n = 0;
    const keys = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) {
      if (this.bytes.data[i] !== 0 || this.count.data[i] !== 0) keys[n++] = this.keys.data[i];
    }
    // A typed array sorts numbers natively: far faster than sorting indices with a comparator.
    return keys.subarray(0, n).sort();
  }
}
