// The text form of `memtrace stats`: the figures of stats-data.ts as a terminal page, one section each, with the
// text-table utility (table.ts) for everything in columns, so that it fits the terminal as summary does.
import { formatBytes, formatCount, formatDuration, formatPercent, plural } from "./format";
import type { StatsData } from "./stats-data";
import { printable, renderTable, type Cell, type Column } from "./table";
import { shareColor } from "./terminal";

export interface StatsTextOptions {
  /** Bars of # rather than of blocks. */
  ascii: boolean;
  color: boolean;
  width: number | undefined;
}

/** The longest bar of the histogram, in characters (memray's). */
const BAR = 25;

/** Writes sections: a blank line, a title, then a table or lines. */
class Page {
  readonly lines: string[] = [];

  constructor(private readonly options: StatsTextOptions) {}

  section(title: string, columns: Column[], rows: Cell[][]): void {
    const t = renderTable(columns, rows, { color: this.options.color, width: this.options.width });
    // An empty last column (a histogram bar of nothing) leaves spaces at the end: not worth keeping.
    this.lines.push("", title, t.text.replace(/ +$/gm, "").replace(/\n$/, ""));
    if (t.dropped.length > 0) {
      this.lines.push(`(${t.dropped.join(", ")}: left out to fit ${this.options.width} columns)`);
    }
  }

  share(part: number, whole: number): Cell {
    return { text: formatPercent(part, whole), color: shareColor(part, whole) };
  }
}

function totals(page: Page, s: StatsData): void {
  const t = s.totals;
  const peakWhen =
    t.processes > 1
      ? ` (the sum of each process's own peak, ${t.processes} processes)`
      : s.processes.length === 1
        ? ` at ${formatDuration(s.processes[0].peakTimeNs)}`
        : "";
  const unmatched =
    t.unmatchedDeallocations > 0
      ? `, ${formatCount(t.unmatchedDeallocations)} of them unmatched (the block was allocated before recording ` +
        "began, or filtered out)"
      : "";
  // A JS heap sample is one allocation event, which the tables below count as the objects it stands for.
  const js = s.histogram?.jsSamples ?? 0;
  const samples =
    js > 0
      ? `, ${plural(js, "of them a JS heap sample", "of them JS heap samples")} (the tables count the objects a ` +
        "sample stands for)"
      : "";
  const facts: [string, string][] = [
    ["Allocations", `${formatCount(t.allocations)} (${formatBytes(t.allocatedBytes)})${samples}`],
    ["Frees", `${formatCount(t.deallocations)}${unmatched}`],
    ["Peak live memory", `${formatBytes(t.peakBytes)}${peakWhen}`],
    s.processes.some((p) => p.appEndedNs > 0)
      ? [
          "Leaked at the app's end",
          `${formatBytes(t.keptBytes)} in ${plural(t.keptCount, "block")}, before node's teardown ` +
            `(${formatBytes(t.leakedBytes)} in ${plural(t.leakedCount, "block")} after it)`,
        ]
      : [
          s.truncated ? "Live at the end" : "Leaked at exit",
          `${formatBytes(t.leakedBytes)} in ${plural(t.leakedCount, "block")}`,
        ],
  ];
  const width = Math.max(...facts.map(([k]) => k.length)) + 2;
  page.lines.push("", ...facts.map(([k, v]) => `${k}:`.padEnd(width) + v));
}

function histogram(page: Page, s: StatsData, ascii: boolean): void {
  const h = s.histogram;
  if (h === null) {
    page.lines.push(
      "",
      "Allocation sizes: not available. The input was folded before (memtrace fold), and a folded stream keeps",
      "sums by stack, not the size of each allocation: run stats on the capture itself for the histogram.",
    );
    return;
  }
  const js = h.jsSamples > 0 ? `; ${plural(h.jsSamples, "JS heap sample")} left out, as their sizes are estimates` : "";
  if (h.buckets.length === 0) {
    page.lines.push("", `Allocation sizes: no native allocations${js}.`);
    return;
  }
  const count = h.buckets.reduce((sum, b) => sum + b.count, 0);
  const most = Math.max(...h.buckets.map((b) => b.count));
  const bar = ascii ? "#" : "▇";
  page.section(
    `Allocation sizes (native allocations, by powers of two${js}):`,
    [
      { header: "Size", align: "left" },
      { header: "Allocations", align: "right" },
      { header: "%", align: "right" },
      { header: "Bytes", align: "right" },
      { header: "", align: "left" },
    ],
    h.buckets.map((b) => [
      // "[1.0 KiB, 2.0 KiB)": from 1 KiB up to 2 KiB, 2 KiB excluded.
      b.max === 0 ? "0 B" : `[${formatBytes(b.min)}, ${formatBytes(b.max + 1)})`,
      formatCount(b.count),
      page.share(b.count, count),
      formatBytes(b.bytes),
      bar.repeat(Math.ceil((b.count / most) * BAR)),
    ]),
  );
}

function measured(page: Page, s: StatsData): void {
  const measure = `--${s.measure}`;
  if (s.allocators.length === 0) {
    page.lines.push("", `No allocations under the measure (${measure}): no allocators, locations or threads to list.`);
    return;
  }
  const bytes = s.allocators.reduce((sum, a) => sum + a.bytes, 0);
  const count = s.allocators.reduce((sum, a) => sum + a.count, 0);
  page.section(
    `By allocator (${measure}):`,
    [
      { header: "Allocator", align: "left" },
      { header: "Bytes", align: "right", sorted: true },
      { header: "%", align: "right", droppable: 2 },
      { header: "Allocations", align: "right" },
      { header: "%", align: "right", droppable: 1 },
    ],
    s.allocators.map((a) => [
      a.allocator,
      formatBytes(a.bytes),
      page.share(a.bytes, bytes),
      formatCount(a.count),
      page.share(a.count, count),
    ]),
  );
  const locations = (title: string, rows: StatsData["topByBytes"], by: "bytes" | "count") =>
    page.section(
      `${title} (${measure}):`,
      [
        { header: "Location", align: "left", flexible: true },
        { header: "Bytes", align: "right", sorted: by === "bytes" },
        { header: "Allocations", align: "right", sorted: by === "count" },
      ],
      rows.map((l) => [l.location, formatBytes(l.bytes), formatCount(l.count)]),
    );
  locations(`The ${plural(s.topByBytes.length, "location")} that allocated the most bytes`, s.topByBytes, "bytes");
  locations(`The ${plural(s.topByCount.length, "location")} that allocated most often`, s.topByCount, "count");
}

function threads(page: Page, s: StatsData): void {
  if (s.threads.length === 0) return;
  const bytes = s.threads.reduce((sum, th) => sum + th.bytes, 0);
  page.section(
    `Threads (--${s.measure}):`,
    [
      { header: "PID", align: "right" },
      { header: "TID", align: "right" },
      { header: "Thread", align: "left", flexible: true },
      { header: "Bytes", align: "right", sorted: true },
      { header: "%", align: "right", droppable: 1 },
      { header: "Allocations", align: "right" },
    ],
    s.threads.map((th) => [
      `${th.pid}`,
      `${th.tid}`,
      th.name,
      formatBytes(th.bytes),
      page.share(th.bytes, bytes),
      formatCount(th.count),
    ]),
  );
}

function processes(page: Page, s: StatsData): void {
  page.section(
    "Processes (whatever the measure):",
    [
      { header: "PID", align: "right" },
      { header: "Command", align: "left", flexible: true },
      { header: "Allocations", align: "right" },
      { header: "Allocated", align: "right", droppable: 3 },
      { header: "Peak", align: "right" },
      { header: "Peak at", align: "right", droppable: 2 },
      { header: "Leaked", align: "right" },
      { header: "Unmatched frees", align: "right", droppable: 1 },
    ],
    s.processes.map((p) => [
      `${p.pid}`,
      p.command || "(unknown command)",
      formatCount(p.allocations),
      formatBytes(p.allocatedBytes),
      formatBytes(p.peakBytes),
      formatDuration(p.peakTimeNs),
      // What --leaks shows: at the app's end where the process recorded it.
      `${formatBytes(p.keptBytes)} in ${plural(p.keptCount, "block")}`,
      formatCount(p.unmatchedDeallocations),
    ]),
  );
}

export function renderStatsText(s: StatsData, options: StatsTextOptions): string {
  const page = new Page(options);
  page.lines.push(printable(s.title));
  if (s.truncated) {
    page.lines.push("Warning: the capture was cut short (a process has no trailer): figures are what it holds");
  }
  for (const note of s.notes) page.lines.push(`Note: ${printable(note)}`);
  totals(page, s);
  histogram(page, s, options.ascii);
  measured(page, s);
  processes(page, s);
  threads(page, s);
  return page.lines.join("\n") + "\n";
}
