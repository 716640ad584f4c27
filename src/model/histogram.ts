// The sizes of allocations, in powers of two: how many allocations (and how many bytes) were 0 bytes, 1 byte, 2-3,
// 4-7, ... 1-2 MiB, and so on. A log scale because sizes span ten orders of magnitude in a Node process (a 16-byte
// string header, a 64 MiB mapping of V8's heap), and powers of two because allocators think in them.
//
// It needs every allocation's own size, which folded rows no longer have (they keep sums per stack): fold counts
// the sizes from the events as they pass, and writes the histogram into the folded capture (FoldInfo.size_counts).
// JS heap samples are left out and counted apart: their size is what the sampler estimates a sample stands for
// (about the sampling interval), not an object's size.
import { EventKind, isAllocation, type EventBatch, type FoldInfo } from "../codec/model";

export interface SizeBucket {
  /** The smallest and largest size in the bucket, in bytes, both included. */
  min: number;
  max: number;
  count: number;
  bytes: number;
}

/** Bucket 0 holds size 0; bucket k (k >= 1) holds sizes from 2^(k-1) to 2^k - 1. Sizes are below 2^64. */
const BUCKETS = 66;

/** The bucket of a size: 1 + floor(log2(size)) computed on integers, so that 2^k - 1 never rounds up to 2^k. */
export function sizeBucket(size: number): number {
  if (size < 1) return 0;
  let k = 0;
  let s = Math.floor(size);
  while (s >= 2 ** 32) {
    s = Math.floor(s / 2 ** 32);
    k += 32;
  }
  return k + 32 - Math.clz32(s);
}

export class SizeHistogram {
  /** Per bucket (read and added to by fold's native kernel too). */
  readonly counts = new Float64Array(BUCKETS);
  readonly sums = new Float64Array(BUCKETS);
  /** JS heap samples seen (and left out). */
  jsSamples = 0;

  add(size: number): void {
    const b = sizeBucket(size);
    this.counts[b]++;
    this.sums[b] += size;
  }

  addBatch(batch: EventBatch): void {
    for (let i = 0; i < batch.length; i++) {
      const kind = batch.kind[i];
      if (!isAllocation(kind)) continue;
      if (kind === EventKind.JS_SAMPLE) this.jsSamples++;
      else this.add(batch.size[i]);
    }
  }

  /** Adds a histogram kept in a folded capture's FoldInfo; false when it has none (folded before it was kept). */
  addFolded(info: FoldInfo): boolean {
    if (info.sizeCounts.length === 0 && info.jsSamples === 0) return false;
    for (let k = 0; k < info.sizeCounts.length && k < BUCKETS; k++) {
      this.counts[k] += info.sizeCounts[k];
      this.sums[k] += info.sizeBytes[k] ?? 0;
    }
    this.jsSamples += info.jsSamples;
    return true;
  }

  /** The histogram as FoldInfo keeps it: up to the largest bucket used. */
  toFoldInfo(): Pick<FoldInfo, "sizeCounts" | "sizeBytes" | "jsSamples"> {
    let n = BUCKETS;
    while (n > 0 && this.counts[n - 1] === 0) n--;
    return {
      sizeCounts: Array.from(this.counts.subarray(0, n)),
      sizeBytes: Array.from(this.sums.subarray(0, n)),
      jsSamples: this.jsSamples,
    };
  }

  /** The buckets from the smallest size seen to the largest, empty ones between included (a chart needs them). */
  buckets(): SizeBucket[] {
    let first = this.counts.findIndex((c) => c > 0);
    if (first < 0) return [];
    let last = BUCKETS - 1;
    while (this.counts[last] === 0) last--;
    const out: SizeBucket[] = [];
    for (; first <= last; first++) {
      const min = first === 0 ? 0 : 2 ** (first - 1);
      const max = first === 0 ? 0 : 2 ** first - 1;
      out.push({ min, max, count: this.counts[first], bytes: this.sums[first] });
    }
    return out;
  }
}
