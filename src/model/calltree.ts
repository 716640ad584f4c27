// The call tree of a Profile: its stacks merged by frame label along the path, root first, as flame graphs and
// collapsed stacks show them. Two frames with the same label under the same parent are one node even when they are
// different frames (the same function at two addresses, or in two processes). Every report that shows paths or
// locations reads this tree, so that they all agree on what a location is and what it holds.
import { FunctionKind } from "../codec/model";
import type { Profile } from "./profile";

/** The label of the root node: flamegraph.pl's name for the whole. */
export const ROOT_LABEL = "all";
/** The label given to allocations recorded without a stack (stack 0), so that they show up as a frame of their own. */
export const NO_STACK_LABEL = "(no stack)";

export interface CallNode {
  readonly label: string;
  /** The kind of the first frame merged into this node (frames with one label have one kind in practice). */
  readonly kind: FunctionKind;
  readonly parent: CallNode | undefined;
  readonly depth: number;
  readonly children: Map<string, CallNode>;
  /** Bytes and allocation count of this node and everything it called. */
  bytes: number;
  count: number;
  /** Bytes and count of the allocations whose innermost frame is this node. */
  selfBytes: number;
  selfCount: number;
}

export interface CallTree {
  root: CallNode;
  /** Every node, parents before children (the root first). */
  nodes: CallNode[];
}

/** Builds the tree of a Profile: O(rows + unique stacks). */
export function buildCallTree(profile: Profile): CallTree {
  const scope = profile.scope;
  const nodes: CallNode[] = [];
  const child = (parent: CallNode | undefined, label: string, kind: FunctionKind): CallNode => {
    let node = parent?.children.get(label);
    if (!node) {
      node = {
        label,
        kind,
        parent,
        depth: parent ? parent.depth + 1 : 0,
        children: new Map(),
        bytes: 0,
        count: 0,
        selfBytes: 0,
        selfCount: 0,
      };
      parent?.children.set(label, node);
      nodes.push(node);
    }
    return node;
  };
  const root = child(undefined, ROOT_LABEL, FunctionKind.KIND_OTHER);

  // The node of each stack id, filled in as rows need them; a stack's ancestors are resolved once.
  const nodeOfStack: (CallNode | undefined)[] = [root];
  const parents = scope.stackParent.data;
  const frames = scope.stackFrame.data;
  const nodeOf = (stack: number): CallNode => {
    if (stack === 0) return child(root, NO_STACK_LABEL, FunctionKind.KIND_OTHER);
    const chain: number[] = [];
    let s = stack;
    while (s !== 0 && nodeOfStack[s] === undefined) {
      chain.push(s);
      s = parents[s];
    }
    let node = s === 0 ? root : nodeOfStack[s]!;
    for (let i = chain.length - 1; i >= 0; i--) {
      const frame = frames[chain[i]];
      node = child(node, profile.label(frame), scope.frame(frame).kind);
      nodeOfStack[chain[i]] = node;
    }
    return node;
  };

  const stack = profile.stack.data;
  const bytes = profile.bytes.data;
  const count = profile.count.data;
  for (let i = 0; i < profile.rows; i++) {
    const node = nodeOf(stack[i]);
    node.selfBytes += bytes[i];
    node.selfCount += count[i];
  }
  // Children come after their parents, so one backward pass sums every subtree.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    node.bytes += node.selfBytes;
    node.count += node.selfCount;
    if (node.parent) {
      node.parent.bytes += node.bytes;
      node.parent.count += node.count;
    }
  }
  return { root, nodes };
}

/** Code-unit order, the same on every machine (localeCompare depends on the ICU data Node was built with). */
export function compareLabels(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A node's children in label order: flamegraph.pl's left-to-right order, so that output is deterministic. */
export function sortedChildren(node: CallNode): CallNode[] {
  return [...node.children.values()].sort((a, b) => compareLabels(a.label, b.label));
}
