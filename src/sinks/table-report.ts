// table: every allocating location with its thread and allocator, bytes and allocation count (memray's `table`
// reporter is the model; the rows are in table-rows.ts). Four forms of the same rows:
//   text  a terminal table (the default), fitted to the terminal's width as summary's is;
//   csv   RFC 4180 with a header row, for spreadsheets and data tools;
//   json  one object with the measure, the totals and the rows, for scripts;
//   html  a self-contained page whose columns sort and whose rows can be searched (html-table/).
// Without --format, the form follows -o's extension (.html, .htm, .csv, .json), else text: `-o t.html` does what
// it says, and nothing written to a terminal is a page of HTML.
//
// (The file is not src/sinks/table.ts: that is the text-table utility every terminal report uses.)
import { extname } from "node:path";
import { parsePositiveInt } from "../options/values";
import type { Profile } from "../model/profile";
import { measureName } from "../transforms/measures";
import { csvField } from "./csv";
import { formatBytes, formatCount, formatPercent, plural } from "./format";
import { nameStyle } from "./names";
import { headline, type Headline } from "./headline";
import { renderTablePage } from "./html-table/page";
import { FRAMES_OPTION, profileSink, type FramesOptions, type Rendered, type SinkDefinition } from "./sink";
import { printable, renderTable, type Column } from "./table";
import { TABLE_SORTS, sortRows, tableRows, type TableRow, type TableSort } from "./table-rows";
import { TERMINAL_OPTIONS, shareColor, terminalSettings, type TerminalOptions } from "./terminal";

export const TABLE_FORMATS = ["text", "csv", "json", "html"] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

export interface TableOptions extends TerminalOptions, FramesOptions {
  format?: TableFormat;
  sort?: TableSort;
  top?: number;
}

interface RenderOptions extends FramesOptions {
  format: TableFormat;
  sort: TableSort;
  top: number | undefined;
  color: boolean;
  width: number | undefined;
  wide?: boolean;
}

const BY_EXTENSION: Record<string, TableFormat> = { ".html": "html", ".htm": "html", ".csv": "csv", ".json": "json" };

/** --format, else the form -o's file name asks for, else text. */
export function tableFormat(options: TableOptions): TableFormat {
  if (options.format) return options.format;
  const out = options.output;
  return (out && out !== "-" && BY_EXTENSION[extname(out).toLowerCase()]) || "text";
}

/** The headline's lines under the title: the processes, the stacks' shape and a warning. */
function headLines(head: Headline): string[] {
  return [
    ...(head.heaps ? [head.heaps] : []),
    ...head.processes,
    ...(head.shape ? [`Stacks: ${head.shape}`] : []),
    ...(head.warning ? [`Warning: ${head.warning}`] : []),
  ];
}

const SORT_WORDS: Record<TableSort, string> = {
  bytes: "bytes",
  count: "allocations",
  location: "location",
  thread: "process and thread",
  allocator: "allocator",
};

function renderText(profile: Profile, rows: TableRow[], all: number, options: RenderOptions): string {
  const head = headline(profile);
  const out = [printable(head.title), ...headLines(head).map(printable), ""];
  if (rows.length === 0) {
    out.push("No allocations under this measure.");
    return out.join("\n") + "\n";
  }
  const shown =
    rows.length < all ? `The first ${formatCount(rows.length)} of ${plural(all, "row")}` : plural(all, "row");
  out.push(
    `${shown}, one per location, thread and allocator, by ${SORT_WORDS[options.sort]}. ` +
      "Location: the frame that allocated.",
    "",
  );
  const total = profile.totalBytes();
  const processes = new Set(rows.map((r) => r.pid)).size;
  const name = nameStyle(options.wide);
  const sorted = (s: TableSort) => options.sort === s;
  // On a narrow terminal the percentages go first, then the thread ids, then the pids (the thread's name stays).
  const columns: (Column & { cell: (r: TableRow) => string | { text: string; color: string } })[] = [
    ...(processes > 1
      ? [
          {
            header: "PID",
            align: "right" as const,
            sorted: sorted("thread"),
            droppable: 3,
            cell: (r: TableRow) => `${r.pid}`,
          },
        ]
      : []),
    { header: "TID", align: "right", sorted: sorted("thread"), droppable: 2, cell: (r) => `${r.tid}` },
    { header: "Thread", align: "left", cell: (r) => r.thread },
    { header: "Allocator", align: "left", sorted: sorted("allocator"), cell: (r) => r.allocator },
    { header: "Bytes", align: "right", sorted: sorted("bytes"), cell: (r) => formatBytes(r.bytes) },
    {
      header: "%",
      align: "right",
      droppable: 1,
      cell: (r) => ({ text: formatPercent(r.bytes, total), color: shareColor(r.bytes, total) }),
    },
    { header: "Allocations", align: "right", sorted: sorted("count"), cell: (r) => formatCount(r.count) },
    { header: "Location", align: "left", flexible: true, sorted: sorted("location"), cell: (r) => name(r.location) },
  ];
  const table = renderTable(
    columns,
    rows.map((r) => columns.map((c) => c.cell(r))),
    { color: options.color, width: options.width },
  );
  out.push(table.text);
  if (table.dropped.length > 0) {
    out.push(`(${table.dropped.join(", ")}: left out to fit ${options.width} columns; --width sets another width)\n`);
  }
  return out.join("\n");
}

export const TABLE_CSV_COLUMNS = ["measure", "pid", "tid", "thread", "allocator", "bytes", "count", "location"];

function* renderCsv(profile: Profile, rows: TableRow[]): Generator<string> {
  const measure = measureName(profile.measure);
  yield `${TABLE_CSV_COLUMNS.join(",")}\r\n`;
  for (let at = 0; at < rows.length; at += 4096) {
    yield rows
      .slice(at, at + 4096)
      .map(
        (r) =>
          [measure, r.pid, r.tid, r.thread, r.allocator, Math.round(r.bytes), Math.round(r.count), r.location]
            .map((v) => csvField(String(v)))
            .join(",") + "\r\n",
      )
      .join("");
  }
}

/**
 * The JSON form, one row per line:
 *   { "measure": "peak", "title": "Peak memory: ...", "truncated": false, "totalBytes": 2050, "totalCount": 5,
 *     "rows": [ { "location", "pid", "tid", "thread", "allocator", "bytes", "count" }, ... ] }
 * totalBytes and totalCount are the whole profile's, whatever --top leaves out.
 */
function* renderJson(profile: Profile, rows: TableRow[]): Generator<string> {
  const head = {
    measure: measureName(profile.measure),
    title: headline(profile).title,
    truncated: profile.info.truncated,
    totalBytes: Math.round(profile.totalBytes()),
    totalCount: Math.round(profile.totalCount()),
  };
  yield `${JSON.stringify(head).slice(0, -1)},\n"rows": [`;
  for (let at = 0; at < rows.length; at += 4096) {
    yield rows
      .slice(at, at + 4096)
      .map((r, i) => {
        const row = { ...r, bytes: Math.round(r.bytes), count: Math.round(r.count) };
        return `${at + i === 0 ? "" : ","}\n${JSON.stringify(row)}`;
      })
      .join("");
  }
  yield "\n]}\n";
}

function renderHtml(profile: Profile, rows: TableRow[]): string {
  const head = headline(profile);
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const id = (s: string) => {
    let n = ids.get(s);
    if (n === undefined) {
      n = strings.length;
      strings.push(s);
      ids.set(s, n);
    }
    return n;
  };
  const flat: number[] = [];
  for (const r of rows) {
    flat.push(r.pid, r.tid, id(r.thread), id(r.allocator), Math.round(r.bytes), Math.round(r.count), id(r.location));
  }
  return renderTablePage({
    title: head.title,
    lines: headLines(head),
    totalBytes: Math.round(profile.totalBytes()),
    totalCount: Math.round(profile.totalCount()),
    strings,
    rows: flat,
  });
}

export function renderTableReport(profile: Profile, options: RenderOptions): Rendered {
  const all = sortRows(tableRows(profile), options.sort);
  const rows = options.top === undefined ? all : all.slice(0, options.top);
  switch (options.format) {
    case "csv":
      return renderCsv(profile, rows);
    case "json":
      return renderJson(profile, rows);
    case "html":
      return renderHtml(profile, rows);
    default:
      return renderText(profile, rows, all.length, options);
  }
}

export const table: SinkDefinition<TableOptions> = {
  name: "table",
  summary: "every allocating location by thread and allocator: bytes and counts, as text, CSV, JSON or HTML",
  description:
    "Lists every location that allocated (the innermost frame of a stack: a function, with file and line for " +
    "JavaScript), one row per location, thread and allocator, with its bytes and allocation count under the " +
    "measure. --format text (the default) prints a table for the terminal; csv and json are for scripts " +
    "(CSV columns: measure, pid, tid, thread, allocator, bytes, count, location; JSON: an object with measure, " +
    "title, truncated, totalBytes, totalCount and rows, each row an object with those fields); html writes one " +
    "self-contained page whose columns sort on a click and whose rows can be searched. Without --format, -o's " +
    "extension chooses (.html, .htm, .csv, .json), else text.",
  examples: [
    "memtrace table app.mtrace",
    "memtrace table --leaks app.mtrace -o leaks.html",
    "memtrace table --total --format csv app.mtrace > locations.csv",
    "memtrace table --format json app.mtrace | jq '.rows[] | select(.allocator == \"mmap\")'",
  ],
  options: [
    {
      flags: "--format <format>",
      description: "text, csv, json or html (default: from -o's extension, else text)",
      choices: TABLE_FORMATS,
    },
    {
      flags: "--sort <column>",
      description: "order the rows by this column",
      defaultValue: "bytes",
      choices: TABLE_SORTS,
    },
    { flags: "--top <n>", description: "only the first n rows (default: every row)", parse: parsePositiveInt },
    FRAMES_OPTION,
    ...TERMINAL_OPTIONS,
  ],
  input: "profile",
  create(options) {
    const format = tableFormat(options);
    // Colors and the terminal's width are for the text form alone.
    const settings = format === "text" ? terminalSettings(options) : { color: false, width: undefined };
    return profileSink(renderTableReport, {
      format,
      sort: options.sort ?? "bytes",
      top: options.top,
      frames: options.frames,
      wide: options.wide,
      ...settings,
    });
  },
};
