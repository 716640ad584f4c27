// tree: the biggest paths of the call tree in the terminal, as memray's `tree` reporter shows them. The tree is
// src/model/calltree.ts's: stacks merged by frame label along the path, root first (or, with --inverted, the
// allocating frames first), so it agrees with the flame graph box for box.
//
// Only the big branches are printed: a frame's callees are listed largest first, and one is printed if it holds at
// least --threshold percent of everything (1% by default) and is among the first --top of its siblings (10). What is
// left out is summed on one line, "… 3 more", so that a frame's bytes are always its own bytes (written after its
// label when it has callees) plus those of the lines under it. --depth stops at a depth and says how many callees
// were not shown.
//
//     2.0 KiB  100.00%  all
//     2.0 KiB   97.56%  ├─ main (app.js:1)
//     1.5 KiB   73.17%  │  ├─ parse (app.js:10)  (own 500 B)
//      1000 B   48.78%  │  │  malloc
//
// The figures come first, in aligned columns, so that the eye can run down them whatever the depth. A callee that is
// a frame's only line is written under it without a new branch: a chain of calls reads down like a stack trace and
// does not drift to the right, which keeps a stack 300 calls deep on the screen. Branches are drawn with the box
// characters every UTF-8 terminal has; --ascii draws them with |, ` and -.
import { UsageError } from "../errors";
import { parsePositiveInt } from "../options/values";
import { ROOT, buildCallTree, compareLabels, type CallTree } from "../model/calltree";
import type { Profile } from "../model/profile";
import { formatBytes, formatPercent, plural } from "./format";
import { nameStyle } from "./names";
import { headline } from "./headline";
import { FRAMES_OPTION, profileSink, type FramesOptions, type SinkDefinition } from "./sink";
import { displayWidth, printable, truncateMiddle } from "./table";
import { TERMINAL_OPTIONS, shareColor, terminalSettings, type TerminalOptions } from "./terminal";

export interface TreeOptions extends TerminalOptions, FramesOptions {
  depth?: number;
  top?: number;
  threshold?: number;
  ascii?: boolean;
}

interface RenderOptions extends FramesOptions {
  depth: number;
  top: number;
  threshold: number;
  ascii: boolean;
  color: boolean;
  width: number | undefined;
  wide?: boolean;
}

export const DEFAULT_TOP = 10;
export const DEFAULT_THRESHOLD = 1;

interface Glyphs {
  branch: string;
  last: string;
  through: string;
  more: string;
}

const UNICODE: Glyphs = { branch: "├─ ", last: "└─ ", through: "│  ", more: "…" };
const ASCII: Glyphs = { branch: "|- ", last: "`- ", through: "|  ", more: "..." };

/** One printed line: the bytes of its figures, and what follows them (tree prefix, label, notes). */
interface Line {
  bytes: number;
  text: string;
}

/** Still to print: a frame (with what goes before its label, and before the lines under it), or a "more" line. */
type Pending = { node: number; prefix: string; below: string } | { more: string; bytes: number };

/** A frame's callees, largest first (ties: more allocations, then by label), as they will be printed. */
function calleesOf(tree: CallTree, node: number): number[] {
  return [...tree.children(node)].sort(
    (a, b) =>
      tree.bytes[b] - tree.bytes[a] || tree.count[b] - tree.count[a] || compareLabels(tree.labelOf(a), tree.labelOf(b)),
  );
}

/**
 * The bytes each frame's "(own ...)" note gives: what it allocated itself and, in the app view, what the runtime
 * did under it (its detail frames' bytes: Profile.detailFrames), as summary and table count own bytes. Inverted
 * stacks keep each frame's own bytes: a detail frame is there the allocating frame, at the root.
 */
function ownBytes(tree: CallTree, inverted: boolean): Float64Array {
  const own = Float64Array.from(tree.selfBytes);
  if (inverted) return own;
  for (let node = 0; node < tree.size; node++) {
    const owner = tree.detail[node] ? tree.owner(node) : node;
    if (owner === node) continue;
    own[owner] += own[node];
    own[node] = 0;
  }
  return own;
}

function buildLines(tree: CallTree, inverted: boolean, options: RenderOptions): Line[] {
  const g = options.ascii ? ASCII : UNICODE;
  const name = nameStyle(options.wide);
  const minimum = (tree.bytes[ROOT] * options.threshold) / 100;
  const own = ownBytes(tree, inverted);
  const lines: Line[] = [];
  // Depth first, with a stack of its own: stacks are deeper than JavaScript's recursion allows.
  const stack: Pending[] = [{ node: ROOT, prefix: "", below: "" }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ("more" in item) {
      lines.push({ bytes: item.bytes, text: item.more });
      continue;
    }
    const { node, prefix, below } = item;
    const callees = calleesOf(tree, node);
    const atLimit = tree.depth[node] >= options.depth;
    // Largest first, so the callees shown are always the first ones and the rest are what is left out.
    const shown = atLimit ? [] : callees.slice(0, options.top).filter((c) => tree.bytes[c] >= minimum);
    const rest = callees.slice(shown.length);
    const notes: string[] = [];
    if (callees.length > 0 && own[node] > 0) notes.push(`own ${formatBytes(own[node])}`);
    if (atLimit && rest.length > 0) notes.push(`${plural(rest.length, "callee")} below --depth ${options.depth}`);
    const label = printable(name(tree.labelOf(node))) + (notes.length > 0 ? `  (${notes.join("; ")})` : "");
    lines.push({ bytes: tree.bytes[node], text: prefix + label });

    const more = !atLimit && rest.length > 0;
    const under = shown.length + (more ? 1 : 0);
    // A frame's only callee continues the chain in the same column.
    const chain = under === 1 && shown.length === 1;
    const next: Pending[] = shown.map((c, i) => {
      if (chain) return { node: c, prefix: below, below };
      const last = i === under - 1;
      return { node: c, prefix: below + (last ? g.last : g.branch), below: below + (last ? "   " : g.through) };
    });
    if (more) {
      const what = shown.length > 0 ? `${rest.length} more` : plural(rest.length, "callee");
      next.push({ more: `${below}${g.last}${g.more} ${what}`, bytes: rest.reduce((sum, c) => sum + tree.bytes[c], 0) });
    }
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]);
  }
  return lines;
}

export function renderTree(profile: Profile, options: RenderOptions): string {
  const tree = buildCallTree(profile);
  const total = tree.bytes[ROOT];
  const head = headline(profile);
  const out = [printable(head.title), ...(head.heaps ? [head.heaps] : []), ...head.processes.map(printable)];
  if (head.shape) out.push(`Stacks: ${head.shape}`);
  if (head.warning) out.push(`Warning: ${head.warning}`);
  out.push("");
  if (total === 0 && tree.count[ROOT] === 0) {
    out.push("No allocations under this measure.");
    return out.join("\n") + "\n";
  }
  const limits = [
    `holding ${options.threshold}% of ${formatBytes(total)} or more`,
    `at most ${options.top} callees per frame`,
    ...(Number.isFinite(options.depth) ? [`down to depth ${options.depth}`] : []),
  ];
  out.push(`The biggest paths: frames ${limits.join(", ")}, largest first.`, "");

  const lines = buildLines(tree, profile.info.inverted, options);
  const bytes = lines.map((l) => formatBytes(l.bytes));
  const percents = lines.map((l) => formatPercent(l.bytes, total));
  const bytesWidth = Math.max(...bytes.map((b) => b.length));
  const percentWidth = Math.max(...percents.map((p) => p.length));
  const sgr = (code: string, s: string) => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  lines.forEach((line, i) => {
    const figures = `${bytes[i].padStart(bytesWidth)}  ${sgr(shareColor(line.bytes, total), percents[i].padStart(percentWidth))}  `;
    const room = options.width === undefined ? undefined : options.width - bytesWidth - percentWidth - 4;
    const text =
      room !== undefined && displayWidth(line.text) > room ? truncateMiddle(line.text, Math.max(room, 20)) : line.text;
    out.push(figures + text);
  });
  return out.join("\n") + "\n";
}

function parsePercent(value: string): number {
  const n = Number(value.replace(/%$/, ""));
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 100) {
    throw new UsageError(`expected a percentage from 0 to 100 (1, 0.5, 5%), got "${value}"`);
  }
  return n;
}

export const tree: SinkDefinition<TreeOptions> = {
  name: "tree",
  summary: "the biggest paths of the call tree, indented, with bytes and percentages",
  description:
    "Prints the call tree (stacks merged by frame along the path) from the root down, each frame's callees " +
    "largest first: a callee is shown if it holds at least --threshold percent of the total and is among the " +
    "first --top of its siblings; the rest are summed on a '… N more' line. A frame with callees shows its own " +
    "bytes after its label. A frame's only callee is written under it without a new branch, so that a chain " +
    "of calls reads like a stack trace. Percentages are of the whole profile.",
  examples: [
    "memtrace tree app.mtrace",
    "memtrace tree --leaks --depth 12 --top 3 app.mtrace",
    "memtrace tree --inverted --threshold 5 app.mtrace",
    "memtrace tree --ascii app.mtrace > tree.txt",
  ],
  options: [
    {
      flags: "--depth <n>",
      description: "stop at this depth (the root is 0; default: no limit)",
      parse: parsePositiveInt,
    },
    {
      flags: "--top <n>",
      description: "show at most n callees of each frame",
      defaultValue: DEFAULT_TOP,
      parse: parsePositiveInt,
    },
    {
      flags: "--threshold <percent>",
      description: "leave out frames under this percentage of the total",
      defaultValue: DEFAULT_THRESHOLD,
      parse: parsePercent,
    },
    { flags: "--ascii", description: "draw the branches with ASCII characters (|, ` and -) instead of box lines" },
    FRAMES_OPTION,
    ...TERMINAL_OPTIONS,
  ],
  input: "profile",
  create(options) {
    return profileSink(renderTree, {
      depth: options.depth ?? Infinity,
      top: options.top ?? DEFAULT_TOP,
      threshold: options.threshold ?? DEFAULT_THRESHOLD,
      ascii: options.ascii ?? false,
      frames: options.frames,
      wide: options.wide,
      ...terminalSettings(options),
    });
  },
};
