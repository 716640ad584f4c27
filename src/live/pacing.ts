// When the fold worker sends its snapshots, and which ones compute the table again. A fold with a core of its own
// sends a whole snapshot at every interval. A starved one (its thread runs nicer than the app, and the cores are
// busy) cannot: a whole snapshot then takes a sizeable part of a second of wall time. It still refreshes the
// header's figures at every interval (they cost a fraction of a millisecond) and computes the table again only
// once a second, or less often when the table took long, so that the fold keeps at least half of what it gets.

/** One viewer's last whole snapshot: when it started and how long it took (wall time, ms). */
export interface TableTiming {
  at: number;
  took: number;
}

export class Pacing {
  private nextDue = 0;

  constructor(
    private readonly intervalMs: number,
    /** A starved fold's table is computed again at most this often. */
    private readonly tableMs = 1000,
  ) {}

  /** Whether the next round of snapshots is due. */
  due(now: number): boolean {
    return now >= this.nextDue;
  }

  /**
   * Whether a viewer's snapshot computes its table again (else only the header's figures): always while the table
   * is cheap, the fold is not behind, or the viewer asked for another view (`sameView` false).
   */
  whole(now: number, last: TableTiming | undefined, behind: boolean, sameView: boolean): boolean {
    if (!last || !behind || !sameView || last.took <= this.intervalMs / 4) return true;
    return now - last.at >= Math.max(this.tableMs, 2 * last.took);
  }

  /**
   * A round of snapshots ran from `start` to `end`. The next is due an interval after its start; after a round
   * that took longer than the interval (a starved table), the fold first gets half an interval.
   */
  sent(start: number, end: number): void {
    this.nextDue = Math.max(start + this.intervalMs, end + this.intervalMs / 2);
  }
}
