// The difference between two folded profiles of two runs (memtrace diff): their stacks merged into one call tree
// by what the frames are called, since addresses differ from run to run, with each run's bytes and counts on every
// node. Reports read it as they read one profile's CallTree: two CallTrees over the same nodes, BASE's and NEW's.
//
// How frames match (docs/diff.md):
// - JavaScript and builtin frames by function name and file; not by line unless asked (matchLines), so that a
//   change that moves code does not split a function in two. The label lists the lines seen: "grow (app.js:5)",
//   or "grow (app.js:5,9)" when the two runs (or two call sites) differ.
// - Native frames by symbol (their library's path can differ between machines).
// - Frames never resolved by the file offset in their library ("[libc.so.6+0x2724a]"), the same in every run of
//   that file; bare addresses, which differ in every run, all as one "(unknown)" frame.
// Process and thread ids differ between runs too: rows are summed over processes, threads and allocators.
import { FunctionKind } from "../../codec/model";
import { UsageError } from "../../errors";
import { CallTree, NO_STACK_LABEL, ROOT, ROOT_LABEL } from "../../model/calltree";
import { locationsOf } from "../../model/locations";
import type { Profile } from "../../model/profile";
import { measureName } from "../../transforms/measures";

export interface DiffOptions {
  /** Match JavaScript frames by line too: two call sites of one function stay apart. */
  matchLines?: boolean;
}

export interface Amount {
  bytes: number;
  count: number;
}

export interface StackDiff {
  /** Labels of the frames, root first. */
  frames: string[];
  base: Amount;
  next: Amount;
}

export interface LocationDiff {
  label: string;
  kind: FunctionKind;
  /** Allocated by the location itself (its frame innermost), as summary's own bytes. */
  base: Amount;
  next: Amount;
  /** By it or anything it called, once per allocation. */
  baseTotal: Amount;
  nextTotal: Amount;
}

export interface ProfileDiff {
  base: Profile;
  next: Profile;
  /** One tree for both runs: the same nodes, each run's bytes and counts. */
  baseTree: CallTree;
  nextTree: CallTree;
  /** Every call path with allocations of its own in either run. */
  stacks: StackDiff[];
  locations: LocationDiff[];
  totals: { base: Amount; next: Amount };
  /** Per run (BASE, NEW), the node of each of its profile's rows in the trees (-1 for an empty row). */
  rowNodes: [Int32Array, Int32Array];
}

interface FrameName {
  name: string;
  file: string;
  kind: FunctionKind;
  lines: Set<number>;
  /** For frames without a name of their own (unresolved, no stack, the root): the label as it is. */
  label?: string;
  /** A frame the app view folded runtime work into (Profile.detailFrames): its own bytes are its app frame's. */
  detail?: boolean;
}

/** Merges stacks of several profiles by frame key into one trie, root first. */
class KeyedTrie {
  readonly keys = new Map<string, number>();
  readonly names: FrameName[] = [];
  readonly parent: number[] = [-1];
  readonly key: number[] = [];
  readonly depth: number[] = [0];
  readonly self: Amount[][] = [];
  private readonly children = new Map<string, number>();

  constructor(
    private readonly runs: number,
    private readonly matchLines: boolean,
  ) {
    this.key.push(
      this.keyOf(`root`, { name: "", file: "", kind: FunctionKind.KIND_OTHER, lines: new Set(), label: ROOT_LABEL }),
    );
    this.self.push(this.amounts());
  }

  private amounts(): Amount[] {
    return Array.from({ length: this.runs }, () => ({ bytes: 0, count: 0 }));
  }

  keyOf(key: string, name: FrameName): number {
    let id = this.keys.get(key);
    if (id === undefined) {
      id = this.names.length;
      this.keys.set(key, id);
      this.names.push(name);
    }
    return id;
  }

  /** The key of a frame of a profile's scope. */
  frameKey(profile: Profile, frame: number): number {
    const detail = profile.detailFrames.has(frame);
    const id = this.plainFrameKey(profile, frame, detail ? "D" : "");
    if (detail) this.names[id].detail = true;
    return id;
  }

  private plainFrameKey(profile: Profile, frame: number, prefix: string): number {
    const d = profile.scope.frame(frame);
    // fold names a frame it could not resolve after its address: "[lib.so+0x1f0]" (its offset in the file, the
    // same in every run of that file) or a bare address, which differs in every run.
    const unresolved = d.resolved
      ? d.kind === FunctionKind.KIND_OTHER && !d.file
        ? d.name
        : undefined
      : profile.label(frame);
    if (unresolved !== undefined && /^(\[.*\]|0x[0-9a-f]+|\(unknown\))$/i.test(unresolved)) {
      const stable = unresolved.startsWith("[") ? unresolved : "(unknown)";
      return this.keyOf(`${prefix}?${stable}`, {
        name: "",
        file: "",
        kind: FunctionKind.KIND_OTHER,
        lines: new Set(),
        label: stable,
      });
    }
    const line = this.matchLines ? d.line : 0;
    const key = prefix + (d.file ? `${d.kind}\0${d.name}\0${d.file}\0${line}` : `${d.kind}\0${d.name}`);
    const id = this.keyOf(key, { name: d.name, file: d.file, kind: d.kind, lines: new Set() });
    if (d.file && d.line) this.names[id].lines.add(d.line);
    return id;
  }

  child(parent: number, key: number): number {
    const k = `${parent},${key}`;
    let node = this.children.get(k);
    if (node === undefined) {
      node = this.parent.length;
      this.parent.push(parent);
      this.key.push(key);
      this.depth.push(this.depth[parent] + 1);
      this.self.push(this.amounts());
      this.children.set(k, node);
    }
    return node;
  }

  /** Adds a profile's rows as run `run`; returns each row's node (-1 for an empty row). */
  add(profile: Profile, run: number): Int32Array {
    const scope = profile.scope;
    const frameKeys = new Int32Array(scope.frameCount).fill(-1);
    const stackNodes = new Int32Array(scope.stackCount).fill(-1);
    const noStack = this.keyOf("(no stack)", {
      name: "",
      file: "",
      kind: FunctionKind.KIND_OTHER,
      lines: new Set(),
      label: NO_STACK_LABEL,
    });
    const nodeOf = (stack: number): number => {
      if (stack === 0) return this.child(ROOT, noStack);
      // The stack's ancestors not yet resolved, innermost first; then down from the first one known.
      const chain: number[] = [];
      let s = stack;
      while (s !== 0 && stackNodes[s] < 0) {
        chain.push(s);
        s = scope.stackParent.data[s];
      }
      let node = s === 0 ? ROOT : stackNodes[s];
      for (let i = chain.length - 1; i >= 0; i--) {
        const frame = scope.stackFrame.data[chain[i]];
        if (frameKeys[frame] < 0) frameKeys[frame] = this.frameKey(profile, frame);
        node = this.child(node, frameKeys[frame]);
        stackNodes[chain[i]] = node;
      }
      return node;
    };
    const rowNodes = new Int32Array(profile.rows).fill(-1);
    for (let i = 0; i < profile.rows; i++) {
      const bytes = profile.bytes.data[i];
      const count = profile.count.data[i];
      if (bytes === 0 && count === 0) continue;
      rowNodes[i] = nodeOf(profile.stack.data[i]);
      const own = this.self[rowNodes[i]][run];
      own.bytes += bytes;
      own.count += count;
    }
    return rowNodes;
  }

  labels(): string[] {
    return this.names.map((n) => {
      if (n.label !== undefined) return n.label;
      const name = n.name || (n.kind === FunctionKind.KIND_JS ? "(anonymous)" : "(unknown)");
      if (!n.file) return name;
      const lines = [...n.lines].sort((a, b) => a - b);
      return lines.length ? `${name} (${n.file}:${lines.join(",")})` : `${name} (${n.file})`;
    });
  }

  tree(labels: string[], run: number): CallTree {
    const size = this.parent.length;
    return new CallTree({
      labels,
      size,
      label: Uint32Array.from(this.key),
      kind: Uint8Array.from(this.key, (k) => this.names[k].kind),
      detail: Uint8Array.from(this.key, (k) => (this.names[k].detail ? 1 : 0)),
      parent: Int32Array.from(this.parent),
      depth: Uint32Array.from(this.depth),
      selfBytes: Float64Array.from(this.self, (a) => a[run].bytes),
      selfCount: Float64Array.from(this.self, (a) => a[run].count),
    });
  }
}

/** Refuses to compare profiles whose bytes mean different things. */
function checkComparable(base: Profile, next: Profile): void {
  const what = (p: Profile) => measureName(p.measure);
  if (base.measure !== next.measure) {
    throw new UsageError(
      `BASE holds ${what(base)} and NEW ${what(next)}: give the measure to compare (--${what(base)} or --${what(next)}) ` +
        "or fold both captures alike",
    );
  }
  if (base.info.inverted !== next.info.inverted)
    throw new UsageError("one capture was folded with --inverted and the other without: fold both alike");
  if (base.info.heap !== next.info.heap)
    throw new UsageError("the captures were folded for different heaps (--heap): fold both alike");
  if (base.info.splitProcesses || next.info.splitProcesses || base.info.splitThreads || next.info.splitThreads)
    throw new UsageError("process and thread ids differ between runs: diff captures folded without --split-*");
}

export function diffProfiles(base: Profile, next: Profile, options: DiffOptions = {}): ProfileDiff {
  checkComparable(base, next);
  const trie = new KeyedTrie(2, options.matchLines ?? false);
  const rowNodes: [Int32Array, Int32Array] = [trie.add(base, 0), trie.add(next, 1)];
  const labels = trie.labels();
  const baseTree = trie.tree(labels, 0);
  const nextTree = trie.tree(labels, 1);

  const stacks: StackDiff[] = [];
  for (let node = 1; node < trie.parent.length; node++) {
    const [b, n] = trie.self[node];
    if (b.bytes === 0 && b.count === 0 && n.bytes === 0 && n.count === 0) continue;
    const frames: string[] = [];
    for (let x = node; x !== ROOT; x = trie.parent[x]) frames.push(labels[trie.key[x]]);
    stacks.push({ frames: frames.reverse(), base: { ...b }, next: { ...n } });
  }

  const shape = { inverted: base.info.inverted, syntheticDepth: 0 };
  const byLabel = new Map<string, LocationDiff>();
  const zero = (): Amount => ({ bytes: 0, count: 0 });
  const entry = (label: string, kind: FunctionKind) => {
    let d = byLabel.get(label);
    if (!d) {
      d = { label, kind, base: zero(), next: zero(), baseTotal: zero(), nextTotal: zero() };
      byLabel.set(label, d);
    }
    return d;
  };
  for (const l of locationsOf(baseTree, shape)) {
    const d = entry(l.label, l.kind);
    d.base = { bytes: l.ownBytes, count: l.ownCount };
    d.baseTotal = { bytes: l.totalBytes, count: l.totalCount };
  }
  for (const l of locationsOf(nextTree, shape)) {
    const d = entry(l.label, l.kind);
    d.next = { bytes: l.ownBytes, count: l.ownCount };
    d.nextTotal = { bytes: l.totalBytes, count: l.totalCount };
  }

  return {
    base,
    next,
    baseTree,
    nextTree,
    stacks,
    locations: [...byLabel.values()],
    totals: {
      base: { bytes: baseTree.bytes[ROOT], count: baseTree.count[ROOT] },
      next: { bytes: nextTree.bytes[ROOT], count: nextTree.count[ROOT] },
    },
    rowNodes,
  };
}

/** Growth: NEW less BASE. */
export function change(d: { base: Amount; next: Amount }): Amount {
  return { bytes: d.next.bytes - d.base.bytes, count: d.next.count - d.base.count };
}
