// collapsed: the folded text format of flamegraph.pl's stackcollapse scripts, which flamegraph.pl, speedscope,
// inferno and most flame graph tools read: one line per unique call path, root first, frames by label separated by
// semicolons, then a space and the weight:
//
//     main (app.js:1);parse (app.js:10);Buffer.alloc 4096
//
// The weight is bytes under the measure, or the allocation count with --count. Paths whose weight is 0 are left
// out. Lines are sorted by path in code-unit order, so that the output is the same for the same profile.
//
// The format has no escapes: readers split a line at every ";" and take the number after the last space. So a ";"
// inside a label (a data: URL, "data:text/javascript;base64,...") is written as "；" (U+FF1B, the fullwidth
// semicolon), which reads the same and cannot split the line, and line breaks inside a label become spaces.
import { buildCallTree, compareLabels, ROOT } from "../model/calltree";
import type { Profile } from "../model/profile";
import { FRAMES_OPTION, profileSink, type FramesOptions, type SinkDefinition } from "./sink";

export interface CollapsedOptions extends FramesOptions {
  /** Weight by allocation count instead of bytes. */
  count?: boolean;
}

/** A label as one field of a folded line. */
export function collapsedFrame(label: string): string {
  return label.replace(/;/g, "\uff1b").replace(/\r\n|[\r\n]/g, " ");
}

function* renderCollapsed(profile: Profile, options: CollapsedOptions): Generator<string> {
  const tree = buildCallTree(profile);
  const weights = options.count ? tree.selfCount : tree.selfBytes;
  const lines: [path: string, weight: number][] = [];
  const stack: [node: number, path: string][] = [...tree.children(ROOT)].map((n) => [
    n,
    collapsedFrame(tree.labelOf(n)),
  ]);
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    const weight = Math.round(weights[node]);
    if (weight > 0) lines.push([path, weight]);
    for (const child of tree.children(node)) stack.push([child, `${path};${collapsedFrame(tree.labelOf(child))}`]);
  }
  lines.sort((a, b) => compareLabels(a[0], b[0]));
  for (let at = 0; at < lines.length; at += 4096) {
    yield lines
      .slice(at, at + 4096)
      .map(([path, weight]) => `${path} ${weight}\n`)
      .join("");
  }
}

export const collapsed: SinkDefinition<CollapsedOptions> = {
  name: "collapsed",
  summary: "folded stacks (path;to;function bytes), for flamegraph.pl, speedscope and other flame graph tools",
  description:
    "Writes one line per call path: the frames from the root, separated by semicolons, then the bytes under the " +
    "measure (or the allocation count with --count). A semicolon inside a name is written as the fullwidth " +
    "semicolon (U+FF1B) so that every line stays parseable.",
  examples: [
    "memtrace collapsed app.mtrace > app.folded",
    "memtrace collapsed --leaks app.mtrace | flamegraph.pl --countname bytes > leaks.svg",
    "memtrace collapsed --total --count app.mtrace > counts.folded && speedscope counts.folded",
  ],
  options: [{ flags: "--count", description: "weight by allocation count instead of bytes" }, FRAMES_OPTION],
  input: "profile",
  create(options) {
    return profileSink(renderCollapsed, options);
  },
};
