// summary: the locations that hold the most memory, as a table for the terminal (memray's `summary` reporter is
// the model). A location is a frame label ("fn (file:line)", a native function's name). Own bytes are allocated by
// the location itself (its frame is the innermost); total bytes by it or anything it called, counted once per
// allocation even when the location recurs.
//
// Sorted by own bytes by default, where memray's summary sorts by total: in a Node.js process every stack starts
// with the same dozen frames of node's startup and event loop (node::Start, uv_run, processTicksAndRejections),
// each holding nearly 100% in total, so a total-sorted top 20 would be mostly those. Own bytes answer the first
// question (which code allocates), as memray's `stats` does with its largest allocating locations; --sort total
// gives the callers' view.
import { parsePositiveInt } from "../options/values";
import { buildCallTree, compareLabels, ROOT } from "../model/calltree";
import { packageLabel } from "../transforms/app-view/origin";
import { locationsOf, type Location } from "../model/locations";
import type { Profile } from "../model/profile";
import { formatBytes, formatCount, formatPercent, plural } from "./format";
import { nameStyle } from "./names";
import { headline } from "./headline";
import { FRAMES_OPTION, profileSink, type FramesOptions, type SinkDefinition } from "./sink";
import { printable, renderTable, type Cell, type Column } from "./table";
import { TERMINAL_OPTIONS, shareColor, terminalSettings, type TerminalOptions } from "./terminal";

export const SORTS = ["own", "total", "count"] as const;
export type SortName = (typeof SORTS)[number];
export const GROUPS = ["function", "package"] as const;
export type GroupName = (typeof GROUPS)[number];

export interface SummaryOptions extends TerminalOptions, FramesOptions {
  sort?: SortName;
  by?: GroupName;
  top?: number;
}

interface RenderOptions extends FramesOptions {
  sort: SortName;
  by: GroupName;
  top: number;
  color: boolean;
  width: number | undefined;
  wide?: boolean;
}

export const DEFAULT_TOP = 20;

const SORT_KEYS: Record<SortName, (l: Location) => number[]> = {
  own: (l) => [l.ownBytes, l.totalBytes, l.ownCount],
  total: (l) => [l.totalBytes, l.ownBytes, l.totalCount],
  count: (l) => [l.ownCount, l.totalCount, l.ownBytes],
};

const SORT_WORDS: Record<SortName, string> = {
  own: "own bytes",
  total: "total bytes",
  count: "own allocations",
};

/** Largest first; ties by the next keys, then by label, so that the order never depends on the input's. */
function sortLocations(locations: Location[], sort: SortName): Location[] {
  const key = SORT_KEYS[sort];
  const keyed = locations.map((l) => ({ l, k: key(l) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.k.length; i++) if (a.k[i] !== b.k[i]) return b.k[i] - a.k[i];
    return compareLabels(a.l.label, b.l.label);
  });
  return keyed.map((x) => x.l);
}

export function renderSummary(profile: Profile, options: RenderOptions): string {
  // By package: each frame is named by whose code it is, so that a location is a package.
  const tree =
    options.by === "package"
      ? buildCallTree(profile, (f) => packageLabel(profile.scope.frame(f)))
      : buildCallTree(profile);
  const total = tree.bytes[ROOT];
  const head = headline(profile);
  const out: string[] = [printable(head.title), ...(head.heaps ? [head.heaps] : []), ...head.processes.map(printable)];
  if (head.warning) out.push(`Warning: ${head.warning}`);
  out.push("");

  // Split and inverted stacks (fold's options) hold the same locations: the table is the same whatever the shape.
  const info = profile.info;
  const all = locationsOf(tree, {
    inverted: info.inverted,
    syntheticDepth: (info.splitProcesses ? 1 : 0) + (info.splitThreads ? 1 : 0),
  });
  if (all.length === 0) {
    out.push("No allocations under this measure.");
    return out.join("\n") + "\n";
  }
  const shown = sortLocations(all, options.sort).slice(0, options.top);
  const what = options.by === "package" ? "package" : "location";
  out.push(
    `Top ${shown.length} of ${plural(all.length, what)} by ${SORT_WORDS[options.sort]}. ` +
      (options.by === "package"
        ? "Own: allocated by the package's code, (app) is the app's own, (node) node's JavaScript; total: by it or anything it called."
        : "Own: allocated by the location itself; total: by it or anything it called."),
    "",
  );
  const pct = (bytes: number): Cell => ({ text: formatPercent(bytes, total), color: shareColor(bytes, total) });
  const columns: Column[] = [
    { header: options.by === "package" ? "Package" : "Location", align: "left", flexible: true },
    // On a narrow terminal the counts go first, then the percentages of the column not sorted by.
    { header: "Own bytes", align: "right", sorted: options.sort === "own", droppable: 4 },
    { header: "Own %", align: "right", sorted: options.sort === "own", droppable: 3 },
    { header: "Total bytes", align: "right", sorted: options.sort === "total", droppable: 4 },
    { header: "Total %", align: "right", sorted: options.sort === "total", droppable: 3 },
    { header: "Own allocs", align: "right", sorted: options.sort === "count", droppable: 2 },
    { header: "Total allocs", align: "right", droppable: 1 },
  ];
  const name = nameStyle(options.wide);
  const rows = shown.map((l) => [
    name(l.label),
    formatBytes(l.ownBytes),
    pct(l.ownBytes),
    formatBytes(l.totalBytes),
    pct(l.totalBytes),
    formatCount(l.ownCount),
    formatCount(l.totalCount),
  ]);
  const table = renderTable(columns, rows, { color: options.color, width: options.width });
  out.push(table.text);
  if (table.dropped.length > 0) {
    out.push(`(${table.dropped.join(", ")}: left out to fit ${options.width} columns; --width sets another width)\n`);
  }
  return out.join("\n");
}

export const summary: SinkDefinition<SummaryOptions> = {
  name: "summary",
  summary: "a table of the locations that hold the most memory: own and total bytes, allocation counts",
  description:
    "Lists the code locations (functions, with file and line for JavaScript) that hold the most memory under " +
    "the measure (--peak, --leaks or --total). Own bytes: allocated by the location itself; total bytes: by it or " +
    "anything it called, counted once per allocation under recursion. Percentages are of everything shown.",
  examples: [
    "memtrace summary app.mtrace",
    "memtrace summary --leaks --sort total --top 50 app.mtrace",
    "memtrace summary --by package app.mtrace",
    "memtrace summary --frames all --wide app.mtrace",
    "memtrace filter --frame 'zlib' app.mtrace | memtrace summary --total",
  ],
  options: [
    {
      flags: "--sort <column>",
      description: "sort by own bytes, total bytes or own allocation count",
      defaultValue: "own",
      choices: SORTS,
    },
    {
      flags: "--by <what>",
      description:
        "function: a row per function (with its line); package: a row per package, the app's own code, node's, " +
        "each dependency under node_modules, each addon or library",
      defaultValue: "function",
      choices: GROUPS,
    },
    {
      flags: "--top <n>",
      description: "show this many locations",
      defaultValue: DEFAULT_TOP,
      parse: parsePositiveInt,
    },
    FRAMES_OPTION,
    ...TERMINAL_OPTIONS,
  ],
  input: "profile",
  create(options) {
    const settings = terminalSettings(options);
    return profileSink(renderSummary, {
      sort: options.sort ?? "own",
      by: options.by ?? "function",
      top: options.top ?? DEFAULT_TOP,
      frames: options.frames,
      wide: options.wide,
      ...settings,
    });
  },
};
