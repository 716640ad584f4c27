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
import { frameColor, kindName } from "./svg/palette";
import { fitText, flameScript } from "./svg/script";
import { xml } from "./svg/xml";

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

// flamegraph.pl's geometry, so that a memtrace graph looks like the graphs people know.
const FRAME_HEIGHT = 16;
const FRAME_PAD = 1;
const FONT_SIZE = 12;
const FONT_WIDTH = 0.59;
const CHAR_WIDTH = FONT_SIZE * FONT_WIDTH;
const XPAD = 10;
const TITLE_HEIGHT = FONT_SIZE * 3;
const SUBTITLE_HEIGHT = FONT_SIZE * 2;
// The details line (the hovered frame) and the legend line under it.
const BOTTOM_HEIGHT = FONT_SIZE * 2 + 10 + FRAME_HEIGHT;

export const DEFAULT_WIDTH = 1200;
export const DEFAULT_MINWIDTH = 0.1;

const LEGEND_KINDS = [
  FunctionKind.KIND_JS,
  FunctionKind.KIND_NATIVE,
  FunctionKind.KIND_BUILTIN,
  FunctionKind.KIND_OTHER,
];

/** The boxes to draw (nodes, in pre-order: callers first) with their offsets from the left in bytes, and how many
 * boxes were left out for being narrower than minwidth (with everything above them). */
function layout(tree: CallTree, bytesPerPx: number, minwidth: number) {
  const drawn: number[] = [];
  const offsets: number[] = [];
  let omitted = 0;
  let depth = 0;
  const stack: [node: number, offset: number][] = [[ROOT, 0]];
  const next: [number, number][] = [];
  while (stack.length > 0) {
    const [node, start] = stack.pop()!;
    drawn.push(node);
    offsets.push(start);
    depth = Math.max(depth, tree.depth[node]);
    let offset = start;
    for (const child of tree.children(node)) {
      const bytes = tree.bytes[child];
      if (bytes <= 0) continue;
      if (bytes / bytesPerPx < minwidth) omitted += subtreeSize(tree, child);
      else next.push([child, offset]);
      offset += bytes;
    }
    while (next.length > 0) stack.push(next.pop()!);
  }
  return { drawn, offsets, omitted, depth };
}

/** Nodes with bytes in a subtree: what leaving out its root leaves out. */
function subtreeSize(tree: CallTree, node: number): number {
  let n = 0;
  const stack = [node];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (tree.bytes[x] <= 0) continue;
    n++;
    for (const c of tree.children(x)) stack.push(c);
  }
  return n;
}

/** The tooltip: flamegraph.pl's "name (figures)", which the script splits at the last parenthesis. */
function tooltip(tree: CallTree, node: number, total: number): string {
  const bytes = tree.bytes[node];
  const human = bytes >= 1024 ? `${formatBytes(bytes)}, ` : "";
  return (
    `${tree.labelOf(node)} (${human}${plural(bytes, "byte")}, ${plural(tree.count[node], "allocation")}, ` +
    `${formatPercent(bytes, total)})`
  );
}

function* renderFlame(profile: Profile, options: FlameOptions): Generator<string> {
  const width = options.width ?? DEFAULT_WIDTH;
  const minwidth = options.minwidth ?? DEFAULT_MINWIDTH;
  const tree = buildCallTree(profile);
  const total = tree.bytes[ROOT];
  const bytesPerPx = total > 0 ? total / (width - 2 * XPAD) : 1;
  const { drawn, offsets, omitted, depth } = layout(tree, bytesPerPx, minwidth);
  const head = headline(profile);

  const title = options.title ?? head.title;
  const subtitleParts = [
    options.title !== undefined ? head.title : undefined,
    head.heaps,
    head.who,
    head.shape,
    head.warning,
  ];
  const subtitle = subtitleParts.filter((s) => s).join(" · ");
  const top = TITLE_HEIGHT + (subtitle ? SUBTITLE_HEIGHT : 0);
  const height = top + (depth + 1) * FRAME_HEIGHT + BOTTOM_HEIGHT;
  const textWidth = width - 2 * XPAD;
  const detailsY = height - BOTTOM_HEIGHT + FONT_SIZE * 2;
  const legendY = detailsY + FRAME_HEIGHT + 2;

  yield (
    `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n` +
    `<svg version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">\n` +
    `<!-- Flame graph by memtrace: box widths are bytes under the measure; hover for figures, click to zoom, Ctrl-F to search. -->\n` +
    `<defs>\n<linearGradient id="background" y1="0" y2="1" x1="0" x2="0">` +
    `<stop stop-color="#eeeeee" offset="5%"/><stop stop-color="#e0e0ff" offset="95%"/></linearGradient>\n</defs>\n` +
    `<style type="text/css">\n` +
    `text { font-family: Verdana, "DejaVu Sans", sans-serif; font-size: ${FONT_SIZE}px; fill: rgb(0,0,0); }\n` +
    `#title { text-anchor: middle; font-size: ${FONT_SIZE + 5}px; }\n` +
    `#subtitle { text-anchor: middle; fill: rgb(100,100,100); }\n` +
    `#search, #matched, #omitted { text-anchor: end; }\n` +
    `#search, #unzoom { cursor: pointer; }\n` +
    `#search { opacity: 0.5; } #search:hover, #search.show { opacity: 1; }\n` +
    `#frames > g { cursor: pointer; } #frames > g:hover > rect { stroke: black; stroke-width: 0.5; }\n` +
    `.hide { display: none; } .parent { opacity: 0.5; }\n` +
    `</style>\n` +
    `<rect x="0" y="0" width="${width}" height="${height}" fill="url(#background)"/>\n` +
    `<text id="title" x="${width / 2}" y="${FONT_SIZE * 2}">${xml(fitText(title, textWidth, (FONT_SIZE + 5) * FONT_WIDTH))}</text>\n` +
    (subtitle
      ? `<text id="subtitle" x="${width / 2}" y="${FONT_SIZE * 4}">${xml(fitText(subtitle, textWidth, CHAR_WIDTH))}</text>\n`
      : "") +
    `<text id="unzoom" class="hide" x="${XPAD}" y="${FONT_SIZE * 2}">Reset Zoom</text>\n` +
    `<text id="search" x="${width - XPAD}" y="${FONT_SIZE * 2}">Search</text>\n` +
    `<text id="details" x="${XPAD}" y="${detailsY}"> </text>\n` +
    `<text id="matched" x="${width - XPAD}" y="${detailsY}"> </text>\n` +
    legend(width, legendY, omitted, minwidth) +
    `<g id="frames">\n`
  );

  const parts: string[] = [];
  drawn.forEach((node, i) => {
    const offset = offsets[i];
    const bytes = tree.bytes[node];
    const label = tree.labelOf(node);
    const x = XPAD + offset / bytesPerPx;
    // The root is the whole width, even for an empty profile (whose title then says "0 B").
    const w = node === ROOT ? textWidth : bytes / bytesPerPx;
    const y = height - BOTTOM_HEIGHT - (tree.depth[node] + 1) * FRAME_HEIGHT + FRAME_PAD;
    parts.push(
      `<g data-x="${offset}" data-w="${bytes}"><title>${xml(tooltip(tree, node, total))}</title>` +
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${FRAME_HEIGHT - FRAME_PAD}" ` +
        `rx="2" ry="2" fill="${frameColor(tree.kind[node], label)}"/>` +
        `<text x="${(x + 3).toFixed(1)}" y="${(y + 10.5).toFixed(1)}">${xml(fitText(label, w, CHAR_WIDTH))}</text></g>\n`,
    );
  });
  // Joined in pieces: a string per frame would make a stream chunk per frame, one string of all could be too long.
  for (let at = 0; at < parts.length; at += 1024) yield parts.slice(at, at + 1024).join("");
  yield `</g>\n<script type="text/ecmascript"><![CDATA[\n${flameScript({ xpad: XPAD, charWidth: CHAR_WIDTH })}]]></script>\n</svg>\n`;
}

/** The colors of the kinds, and how many frames were too narrow to draw. */
function legend(width: number, y: number, omitted: number, minwidth: number): string {
  let x = XPAD;
  let out = "";
  for (const kind of LEGEND_KINDS) {
    const name = kindName(kind);
    out +=
      `<rect x="${x}" y="${y - 10}" width="10" height="10" fill="${frameColor(kind, name)}"/>` +
      `<text x="${x + 14}" y="${y}">${name}</text>\n`;
    x += 14 + Math.ceil(name.length * CHAR_WIDTH) + 16;
  }
  if (omitted > 0) {
    out += `<text id="omitted" x="${width - XPAD}" y="${y}">${plural(omitted, "frame")} narrower than ${minwidth} px not drawn</text>\n`;
  }
  return out;
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
