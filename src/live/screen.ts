// The live view's screen as text: a header (process, command, heap now and at its peak, duration, events, a plot
// of the heap over time, the thread shown), memray's columns (Location, Total bytes, % total, Own bytes, % own,
// Allocations, File) and a line of keys. A pure function of a snapshot, the viewer's choices and the terminal's
// size, so that it is tested without a terminal; terminal.ts puts it on the screen.
import { shortName } from "../sinks/names";
import { formatBytes, formatCount, formatDuration, formatPercent } from "../sinks/format";
import { displayWidth, printable, renderTable, truncateMiddle, type Cell, type Column } from "../sinks/table";
import { shareColor } from "../sinks/terminal";
import { RECENT_SECONDS, type LiveMeasure, type LiveRow, type LiveSnapshot } from "./snapshot";

export const LIVE_SORTS = ["total", "own", "count"] as const;
export type LiveSort = (typeof LIVE_SORTS)[number];

/** What the viewer chose. */
export interface ViewChoices {
  sort: LiveSort;
  measure: LiveMeasure;
  merged: boolean;
  paused: boolean;
}

export interface ScreenSize {
  width: number;
  height: number;
  color: boolean;
}

const MEASURE_WORDS: Record<LiveMeasure, string> = {
  live: "live now",
  peak: "live at the peak",
  recent: `allocated in the last ${RECENT_SECONDS} s`,
};

const SORT_KEY: Record<LiveSort, (r: LiveRow) => number[]> = {
  total: (r) => [r.totalBytes, r.ownBytes, r.totalCount],
  own: (r) => [r.ownBytes, r.totalBytes, r.totalCount],
  count: (r) => [r.totalCount, r.totalBytes, r.ownBytes],
};

export function sortLiveRows(rows: LiveRow[], sort: LiveSort): LiveRow[] {
  const key = SORT_KEY[sort];
  return [...rows]
    .map((r) => ({ r, k: key(r) }))
    .sort((a, b) => {
      for (let i = 0; i < a.k.length; i++) if (a.k[i] !== b.k[i]) return b.k[i] - a.k[i];
      return a.r.label < b.r.label ? -1 : a.r.label > b.r.label ? 1 : 0;
    })
    .map((x) => x.r);
}

const SPARKS = "▁▂▃▄▅▆▇█";

/** The last `width` points of a series as a line of block characters, scaled to its largest point. */
export function sparkline(series: number[], width: number): string {
  if (width <= 0) return "";
  const points = series.slice(-width);
  const top = Math.max(...points, 1);
  const level = (v: number) => Math.min(SPARKS.length - 1, Math.max(0, Math.ceil((v / top) * SPARKS.length) - 1));
  return points.map((v) => SPARKS[level(v)]).join("");
}

/** Cuts a line to `width` cells (colors are added after, so this counts text only). */
function fit(line: string, width: number): string {
  return displayWidth(line) <= width ? line : truncateMiddle(line, width);
}

/** Puts two texts on one line: `left` at the start, `right` at the end when there is room. */
function spread(left: string, right: string, width: number): string {
  const gap = width - displayWidth(left) - displayWidth(right);
  return gap >= 2 ? left + " ".repeat(gap) + right : fit(left, width);
}

/** The whole screen: exactly `size.height` lines, none wider than `size.width`. */
export function renderScreen(
  snapshot: LiveSnapshot | undefined,
  choices: ViewChoices,
  size: ScreenSize,
  notice = "",
): string[] {
  const { width, height, color } = size;
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const p = snapshot?.processes.find((q) => q.pid === snapshot.pid);
  if (!snapshot || !p) {
    lines.push(bold(fit("memtrace live: waiting for the app's first records…", width)));
  } else {
    const command = printable(p.command);
    const app = snapshot.app;
    const state = app?.running === false ? `ended: ${endWords(app.code, app.signal)}` : p.ended ? "ended" : "running";
    lines.push(bold(spread(fit(`PID ${p.pid}  ${command}`, Math.max(10, width - 24)), state, width)));
    lines.push(
      spread(
        `Heap: ${formatBytes(p.liveBytes)} now, ${formatBytes(p.peakBytes)} at the peak`,
        `Duration: ${formatDuration(p.durationNs)}  Events: ${formatCount(p.events)}`,
        width,
      ),
    );
    const plotTitle = fit(`Heap over ${formatDuration(p.seriesStepNs * p.series.length)}: `, width);
    lines.push(dim(plotTitle) + sparkline(p.series, Math.min(120, width - displayWidth(plotTitle))));
    const threads = snapshot.threads.filter((t) => t.pid === p.pid);
    const processes = snapshot.processes.length;
    const index = snapshot.threads.findIndex((t) => t.pid === p.pid && t.tid === snapshot.tid);
    // What the data is (the snapshot's request), not what was just asked for: a key redraws before its snapshot.
    const shown = snapshot.request;
    const thread = shown.merged
      ? `all ${threads.length} threads of process ${p.pid} merged` +
        (processes > 1 ? ` (process ${snapshot.processes.indexOf(p) + 1} of ${processes})` : "")
      : `${index + 1} of ${snapshot.threads.length}: ${printable(threadTitle(snapshot, p.pid))}`;
    lines.push(fit(`Thread ${thread}`, width));
    const sortWords = { total: "total bytes", own: "own bytes", count: "allocations" }[choices.sort];
    lines.push(
      fit(
        `Showing ${MEASURE_WORDS[shown.measure]}, by ${sortWords}: ${formatBytes(snapshot.totalBytes)} in ` +
          `${formatCount(snapshot.totalCount)} allocations, ${formatCount(snapshot.locations)} locations` +
          (choices.paused ? "  [PAUSED]" : "") +
          (snapshot.behindBytes > 1 << 20 ? `  (reading ${formatBytes(snapshot.behindBytes)} behind)` : "") +
          ((snapshot.tableAgeMs ?? 0) >= 500 ? `  (table ${(snapshot.tableAgeMs! / 1000).toFixed(1)} s old)` : ""),
        width,
      ),
    );
  }
  const footer = footerLines(snapshot, width, notice);
  const room = Math.max(0, height - lines.length - footer.length - 2);
  if (snapshot && room > 0) {
    lines.push("");
    lines.push(...tableLines(snapshot, choices, width, room, color));
  }
  while (lines.length < height - footer.length) lines.push("");
  lines.push(...footer.map((l) => dim(l)));
  return lines.slice(0, height);
}

function endWords(code: number | null | undefined, signal: string | null | undefined): string {
  return signal ? `signal ${signal}` : `exit code ${code ?? "?"}`;
}

function threadTitle(s: LiveSnapshot, pid: number): string {
  const t = s.threads.find((x) => x.pid === pid && x.tid === s.tid);
  if (!t) return `thread ${s.tid}`;
  const where = s.processes.length > 1 ? `, process ${pid}` : "";
  return `${t.name} (${t.kind}, tid ${t.tid}${where})${t.ended ? ", ended" : ""}`;
}

function tableLines(s: LiveSnapshot, choices: ViewChoices, width: number, room: number, color: boolean): string[] {
  if (s.rows.length === 0) return ["No allocations here under this measure yet."];
  const rows = sortLiveRows(s.rows, choices.sort).slice(0, room - 1);
  const pct = (part: number, total: number): Cell => ({
    text: formatPercent(part, total),
    color: shareColor(part, total),
  });
  const columns: Column[] = [
    { header: "Location", align: "left", flexible: true },
    { header: "Total bytes", align: "right", sorted: choices.sort === "total" },
    { header: "% total", align: "right", droppable: 3 },
    { header: "Own bytes", align: "right", sorted: choices.sort === "own" },
    { header: "% own", align: "right", droppable: 2 },
    { header: "Allocations", align: "right", sorted: choices.sort === "count", droppable: 4 },
    { header: "File", align: "left", droppable: 1 },
  ];
  const cells = rows.map((r) => [
    shortName(r.name),
    formatBytes(r.totalBytes),
    pct(r.totalBytes, s.totalBytes),
    formatBytes(r.ownBytes),
    pct(r.ownBytes, s.totalBytes),
    formatCount(r.totalCount),
    fileCell(r.file),
  ]);
  const table = renderTable(columns, cells, { color, width });
  return table.text.replace(/\n$/, "").split("\n");
}

/** A file's path cut to its last 40 characters: the file name and line matter most. */
function fileCell(file: string): string {
  const f = printable(file);
  return f.length > 40 ? `…${f.slice(-39)}` : f;
}

function footerLines(s: LiveSnapshot | undefined, width: number, notice: string): string[] {
  const keys =
    "q quit  Ctrl-C stop the app  t/o/a sort by total/own/allocations  </> thread  m merge threads  " +
    "space pause  l/p/r live/peak/recent";
  const out: string[] = [];
  const log = s?.app?.logFile;
  const status = notice || (log ? `The app's output: ${log}` : "");
  if (status) out.push(fit(printable(status), width));
  if (s?.error) out.push(fit(printable(`Error: ${s.error}`), width));
  out.push(fit(keys, width));
  return out;
}
