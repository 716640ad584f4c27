// csv: the folded profile as a table for spreadsheets, pandas, DuckDB or sqlite: a header row, then one row per
// (call path, process, thread, allocator) with its bytes and allocation count under the measure.
//
//     measure,allocator,count,bytes,pid,tid,thread,stack
//     peak,malloc,3,12288,4100,4100,node,main (/app/server.js:1);parse (/app/server.js:10);Buffer.alloc
//
// RFC 4180: fields are separated by commas, records end in CRLF, and a field that holds a comma, a double quote or a
// line break is enclosed in double quotes with its quotes doubled. Nothing else is changed: names with HTML, quotes
// or any script stay as they are (a spreadsheet may still read a cell starting with "=" as a formula: import the
// file as text where that matters). The stack is the frame labels from the root, joined by ";" as in the collapsed
// report, and with its rule for a ";" inside a label (it becomes "；", U+FF1B), so that splitting the stack at ";"
// always gives its frames. Rows are sorted by bytes, largest first, then by their other fields.
import { allocatorName } from "../model/allocators";
import { NO_STACK_LABEL, compareLabels } from "../model/calltree";
import type { Profile } from "../model/profile";
import { measureName } from "../transforms/measures";
import { collapsedFrame } from "./collapsed";
import { FRAMES_OPTION, profileSink, type FramesOptions, type SinkDefinition } from "./sink";

export const CSV_COLUMNS = ["measure", "allocator", "count", "bytes", "pid", "tid", "thread", "stack"] as const;

interface Row {
  allocator: string;
  count: number;
  bytes: number;
  pid: number;
  tid: number;
  thread: string;
  stack: string;
}

/** One field as RFC 4180 writes it. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function rowsOf(profile: Profile): Row[] {
  const stackText = new Map<number, string>();
  const rows = new Map<string, Row>();
  for (let i = 0; i < profile.rows; i++) {
    const bytes = profile.bytes.data[i];
    const count = profile.count.data[i];
    if (bytes === 0 && count === 0) continue;
    const id = profile.stack.data[i];
    let stack = stackText.get(id);
    if (stack === undefined) {
      const labels = id === 0 ? [NO_STACK_LABEL] : profile.framesRootFirst(id).map((f) => profile.label(f));
      stack = labels.map(collapsedFrame).join(";");
      stackText.set(id, stack);
    }
    const pid = profile.pid.data[i];
    const tid = profile.tid.data[i];
    const allocator = allocatorName(profile.kind.data[i]);
    // Two stacks with the same labels (a function at two columns of one line) are one row, as in every report.
    const key = JSON.stringify([stack, pid, tid, allocator]);
    let row = rows.get(key);
    if (!row) {
      row = { allocator, count: 0, bytes: 0, pid, tid, thread: profile.threadName(pid, tid), stack };
      rows.set(key, row);
    }
    row.bytes += bytes;
    row.count += count;
  }
  return [...rows.values()].sort(
    (a, b) =>
      b.bytes - a.bytes ||
      b.count - a.count ||
      compareLabels(a.stack, b.stack) ||
      a.pid - b.pid ||
      a.tid - b.tid ||
      compareLabels(a.allocator, b.allocator),
  );
}

function* renderCsv(profile: Profile): Generator<string> {
  const measure = measureName(profile.measure);
  yield `${CSV_COLUMNS.join(",")}\r\n`;
  const rows = rowsOf(profile);
  for (let at = 0; at < rows.length; at += 4096) {
    yield rows
      .slice(at, at + 4096)
      .map(
        (r) =>
          [measure, r.allocator, Math.round(r.count), Math.round(r.bytes), r.pid, r.tid, r.thread, r.stack]
            .map((v) => csvField(String(v)))
            .join(",") + "\r\n",
      )
      .join("");
  }
}

export const csv: SinkDefinition<FramesOptions> = {
  name: "csv",
  summary: "one CSV row per stack, thread and allocator: count and bytes, for spreadsheets and data tools",
  description:
    "Writes RFC 4180 CSV with a header row: measure, allocator, count, bytes, pid, tid, thread, and the stack " +
    "(frame labels from the root joined by semicolons; a semicolon inside a label is written as U+FF1B, as in " +
    "collapsed). Rows are sorted by bytes, largest first.",
  examples: [
    "memtrace csv app.mtrace > app.csv",
    "memtrace csv --leaks app.mtrace | head -5",
    "memtrace csv --total app.mtrace -o total.csv && duckdb -c \"select allocator, sum(bytes) from 'total.csv' group by 1\"",
  ],
  options: [FRAMES_OPTION],
  input: "profile",
  create(options) {
    return profileSink(renderCsv, { frames: options.frames });
  },
};
