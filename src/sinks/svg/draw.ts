// Draws a call tree as a self-contained SVG flame graph in flamegraph.pl's conventions (Brendan Gregg's FlameGraph):
// one box per node, width by bytes, the "all" root at the bottom, callers below callees, siblings left to right in
// label order, boxes narrower than minwidth left out, click-to-zoom and regex search from the inline script. The
// colors, tooltips and legend are the caller's: the flame report's by kind of code, the diff's by growth.
import { plural } from "../format";
import { ROOT, type CallTree } from "../../model/calltree";
import { fitText, flameScript } from "./script";
import { xml } from "./xml";

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

export interface FlameDrawing {
  /** Image width, px. */
  width: number;
  /** Boxes narrower than this many px are left out (and counted in the legend line). */
  minwidth: number;
  title: string;
  /** The line under the title; "" for none. */
  subtitle: string;
  /** What the box widths are, for the comment at the top of the file. */
  comment: string;
  /** A node's fill color. */
  color(node: number): string;
  /** A node's tooltip: "label (figures)", which the script splits at the last parenthesis. */
  tooltip(node: number): string;
  /** The legend under the graph: [color, name] pairs. */
  legend: [color: string, name: string][];
}

/** Draws a call tree as a flame graph: box widths are the tree's bytes, the rest as the drawing says. */
export function* drawFlame(tree: CallTree, d: FlameDrawing): Generator<string> {
  const { width, minwidth, title, subtitle } = d;
  const total = tree.bytes[ROOT];
  const bytesPerPx = total > 0 ? total / (width - 2 * XPAD) : 1;
  const { drawn, offsets, omitted, depth } = layout(tree, bytesPerPx, minwidth);
  const top = TITLE_HEIGHT + (subtitle ? SUBTITLE_HEIGHT : 0);
  const height = top + (depth + 1) * FRAME_HEIGHT + BOTTOM_HEIGHT;
  const textWidth = width - 2 * XPAD;
  const detailsY = height - BOTTOM_HEIGHT + FONT_SIZE * 2;
  const legendY = detailsY + FRAME_HEIGHT + 2;

  yield (
    `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n` +
    `<svg version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">\n` +
    `<!-- Flame graph by memtrace: ${d.comment}; hover for figures, click to zoom, Ctrl-F to search. -->\n` +
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
    legend(d.legend, width, legendY, omitted, minwidth) +
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
      `<g data-x="${offset}" data-w="${bytes}"><title>${xml(d.tooltip(node))}</title>` +
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${FRAME_HEIGHT - FRAME_PAD}" ` +
        `rx="2" ry="2" fill="${d.color(node)}"/>` +
        `<text x="${(x + 3).toFixed(1)}" y="${(y + 10.5).toFixed(1)}">${xml(fitText(label, w, CHAR_WIDTH))}</text></g>\n`,
    );
  });
  // Joined in pieces: a string per frame would make a stream chunk per frame, one string of all could be too long.
  for (let at = 0; at < parts.length; at += 1024) yield parts.slice(at, at + 1024).join("");
  yield `</g>\n<script type="text/ecmascript"><![CDATA[\n${flameScript({ xpad: XPAD, charWidth: CHAR_WIDTH })}]]></script>\n</svg>\n`;
}

/** The legend's colors, and how many frames were too narrow to draw. */
function legend(items: [string, string][], width: number, y: number, omitted: number, minwidth: number): string {
  let x = XPAD;
  let out = "";
  for (const [color, name] of items) {
    out +=
      `<rect x="${x}" y="${y - 10}" width="10" height="10" fill="${color}"/>` +
      `<text x="${x + 14}" y="${y}">${xml(name)}</text>\n`;
    x += 14 + Math.ceil(name.length * CHAR_WIDTH) + 16;
  }
  if (omitted > 0) {
    out += `<text id="omitted" x="${width - XPAD}" y="${y}">${plural(omitted, "frame")} narrower than ${minwidth} px not drawn</text>\n`;
  }
  return out;
}
