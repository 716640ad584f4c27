// The sizes of allocations, in powers of two: how many allocations (and how many bytes) were 0 bytes, 1 byte, 2-3,
// 4-7, ... 1-2 MiB, and so on. A log scale because sizes span ten orders of magnitude in a Node process (a 16-byte
// string header, a 64 MiB mapping of V8's heap), and powers of two because allocators think in them.
//
// It needs every allocation's own size, which a folded profile no longer has (it keeps sums per stack): stats
// counts the sizes from the capture's events as they pass. JS heap samples are left out and counted apart: their
// size is what the sampler estimates a sample stands for (about the sampling interval), not an object's size.
import { EventKind, isAllocation, type EventBatch } from "../codec/model";

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
  private readonly counts = new Float64Array(BUCKETS);
  private readonly sums = new Float64Array(BUCKETS);
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
