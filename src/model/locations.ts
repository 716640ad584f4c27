// Locations: the call tree folded by frame label alone, whatever the path, as memray's summary and stats count
// them. A location's own bytes are the allocations whose innermost frame it is; its total bytes are the allocations
// with it anywhere in the stack, each counted once however often the location recurs in that stack.
//
// The tree may be shaped by fold (FoldInfo): split stacks start with synthetic frames naming the process and the
// thread, which are not code locations and are skipped; inverted stacks start (after those) with the innermost
// frame, so the own bytes of a location are those of the nodes at that first level rather than its leaves.
import { FunctionKind } from "../codec/model";
import { NO_STACK_LABEL, ROOT, type CallTree } from "./calltree";

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
  // By label id; the no-stack location may have no label id of its own (under split stacks), so it comes last.
  const byLabel: (Location | undefined)[] = new Array(tree.labels.length + 1);
  const location = (id: number, kind: FunctionKind) => {
    let loc = byLabel[id];
    if (!loc) {
      const label = id < tree.labels.length ? tree.labels[id] : NO_STACK_LABEL;
      loc = { label, kind, ownBytes: 0, ownCount: 0, totalBytes: 0, totalCount: 0 };
      byLabel[id] = loc;
    }
    return loc;
  };
  const noStack = tree.labels.indexOf(NO_STACK_LABEL);
  // The first level of code frames: below it, synthetic frames only.
  const first = shape.syntheticDepth + 1;
  // How many times each label is on the path from the root to the node being visited, the node excluded.
  const onPath = new Uint32Array(tree.labels.length);
  // Inverted: 1 for a detail node reached from the first level through detail nodes alone.
  const detailChain = new Uint8Array(tree.size);
  // Enter and leave steps (a leave is the node's bitwise complement): stacks can be deeper than recursion allows.
  const steps: number[] = [ROOT];
  while (steps.length > 0) {
    const step = steps.pop()!;
    if (step < 0) {
      onPath[tree.label[~step]]--;
      continue;
    }
    const node = step;
    if (tree.depth[node] < first) {
      // Allocations with no code frame at all, under the synthetic ones.
      if (node !== ROOT && tree.selfBytes[node] + tree.selfCount[node] > 0) {
        const loc = location(noStack >= 0 ? noStack : tree.labels.length, FunctionKind.KIND_OTHER);
        loc.ownBytes += tree.selfBytes[node];
        loc.ownCount += tree.selfCount[node];
        loc.totalBytes += tree.selfBytes[node];
        loc.totalCount += tree.selfCount[node];
      }
      for (const child of tree.children(node)) steps.push(child);
      continue;
    }
    const label = tree.label[node];
    const loc = location(label, tree.kind[node]);
    if (!shape.inverted) {
      // A detail frame's own bytes are its app frame's (the app view: Profile.detailFrames).
      const owner = tree.detail[node] ? tree.owner(node) : node;
      const ownLoc = owner === node ? loc : location(tree.label[owner], tree.kind[owner]);
      ownLoc.ownBytes += tree.selfBytes[node];
      ownLoc.ownCount += tree.selfCount[node];
    } else {
      // Inverted: the first level holds the allocating frames, after the detail frames that lead to them.
      const top = tree.depth[node] === first || detailChain[tree.parent[node]] === 1;
      if (top && tree.detail[node]) detailChain[node] = 1;
      const owns = top && (!tree.detail[node] || tree.children(node).length === 0);
      if (owns) {
        loc.ownBytes += tree.detail[node] ? tree.selfBytes[node] : tree.bytes[node];
        loc.ownCount += tree.detail[node] ? tree.selfCount[node] : tree.count[node];
      }
    }
    // Under recursion the outermost occurrence already counted this subtree.
    if (onPath[label] === 0) {
      loc.totalBytes += tree.bytes[node];
      loc.totalCount += tree.count[node];
    }
    onPath[label]++;
    steps.push(~node);
    for (const child of tree.children(node)) steps.push(child);
  }
  return byLabel.filter((l): l is Location => l !== undefined && (l.totalBytes !== 0 || l.totalCount !== 0));
}
