// memtrace diff --flame: a differential flame graph, as flamegraph.pl draws one from difffolded input. Boxes are
// as wide as NEW's bytes; a box is red when its bytes (with everything it called) grew from BASE, blue when they
// shrank, the deeper the more, against the largest change of any box; white when unchanged. Paths that NEW no
// longer has are not drawn (no width): the text and JSON reports list them.
import { ROOT } from "../../model/calltree";
import { formatBytes, formatPercent } from "../format";
import { DEFAULT_MINWIDTH, DEFAULT_WIDTH } from "../flame";
import { drawFlame } from "../svg/draw";
import { CHANGE_LEGEND, changeColor } from "./color";
import type { ProfileDiff } from "./compare";
import { signedBytes } from "./rank";
import { budgetLine, matchWords, measureWords, type DiffReportOptions } from "./report";

export interface DiffFlameOptions extends DiffReportOptions {
  width?: number;
  minwidth?: number;
}

/** The graph's title: "Peak memory (native and JS heaps), BASE to NEW: +58.1 KiB". */
export function diffTitle(diff: ProfileDiff): string {
  const { baseTree, nextTree } = diff;
  return `${measureWords(diff)}, BASE to NEW: ${signedBytes(nextTree.bytes[ROOT] - baseTree.bytes[ROOT], formatBytes)}`;
}

/** The line under it: what widths and colors mean, how frames were matched, the budget. */
export function diffSubtitle(diff: ProfileDiff, options: DiffReportOptions): string {
  const subtitle = [
    `widths: NEW (${options.nextName}); red grew and blue shrank from BASE (${options.baseName})`,
    matchWords(options).replace(/\.$/, ""),
    budgetLine(diff, options)?.replace(/\.$/, ""),
  ];
  return subtitle.filter((s) => s).join(" · ");
}

export function renderDiffFlame(diff: ProfileDiff, options: DiffFlameOptions): string {
  const { baseTree, nextTree } = diff;
  const delta = (node: number) => nextTree.bytes[node] - baseTree.bytes[node];
  let largest = 0;
  for (let node = 0; node < nextTree.size; node++) largest = Math.max(largest, Math.abs(delta(node)));
  const figures = (node: number) => {
    const d = delta(node);
    const base = baseTree.bytes[node];
    const share = base > 0 ? `, ${d >= 0 ? "+" : "-"}${formatPercent(Math.abs(d), base)}` : "";
    return `NEW ${formatBytes(nextTree.bytes[node])}, BASE ${formatBytes(base)}, ${signedBytes(d, formatBytes)}${share}`;
  };
  return [
    ...drawFlame(nextTree, {
      width: options.width ?? DEFAULT_WIDTH,
      minwidth: options.minwidth ?? DEFAULT_MINWIDTH,
      title: diffTitle(diff),
      subtitle: diffSubtitle(diff, options),
      comment: "box widths are NEW's bytes, red grew and blue shrank from BASE",
      color: (node) => changeColor(delta(node), largest),
      tooltip: (node) => `${nextTree.labelOf(node)} (${figures(node)})`,
      legend: CHANGE_LEGEND,
    }),
  ].join("");
}
