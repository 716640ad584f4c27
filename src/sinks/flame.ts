// flame: a self-contained SVG flame graph in flamegraph.pl's conventions (Brendan Gregg's FlameGraph): one box per
// call-tree node, width by bytes under the measure, the "all" root at the bottom, callers below callees, siblings
// left to right in label order, boxes narrower than --minwidth left out, and the same click-to-zoom and regex
// search, from an inline script. No external references: the file opens anywhere, offline.
import { UsageError } from "../errors";
import { FunctionKind } from "../codec/model";
import { buildCallTree, ROOT, type CallTree } from "../model/calltree";
import type { Profile } from "../model/profile";
import type { FoldOptions } from "../transforms/fold";
import { formatBytes, formatPercent, plural } from "./format";
import { headline } from "./headline";
import { htmlFlameSink } from "./html/sink";
import { FRAMES_OPTION, profileSink, type FramesOptions, type SinkDefinition } from "./sink";
import { drawFlame } from "./svg/draw";
import { frameColor, kindName } from "./svg/palette";

export interface FlameOptions extends FramesOptions {
  /** The title line; default: the measure and its totals. */
  title?: string;
  /** An interactive HTML page (html/sink.ts) instead of the SVG. */
  html?: boolean;
  /** With html: how to fold the capture (the CLI fills it from the measure options). */
  fold?: FoldOptions;
  /** Image width, px. */
  width?: number;
  /** Boxes narrower than this many px are left out (and counted in the legend line). */
  minwidth?: number;
}

export const DEFAULT_WIDTH = 1200;
export const DEFAULT_MINWIDTH = 0.1;

const LEGEND_KINDS = [
  FunctionKind.KIND_JS,
  FunctionKind.KIND_NATIVE,
  FunctionKind.KIND_BUILTIN,
  FunctionKind.KIND_OTHER,
];

/** The tooltip: flamegraph.pl's "name (figures)", which the script splits at the last parenthesis. */
function tooltip(tree: CallTree, node: number, total: number): string {
  const bytes = tree.bytes[node];
  const human = bytes >= 1024 ? `${formatBytes(bytes)}, ` : "";
  return (
    `${tree.labelOf(node)} (${human}${plural(bytes, "byte")}, ${plural(tree.count[node], "allocation")}, ` +
    `${formatPercent(bytes, total)})`
  );
}

function renderFlame(profile: Profile, options: FlameOptions): Iterable<string> {
  const tree = buildCallTree(profile);
  const total = tree.bytes[ROOT];
  const head = headline(profile);
  const subtitleParts = [
    options.title !== undefined ? head.title : undefined,
    head.heaps,
    head.who,
    head.shape,
    head.warning,
  ];
  return drawFlame(tree, {
    width: options.width ?? DEFAULT_WIDTH,
    minwidth: options.minwidth ?? DEFAULT_MINWIDTH,
    title: options.title ?? head.title,
    subtitle: subtitleParts.filter((s) => s).join(" · "),
    comment: "box widths are bytes under the measure",
    color: (node) => frameColor(tree.kind[node], tree.labelOf(node)),
    tooltip: (node) => tooltip(tree, node, total),
    legend: LEGEND_KINDS.map((kind) => [frameColor(kind, kindName(kind)), kindName(kind)]),
  });
}

const MIN_WIDTH_PX = 100;

function parseWidth(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < MIN_WIDTH_PX) {
    throw new UsageError(`expected a width in pixels, ${MIN_WIDTH_PX} or more, got "${value}"`);
  }
  return n;
}

function parseNonNegative(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`expected a number of pixels, 0 or more, got "${value}"`);
  }
  return n;
}

export const flame: SinkDefinition<FlameOptions> = {
  name: "flame",
  summary: "an SVG flame graph: where the memory is, by call stack (click to zoom, Ctrl-F to search)",
  description:
    "Draws a flame graph in the style of flamegraph.pl: one box per function on each call path, as wide as the " +
    "bytes allocated under it (by the measure: --peak, --leaks or --total), callers below, the whole at the " +
    "bottom. Colors: green JavaScript, orange native code, aqua V8 and Node builtins, grey unknown. Open the SVG " +
    "in a browser: hover for figures, click a box to zoom, Ctrl-F to search with a regular expression. " +
    "With --html: one self-contained page (no network) with a chart of memory over time; drag across it to " +
    "see the graph of that time window: what was live at its high-water mark (--peak), what was allocated in " +
    "it and still live at its end (--leaks), or everything allocated in it (--total), as Memray's temporal " +
    "flame graph shows them.",
  examples: [
    "memtrace flame app.mtrace > flame.svg",
    "memtrace flame --leaks app.mtrace -o leaks.svg",
    "memtrace record app.js | memtrace flame --title 'app.js at startup' > startup.svg",
    "memtrace flame --html app.mtrace -o flame.html",
    "memtrace flame --frames all app.mtrace -o every-frame.svg",
    "memtrace flame --html --leaks --between 2s 10s app.mtrace -o grew.html",
  ],
  options: [
    { flags: "--title <text>", description: "the title line (default: the measure and its totals)" },
    {
      flags: "--html",
      description:
        "an interactive HTML page instead: a memory-over-time chart whose time window re-folds the graph, " +
        "flame or icicle, inverted, per process and thread, zoom, search (--width and --minwidth are the SVG's)",
    },
    {
      flags: "--width <px>",
      description: "image width in pixels",
      defaultValue: DEFAULT_WIDTH,
      parse: parseWidth,
    },
    {
      flags: "--minwidth <px>",
      description: "leave out boxes narrower than this (they are counted under the graph)",
      defaultValue: DEFAULT_MINWIDTH,
      parse: parseNonNegative,
    },
    FRAMES_OPTION,
  ],
  input: "profile",
  // The page's time window needs every allocation's lifetime, which a folded profile no longer has: with --html
  // the report reads the capture and folds it itself (over time).
  inputOf: (options) => (options.html ? "capture" : "profile"),
  create(options) {
    return options.html ? htmlFlameSink(options) : profileSink(renderFlame, options);
  },
};
