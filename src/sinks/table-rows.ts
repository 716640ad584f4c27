// The rows of `memtrace table`: one per allocating location, thread and allocator, as memray's table lists them.
// The location is the frame that allocated, named by its label as every report names frames: the innermost frame
// of a stack, or under --inverted the first frame from the root (fold puts the allocating frame there); in the app
// view, the innermost app frame (the frames below it are its detail: Profile.detailFrames). The
// synthetic frames of --split-processes and --split-threads are not locations: a stack of those alone is
// "(no stack)". Rows of the folded profile with the same location, process, thread and allocator are summed, so
// that the bytes of a location over all its rows are its own bytes in `memtrace summary`.
import { allocatorName } from "../model/allocators";
import { NO_STACK_LABEL, compareLabels } from "../model/calltree";
import type { Profile } from "../model/profile";

export interface TableRow {
  location: string;
  pid: number;
  tid: number;
  thread: string;
  allocator: string;
  bytes: number;
  count: number;
}

export const TABLE_SORTS = ["bytes", "count", "location", "thread", "allocator"] as const;
export type TableSort = (typeof TABLE_SORTS)[number];

export function tableRows(profile: Profile): TableRow[] {
  const info = profile.info;
  const synthetic = (info.splitProcesses ? 1 : 0) + (info.splitThreads ? 1 : 0);
  const scope = profile.scope;
  const details = profile.detailFrames;
  const locationOf = new Map<number, string>();
  const location = (stack: number): string => {
    let label = locationOf.get(stack);
    if (label === undefined) {
      const frames = scope.stackFrames(stack);
      // Innermost first: the allocating frame is frames[0], or under --inverted the first after the synthetic ones.
      const code = frames.slice(0, frames.length - synthetic);
      if (info.inverted) code.reverse();
      // In the app view, the app frame above the detail frames (what it called in the runtime).
      const at = code.findIndex((f) => !details.has(f));
      label = code.length > 0 ? profile.label(code[at < 0 ? 0 : at]) : NO_STACK_LABEL;
      locationOf.set(stack, label);
    }
    return label;
  };
  const rows = new Map<string, TableRow>();
  for (let i = 0; i < profile.rows; i++) {
    const bytes = profile.bytes.data[i];
    const count = profile.count.data[i];
    if (bytes === 0 && count === 0) continue;
    const pid = profile.pid.data[i];
    const tid = profile.tid.data[i];
    const kind = profile.kind.data[i];
    const label = location(profile.stack.data[i]);
    const key = `${pid}/${tid}/${kind}/${label}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        location: label,
        pid,
        tid,
        thread: profile.threadName(pid, tid),
        allocator: allocatorName(kind),
        bytes: 0,
        count: 0,
      };
      rows.set(key, row);
    }
    row.bytes += bytes;
    row.count += count;
  }
  return [...rows.values()];
}

/** Ties are broken by the other columns, so that the order never depends on the input's. */
const COMPARE: Record<TableSort, (a: TableRow, b: TableRow) => number> = {
  bytes: (a, b) => b.bytes - a.bytes || b.count - a.count,
  count: (a, b) => b.count - a.count || b.bytes - a.bytes,
  location: (a, b) => compareLabels(a.location, b.location) || b.bytes - a.bytes,
  thread: (a, b) => a.pid - b.pid || a.tid - b.tid || b.bytes - a.bytes,
  allocator: (a, b) => compareLabels(a.allocator, b.allocator) || b.bytes - a.bytes,
};

/** Largest first for bytes and count; alphabetical for names; threads by process and thread id. */
export function sortRows(rows: TableRow[], sort: TableSort): TableRow[] {
  const first = COMPARE[sort];
  return rows.sort(
    (a, b) =>
      first(a, b) ||
      COMPARE.bytes(a, b) ||
      compareLabels(a.location, b.location) ||
      a.pid - b.pid ||
      a.tid - b.tid ||
      compareLabels(a.allocator, b.allocator),
  );
}
