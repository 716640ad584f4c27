// heapprofile: Chrome's sampling heap profile (the DevTools protocol's HeapProfiler.SamplingHeapProfile, saved as
// .heapprofile), which DevTools' Memory panel loads and speedscope imports: a tree of JS call frames, each node with
// the bytes allocated by itself (selfSize), plus samples that point at nodes.
//
// It is the JS view, as V8's own sampling heap profiler would show it, but with all the memory memtrace saw:
// - A frame becomes a node when it is JavaScript: JS functions, and Node's built-in modules that have a script
//   (node:internal/...). Native frames and V8's builtins without a script are left out, so the bytes that
//   `Buffer.alloc` gets from malloc count as the JS caller's own, as a JS developer reads them, and the dozens of
//   native frames of node's startup and event loop do not sit above every stack. --native-frames keeps them (with
//   their module as url), for the mixed view.
// - An allocation without any JS frame (a libuv pool thread, node's own startup) goes to a node named "(native)"
//   under the root, as V8 names allocations made outside JS "(V8 API)" or "(GC)": a DevTools user knows the look.
// - The synthetic process and thread frames of --split-processes and --split-threads stay: they were asked for.
// - Chrome's positions are 0-based and a node is a function (children merge per function, not per line): a node's
//   lineNumber and columnNumber are where its function starts, minus one; -1 when unknown.
// - Samples: the format's samples are single sampled allocations, and a folded profile has none left, so there is
//   one sample per node that holds bytes, of its selfSize. Readers that sum samples (DevTools' time-range selection)
//   get the same totals as the tree.
// The format has no title: DevTools and speedscope name the profile after the file, so name the file after the
// measure (peak.heapprofile, leaks.heapprofile).
import { FunctionKind } from "../codec/model";
import type { Profile } from "../model/profile";
import { NO_STACK_LABEL, compareLabels } from "../model/calltree";
import { ExportFrames, type ExportFrame } from "./export/frames";
import { FRAMES_OPTION, profileSink, type FramesOptions, type SinkDefinition } from "./sink";

export interface HeapProfileOptions extends FramesOptions {
  /** Keep native frames (url: their module) instead of the JS view. */
  nativeFrames?: boolean;
}

/** Runtime.CallFrame of the DevTools protocol. */
export interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface Node {
  callFrame: CallFrame;
  key: string;
  selfSize: number;
  id: number;
  children: Map<string, Node>;
}

const NATIVE_NODE = "(native)";

function newNode(callFrame: CallFrame): Node {
  const key = JSON.stringify([callFrame.functionName, callFrame.url, callFrame.lineNumber, callFrame.columnNumber]);
  return { callFrame, key, selfSize: 0, id: 0, children: new Map() };
}

/** Whether a frame is a node of the JS view. */
function isJs(f: ExportFrame): boolean {
  return f.kind === FunctionKind.KIND_JS || (f.kind === FunctionKind.KIND_BUILTIN && f.file !== "");
}

function buildTree(profile: Profile, options: HeapProfileOptions): Node {
  const frames = new ExportFrames();
  const scopeOf = profile.scope;
  // Script ids are made up per url (the recording's own ids are not in the capture): the same url, the same id.
  const scriptIds = new Map<string, string>([["", "0"]]);
  const callFrame = (f: ExportFrame, url: string): CallFrame => {
    let scriptId = scriptIds.get(url);
    if (scriptId === undefined) {
      scriptId = String(scriptIds.size);
      scriptIds.set(url, scriptId);
    }
    return {
      functionName: f.name,
      scriptId,
      url,
      lineNumber: f.functionLine - 1,
      columnNumber: f.functionColumn - 1,
    };
  };
  const synthetic = (name: string): CallFrame => ({
    functionName: name,
    scriptId: "0",
    url: "",
    lineNumber: -1,
    columnNumber: -1,
  });
  const split = (profile.info.splitProcesses ? 1 : 0) + (profile.info.splitThreads ? 1 : 0);

  const root = newNode(synthetic("(root)"));
  const child = (parent: Node, cf: CallFrame): Node => {
    const node = newNode(cf);
    const existing = parent.children.get(node.key);
    if (existing) return existing;
    parent.children.set(node.key, node);
    return node;
  };
  // The node of each stack: stacks share their prefixes, so each is resolved once.
  const nodeOfStack = new Map<number, Node>();
  for (let i = 0; i < profile.rows; i++) {
    const bytes = profile.bytes.data[i];
    if (bytes <= 0) continue;
    const stack = profile.stack.data[i];
    let node = nodeOfStack.get(stack);
    if (!node) {
      node = root;
      let js = 0;
      profile.framesRootFirst(stack).forEach((id, depth) => {
        const f = frames.get(scopeOf, id);
        if (depth < split) node = child(node!, synthetic(f.name));
        else if (isJs(f)) {
          node = child(node!, callFrame(f, f.file));
          js++;
        } else if (options.nativeFrames) node = child(node!, callFrame(f, f.module));
      });
      if (stack === 0) node = child(root, synthetic(NO_STACK_LABEL));
      else if (js === 0 && !options.nativeFrames) node = child(node, synthetic(NATIVE_NODE));
      nodeOfStack.set(stack, node);
    }
    node.selfSize += bytes;
  }
  return root;
}

function sortedChildren(node: Node): Node[] {
  return [...node.children.values()].sort((a, b) => compareLabels(a.key, b.key));
}

/**
 * The JSON text, one node per line (a tree can be deeper than recursion allows, and a diff should read by node).
 * Ids are given in this order, the root's being 1.
 */
function* renderHeapProfile(profile: Profile, options: HeapProfileOptions): Generator<string> {
  const root = buildTree(profile, options);
  const j = JSON.stringify;
  const withBytes: Node[] = [];
  let nextId = 1;
  let out = '{"head":';
  // Steps: a node to open, or the closing of the children of one.
  const steps: (Node | "close")[] = [root];
  let first = true;
  while (steps.length > 0) {
    const step = steps.pop()!;
    if (step === "close") {
      out += "]}";
      first = false;
      continue;
    }
    step.id = nextId++;
    if (step.selfSize > 0) withBytes.push(step);
    const selfSize = Math.round(step.selfSize);
    out += `${first ? "" : ","}\n{"callFrame":${j(step.callFrame)},"selfSize":${selfSize},"id":${step.id},"children":[`;
    first = true;
    steps.push("close");
    const children = sortedChildren(step);
    for (let c = children.length - 1; c >= 0; c--) steps.push(children[c]);
    if (out.length > 1 << 16) {
      yield out;
      out = "";
    }
  }
  out += ',\n"samples":[';
  out += withBytes.map((n, i) => `\n{"size":${Math.round(n.selfSize)},"nodeId":${n.id},"ordinal":${i + 1}}`).join(",");
  out += "\n]}\n";
  yield out;
}

export const heapprofile: SinkDefinition<HeapProfileOptions> = {
  name: "heapprofile",
  summary: "Chrome's .heapprofile (JS call frames and bytes) for DevTools' Memory panel and speedscope",
  description:
    "Writes a sampling heap profile as Chrome DevTools saves it (.heapprofile): the JS view of the memory " +
    "under the measure. Bytes allocated by native code count for the innermost JS function that called it; " +
    'allocations with no JS on the stack show as "(native)". --native-frames keeps native frames in the tree. ' +
    "The format has no title: name the file after the measure. Load it in DevTools (Memory panel, Load) or " +
    "speedscope.",
  examples: [
    "memtrace heapprofile app.mtrace -o peak.heapprofile",
    "memtrace heapprofile --leaks app.mtrace -o leaks.heapprofile",
    "memtrace heapprofile --total --native-frames app.mtrace -o total-mixed.heapprofile",
  ],
  options: [
    { flags: "--native-frames", description: "keep native frames too (their url is their module)" },
    FRAMES_OPTION,
  ],
  input: "profile",
  create(options) {
    return profileSink(renderHeapProfile, options);
  },
};
