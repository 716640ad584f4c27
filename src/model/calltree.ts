// The call tree of a Profile: its stacks merged by frame label along the path, root first, as flame graphs and
// collapsed stacks show them. Two frames with the same label under the same parent are one node even when they are
// different frames (the same function at two addresses, or in two processes). Every report that shows paths or
// locations reads this tree, so that they all agree on what a location is and what it holds.
//
// Nodes are numbered (the root is 0, a parent before its children) and their fields are typed-array columns: a
// profile of a million unique stacks makes a tree of up to a million nodes, which objects and a Map per node would
// make ten times larger and slower.
import { FunctionKind } from "../codec/model";
import type { Profile } from "./profile";

/** The label of the root node: flamegraph.pl's name for the whole. */
export const ROOT_LABEL = "all";
/** The label given to allocations recorded without a stack (stack 0), so that they show up as a frame of their own. */
export const NO_STACK_LABEL = "(no stack)";

/** Code-unit order, the same on every machine (localeCompare depends on the ICU data Node was built with). */
export function compareLabels(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const ROOT = 0;

/** Children beyond which a node's children are found through a Map rather than by scanning them. */
const WIDE_NODE = 16;

export class CallTree {
  /** Distinct labels; `label[node]` indexes this. */
  readonly labels: string[];
  readonly size: number;
  readonly label: Uint32Array;
  /** The FunctionKind of the first frame merged into the node (frames with one label have one kind in practice). */
  readonly kind: Uint8Array;
  /** 1 for a node of a detail frame (Profile.detailFrames): its own bytes are its app frame's. */
  readonly detail: Uint8Array;
  /** The parent of each node; -1 for the root. */
  readonly parent: Int32Array;
  readonly depth: Uint32Array;
  /** Bytes and allocation count of each node and everything it called. */
  readonly bytes: Float64Array;
  readonly count: Float64Array;
  /** Bytes and count of the allocations whose innermost frame is the node. */
  readonly selfBytes: Float64Array;
  readonly selfCount: Float64Array;
  // Children of node n, in label order: childList[childStart[n] .. childStart[n + 1]).
  private readonly childStart: Uint32Array;
  private readonly childList: Uint32Array;

  constructor(fields: {
    labels: string[];
    size: number;
    label: Uint32Array;
    kind: Uint8Array;
    detail: Uint8Array;
    parent: Int32Array;
    depth: Uint32Array;
    selfBytes: Float64Array;
    selfCount: Float64Array;
  }) {
    const n = fields.size;
    this.labels = fields.labels;
    this.size = n;
    this.label = fields.label.subarray(0, n);
    this.kind = fields.kind.subarray(0, n);
    this.detail = fields.detail.subarray(0, n);
    this.parent = fields.parent.subarray(0, n);
    this.depth = fields.depth.subarray(0, n);
    this.selfBytes = fields.selfBytes.subarray(0, n);
    this.selfCount = fields.selfCount.subarray(0, n);
    this.bytes = Float64Array.from(this.selfBytes);
    this.count = Float64Array.from(this.selfCount);
    // Children come after their parents, so one backward pass sums every subtree.
    for (let i = n - 1; i > 0; i--) {
      this.bytes[this.parent[i]] += this.bytes[i];
      this.count[this.parent[i]] += this.count[i];
    }
    // Children lists, grouped by parent, each sorted by label (compared once, as ranks).
    const rank = rankLabels(this.labels);
    this.childStart = new Uint32Array(n + 1);
    for (let i = 1; i < n; i++) this.childStart[this.parent[i] + 1]++;
    for (let i = 0; i < n; i++) this.childStart[i + 1] += this.childStart[i];
    this.childList = new Uint32Array(Math.max(0, n - 1));
    const fill = this.childStart.slice(0, n);
    for (let i = 1; i < n; i++) this.childList[fill[this.parent[i]]++] = i;
    for (let p = 0; p < n; p++) {
      const from = this.childStart[p];
      const to = this.childStart[p + 1];
      if (to - from > 1) this.childList.subarray(from, to).sort((a, b) => rank[this.label[a]] - rank[this.label[b]]);
    }
  }

  /**
   * The node that owns a node's own bytes: itself, or for a detail node the nearest ancestor that is not one (the
   * app frame whose runtime work it stands for). A detail node under the root alone owns its bytes.
   */
  owner(node: number): number {
    let n = node;
    while (this.detail[n] && this.parent[n] > 0) n = this.parent[n];
    return this.detail[n] ? node : n;
  }

  labelOf(node: number): string {
    return this.labels[this.label[node]];
  }

  /** A node's children in label order: flamegraph.pl's left-to-right order, so that output is deterministic. */
  children(node: number): Uint32Array {
    return this.childList.subarray(this.childStart[node], this.childStart[node + 1]);
  }
}

function rankLabels(labels: string[]): Uint32Array {
  const order = labels.map((_, i) => i).sort((a, b) => compareLabels(labels[a], labels[b]));
  const rank = new Uint32Array(labels.length);
  order.forEach((id, r) => (rank[id] = r));
  return rank;
}

/**
 * Builds the tree of a Profile: O(rows + unique stacks). Frames are named by their labels, or by `labelOf` (a
 * report that groups frames, by package for one).
 */
export function buildCallTree(
  profile: Profile,
  labelOf: (frame: number) => string = (f) => profile.label(f),
): CallTree {
  const scope = profile.scope;
  // Every stack id becomes at most one node, plus the root and the no-stack node.
  const capacity = scope.stackCount + 2;
  const label = new Uint32Array(capacity);
  const kind = new Uint8Array(capacity);
  const detail = new Uint8Array(capacity);
  const parent = new Int32Array(capacity);
  const depth = new Uint32Array(capacity);
  const selfBytes = new Float64Array(capacity);
  const selfCount = new Float64Array(capacity);
  const labels: string[] = [];
  const labelIds = new Map<string, number>();
  const labelId = (text: string) => {
    let id = labelIds.get(text);
    if (id === undefined) {
      id = labels.length;
      labels.push(text);
      labelIds.set(text, id);
    }
    return id;
  };
  let size = 0;
  // A node's children by label: a short list scanned in place (most nodes have a few children), and an index for
  // the nodes with many (the root of a busy program, an event loop's dispatcher).
  const firstChild = new Int32Array(capacity).fill(-1);
  const nextSibling = new Int32Array(capacity).fill(-1);
  const childCount = new Uint32Array(capacity);
  const wide = new Map<number, Map<number, number>>();
  const child = (p: number, l: number, k: number, d = 0): number => {
    const index = p >= 0 ? wide.get(p) : undefined;
    // A detail frame and a plain one with the same label are two nodes: they own their bytes differently.
    const key = l * 2 + d;
    if (index) {
      const found = index.get(key);
      if (found !== undefined) return found;
    } else if (p >= 0) {
      for (let c = firstChild[p]; c >= 0; c = nextSibling[c]) if (label[c] === l && detail[c] === d) return c;
    }
    const node = size++;
    label[node] = l;
    kind[node] = k;
    detail[node] = d;
    parent[node] = p;
    if (p < 0) return node;
    depth[node] = depth[p] + 1;
    nextSibling[node] = firstChild[p];
    firstChild[p] = node;
    if (index) index.set(key, node);
    else if (++childCount[p] > WIDE_NODE) {
      const byLabel = new Map<number, number>();
      for (let c = firstChild[p]; c >= 0; c = nextSibling[c]) byLabel.set(label[c] * 2 + detail[c], c);
      wide.set(p, byLabel);
    }
    return node;
  };
  child(-1, labelId(ROOT_LABEL), FunctionKind.KIND_OTHER);

  // Each frame's label id and kind, looked up once per frame rather than once per node.
  const frameLabel = new Int32Array(scope.frameCount).fill(-1);
  const frameKind = new Uint8Array(scope.frameCount);
  const details = profile.detailFrames;
  const frameNode = (p: number, frame: number) => {
    if (frameLabel[frame] < 0) {
      frameLabel[frame] = labelId(labelOf(frame));
      frameKind[frame] = scope.frame(frame).kind;
    }
    return child(p, frameLabel[frame], frameKind[frame], details.has(frame) ? 1 : 0);
  };

  // The node of each stack id, filled in as rows need them; a stack's ancestors are resolved once.
  const nodeOfStack = new Int32Array(scope.stackCount).fill(-1);
  nodeOfStack[0] = ROOT;
  const parents = scope.stackParent.data;
  const frames = scope.stackFrame.data;
  const chain: number[] = [];
  const stackNode = (stack: number): number => {
    if (stack === 0) return child(ROOT, labelId(NO_STACK_LABEL), FunctionKind.KIND_OTHER);
    let s = stack;
    while (nodeOfStack[s] < 0) {
      chain.push(s);
      s = parents[s];
    }
    let node = nodeOfStack[s];
    while (chain.length > 0) {
      const id = chain.pop()!;
      node = frameNode(node, frames[id]);
      nodeOfStack[id] = node;
    }
    return node;
  };

  const stack = profile.stack.data;
  const bytes = profile.bytes.data;
  const count = profile.count.data;
  for (let i = 0; i < profile.rows; i++) {
    const node = stackNode(stack[i]);
    selfBytes[node] += bytes[i];
    selfCount[node] += count[i];
  }
  return new CallTree({ labels, size, label, kind, detail, parent, depth, selfBytes, selfCount });
}
