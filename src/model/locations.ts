// Locations: the call tree folded by frame label alone, whatever the path, as memray's summary and stats count
// them. A location's own bytes are the allocations whose innermost frame it is; its total bytes are the allocations
// with it anywhere in the stack, each counted once however often the location recurs in that stack.
//
// The tree may be shaped by fold (FoldInfo): split stacks start with synthetic frames naming the process and the
// thread, which are not code locations and are skipped; inverted stacks start (after those) with the innermost
// frame, so the own bytes of a location are those of the nodes at that first level rather than its leaves.
import { FunctionKind } from "../codec/model";
import { NO_STACK_LABEL, type CallNode, type CallTree } from "./calltree";

export interface Location {
  label: string;
  kind: FunctionKind;
  ownBytes: number;
  ownCount: number;
  totalBytes: number;
  totalCount: number;
}

export interface StackShape {
  inverted: boolean;
  /** Synthetic frames at the root of every stack (one per --split-processes and --split-threads). */
  syntheticDepth: number;
}

export function locationsOf(tree: CallTree, shape: StackShape = { inverted: false, syntheticDepth: 0 }): Location[] {
  const byLabel = new Map<string, Location>();
  const location = (label: string, kind: FunctionKind) => {
    let loc = byLabel.get(label);
    if (!loc) {
      loc = { label, kind, ownBytes: 0, ownCount: 0, totalBytes: 0, totalCount: 0 };
      byLabel.set(label, loc);
    }
    return loc;
  };
  // The first level of code frames: below it, synthetic frames only.
  const first = shape.syntheticDepth + 1;
  // How many times each label is on the path from the root to the node being visited, the node excluded.
  const onPath = new Map<string, number>();
  // An explicit stack of enter and leave steps: stacks can be deeper than the JS call stack allows recursion.
  const steps: { node: CallNode; leaving: boolean }[] = [{ node: tree.root, leaving: false }];
  while (steps.length > 0) {
    const { node, leaving } = steps.pop()!;
    if (node.depth < first) {
      // Allocations with no code frame at all, under the synthetic ones.
      if (node.depth > 0 && node.selfBytes + node.selfCount > 0) {
        const loc = location(NO_STACK_LABEL, FunctionKind.KIND_OTHER);
        loc.ownBytes += node.selfBytes;
        loc.ownCount += node.selfCount;
        loc.totalBytes += node.selfBytes;
        loc.totalCount += node.selfCount;
      }
      for (const child of node.children.values()) steps.push({ node: child, leaving: false });
      continue;
    }
    if (leaving) {
      const n = onPath.get(node.label)! - 1;
      if (n === 0) onPath.delete(node.label);
      else onPath.set(node.label, n);
      continue;
    }
    const loc = location(node.label, node.kind);
    if (!shape.inverted) {
      loc.ownBytes += node.selfBytes;
      loc.ownCount += node.selfCount;
    } else if (node.depth === first) {
      loc.ownBytes += node.bytes;
      loc.ownCount += node.count;
    }
    // Under recursion the outermost occurrence already counted this subtree.
    if (!onPath.has(node.label)) {
      loc.totalBytes += node.bytes;
      loc.totalCount += node.count;
    }
    onPath.set(node.label, (onPath.get(node.label) ?? 0) + 1);
    steps.push({ node, leaving: true });
    for (const child of node.children.values()) steps.push({ node: child, leaving: false });
  }
  return [...byLabel.values()].filter((l) => l.totalBytes !== 0 || l.totalCount !== 0);
}
