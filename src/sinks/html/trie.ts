// The stacks of every process of a page, merged by frame label along the path from the root: the call tree's rule
// (model/calltree.ts), so that the page and the SVG agree on what a node is. The page re-aggregates bytes into
// these nodes for every window, thread and process it shows, and builds the inverted tree from them.
import { FunctionKind } from "../../codec/model";
import { NO_STACK_LABEL, ROOT_LABEL } from "../../model/calltree";
import type { Scope } from "../../model/scope";
import { NumberMap } from "../../transforms/number-map";

const LABEL_LIMIT = 2 ** 26;

export class LabelTrie {
  readonly labels: string[] = [];
  /** The FunctionKind of the first frame that gave each label. */
  readonly labelKind: FunctionKind[] = [];
  readonly parent: number[] = [];
  readonly label: number[] = [];
  private readonly labelIds = new Map<string, number>();
  private readonly children = new NumberMap();
  private readonly memos = new Map<Scope, Int32Array>();

  constructor() {
    this.parent.push(-1);
    this.label.push(this.labelId(ROOT_LABEL, FunctionKind.KIND_OTHER));
  }

  private labelId(text: string, kind: FunctionKind): number {
    let id = this.labelIds.get(text);
    if (id === undefined) {
      id = this.labels.length;
      if (id >= LABEL_LIMIT) throw new RangeError(`more than ${LABEL_LIMIT} distinct frame labels`);
      this.labels.push(text);
      this.labelKind.push(kind);
      this.labelIds.set(text, id);
    }
    return id;
  }

  /** The child of `parent` with this label, made if new. */
  child(parent: number, text: string, kind: FunctionKind): number {
    const label = this.labelId(text, kind);
    const key = parent * LABEL_LIMIT + label;
    let node = this.children.get(key);
    if (node < 0) {
      node = this.parent.length;
      this.parent.push(parent);
      this.label.push(label);
      this.children.set(key, node);
    }
    return node;
  }

  /** The node of a stack of `scope` (root first, as recorded); each stack's ancestors are looked up once. */
  stackNode(scope: Scope, stack: number): number {
    if (stack === 0) return this.child(0, NO_STACK_LABEL, FunctionKind.KIND_OTHER);
    let memo = this.memos.get(scope);
    if (!memo || memo.length < scope.stackCount) {
      const grown = new Int32Array(scope.stackCount).fill(-1);
      if (memo) grown.set(memo);
      grown[0] = 0;
      memo = grown;
      this.memos.set(scope, memo);
    }
    const chain: number[] = [];
    let s = stack;
    while (memo[s] < 0) {
      chain.push(s);
      s = scope.stackParent.data[s];
    }
    let node = memo[s];
    for (let i = chain.length - 1; i >= 0; i--) {
      const frame = scope.stackFrame.data[chain[i]];
      node = this.child(node, scope.label(frame), scope.frame(frame).kind);
      memo[chain[i]] = node;
    }
    return node;
  }

  /** The node of a path of frames of `scope`, root first. */
  pathNode(scope: Scope, frames: number[]): number {
    if (frames.length === 0) return this.child(0, NO_STACK_LABEL, FunctionKind.KIND_OTHER);
    let node = 0;
    for (const frame of frames) node = this.child(node, scope.label(frame), scope.frame(frame).kind);
    return node;
  }
}
