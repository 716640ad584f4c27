// The time buckets of one process, for the memory timeline and the HTML flame graph's time window: at most
// MAX_BUCKETS of them, of a width that doubles as the run goes on (a capture is read once, front to back, often from a
// pipe, so its length is not known in advance).
//
// Bucket k holds the times [k * width, (k + 1) * width). Each bucket keeps its high point, Memray's "snapshot" of a
// temporal flame graph: the most live bytes reached within it, by the first event that reached them (its moment).
// The highest moment of the whole run is fold's peak.
//
// Events are placed at positions, two per bucket: 2k for "in bucket k, at or before its moment", 2k + 1 for "in
// bucket k, after its moment". An allocation is live at moment k when it was allocated at a position <= 2k and freed
// at a position > 2k. When buckets are merged two by two, a position keeps its meaning under the moment of the
// merged bucket (the higher of the two; the earlier on a tie), which `halve` computes.

/** Buckets kept at most; when an event falls beyond them, the width doubles and pairs of buckets merge. */
export const MAX_BUCKETS = 256;

export class BucketGrid {
  /** Width of a bucket, ns: a power of two. */
  width = 1;
  /** Buckets opened so far; the current one is `count - 1`. */
  count = 0;
  /** Per bucket: the time of its moment: its event's, or the bucket's start when the moment is the state it starts with. */
  readonly momentTime: number[] = [];
  /** Per bucket: live bytes at its moment, all of them and those of JS heap samples. */
  readonly high: number[] = [];
  readonly highJs: number[] = [];

  get current(): number {
    return this.count - 1;
  }

  /** The bucket of a time at the current width (not limited to MAX_BUCKETS). */
  indexOf(time: number): number {
    return Math.floor(time / this.width);
  }

  /** Opens buckets up to `index` (which must be < MAX_BUCKETS): the ones skipped over had no event. */
  openTo(index: number, live: number, liveJs: number): void {
    while (this.count <= index) {
      // Until an event of its own raises it, a bucket's high point is the state it starts with.
      this.momentTime.push(this.count * this.width);
      this.high.push(live);
      this.highJs.push(liveJs);
      this.count++;
    }
  }

  /** A new high point in the current bucket, reached at `time`. */
  raise(time: number, live: number, liveJs: number): void {
    const k = this.current;
    this.momentTime[k] = time;
    this.high[k] = live;
    this.highJs[k] = liveJs;
  }

  /**
   * Doubles the width: buckets 2j and 2j + 1 become bucket j, whose moment is the higher of theirs. Returns the map
   * of old positions to new ones (index: old position).
   */
  halve(): Int32Array {
    const n = this.count;
    const remap = new Int32Array(2 * n);
    const m = Math.ceil(n / 2);
    for (let j = 0; j < m; j++) {
      const a = 2 * j;
      const b = a + 1;
      const winner = b < n && this.high[b] > this.high[a] ? b : a;
      for (const k of b < n ? [a, b] : [a]) {
        // Events of the bucket before the winner are all at or before its moment; those of the one after, after it.
        remap[2 * k] = 2 * j + (k <= winner ? 0 : 1);
        remap[2 * k + 1] = 2 * j + (k < winner ? 0 : 1);
      }
      this.momentTime[j] = this.momentTime[winner];
      this.high[j] = this.high[winner];
      this.highJs[j] = this.highJs[winner];
    }
    for (const column of [this.momentTime, this.high, this.highJs]) column.length = m;
    this.count = m;
    this.width *= 2;
    return remap;
  }
}
