// The app view of a folded profile: each stack as a JavaScript developer reads it. Every report shows it unless
// asked for every frame (--frames all). In a stack, from the root:
//   - node's start-up and event-loop frames above the first JavaScript frame become one root frame naming the kind
//     of thread ("(main thread)", "(worker thread)", "(libuv threadpool)", "(V8 platform)", "(other thread)");
//   - the JavaScript frames (the app's, its dependencies', node's) and addons' frames stay, with their lines; the
//     runtime's glue between them (JSEntry, v8::Function::Call, CallApiCallback...) goes;
//   - below the innermost app frame (the app's or a dependency's JavaScript, or an addon's function), the node API
//     it called stays (`from (node:buffer:297)`), and the rest, down to the allocator, becomes one frame that says
//     what it is ("Buffer backing store", "zlib deflate state": runtime.ts).
// Those last two are the app frame's detail: reports that count own bytes give them to the app frame
// (Profile.detailFrames), so that the top rows are the app's. Rows keep their bytes and counts, so every total
// is the same as with every frame; only the stacks change. The new frames and stacks are added to the profile's
// scope (nothing in it is changed), so labels, mappings and the full stacks stay as they were.
import { FunctionKind, type FunctionInfo, type ThreadInfo } from "../../codec/model";
import { Profile } from "../../model/profile";
import type { Scope } from "../../model/scope";
import { isAppOrigin, isScriptOrigin, originOf, type Origin } from "./origin";
import { describeTail, type TailFrame } from "./runtime";
import { knownThreadKind, threadKindOf, type ThreadKind } from "./threads";

export const FRAME_VIEWS = ["app", "all"] as const;
export type FramesView = (typeof FRAME_VIEWS)[number];

/** Adds functions, frames and stacks to a scope, each once. */
class ScopeWriter {
  private readonly functionIds = new Map<string, number>();
  private readonly stackIds = new Map<number, number>();
  private readonly copies = new Map<number, number>();

  constructor(private readonly scope: Scope) {}

  private string(text: string): number {
    this.scope.strings.push(text);
    return this.scope.strings.length - 1;
  }

  /** A frame of a function of its own, named `name` (one frame per name and kind). */
  frame(name: string, kind: FunctionKind): number {
    const key = `${kind}\0${name}`;
    let id = this.functionIds.get(key);
    if (id === undefined) {
      const fn: FunctionInfo = { name: this.string(name), file: 0, module: 0, line: 0, column: 0, kind };
      this.scope.functions.push(fn);
      id = this.newFrame(this.scope.functions.length - 1, 0, 0, 0);
      this.functionIds.set(key, id);
    }
    return id;
  }

  /** Another frame for the same function and position (a detail frame must not share its id with a plain one). */
  copy(frame: number): number {
    let id = this.copies.get(frame);
    if (id === undefined) {
      const s = this.scope;
      id = this.newFrame(
        s.frameFunction.data[frame],
        s.frameAddress.data[frame],
        s.frameLine.data[frame],
        s.frameColumn.data[frame],
      );
      this.copies.set(frame, id);
    }
    return id;
  }

  private newFrame(fn: number, address: number, line: number, column: number): number {
    const s = this.scope;
    s.frameFunction.push(fn);
    s.frameAddress.push(address);
    s.frameLine.push(line);
    s.frameColumn.push(column);
    return s.frameCount - 1;
  }

  /** The stack of `frame` called from `parent`. */
  stack(parent: number, frame: number): number {
    // Frame ids stay far below 2^26 (a frame table of 64 M entries): the key is exact.
    const key = parent * 67108864 + frame;
    let id = this.stackIds.get(key);
    if (id === undefined) {
      this.scope.stackParent.push(parent);
      this.scope.stackFrame.push(frame);
      id = this.scope.stackCount - 1;
      this.stackIds.set(key, id);
    }
    return id;
  }
}

/** A stack of the view, root first, and which of its frames are detail. */
interface ViewStack {
  frames: number[];
  detail: boolean[];
}

class AppView {
  private readonly origins: (Origin | undefined)[] = [];
  private readonly writer: ScopeWriter;
  readonly detailFrames = new Set<number>();

  constructor(private readonly scope: Scope) {
    this.writer = new ScopeWriter(scope);
  }

  private origin(frame: number): Origin {
    let o = this.origins[frame];
    if (o === undefined) {
      o = this.scope.frame(frame).resolved ? originOf(this.scope.frame(frame)) : unresolvedOrigin(this.scope, frame);
      this.origins[frame] = o;
    }
    return o;
  }

  /** Rewrites one logical stack (frames innermost first, synthetic frames left out). */
  rewrite(frames: number[], kind: (rootNames: string[]) => ThreadKind): ViewStack {
    const origin = frames.map((f) => this.origin(f));
    const script = (i: number) => isScriptOrigin(origin[i]);
    const kept = (i: number) => script(i) || isAppOrigin(origin[i]);
    let top = -1;
    for (let i = frames.length - 1; i >= 0 && top < 0; i--) if (kept(i)) top = i;
    let app = origin.findIndex(isAppOrigin);
    if (app < 0) app = origin.findIndex((o) => isScriptOrigin(o));
    const rootNames = frames
      .slice(top + 1)
      .reverse()
      .map((f) => this.scope.frame(f).name);
    const out: ViewStack = { frames: [this.writer.frame(kind(rootNames), FunctionKind.KIND_OTHER)], detail: [false] };
    if (app < 0) {
      // No JavaScript and no addon: the thread's kind, and what the runtime was doing.
      if (frames.length > 0) {
        out.frames.push(this.category(frames, origin));
        out.detail.push(false);
      }
      return out;
    }
    for (let i = top; i >= app; i--) {
      if (!kept(i)) continue;
      out.frames.push(frames[i]);
      out.detail.push(false);
    }
    // The node API the app frame called, then what the runtime did under it.
    let api = -1;
    for (let i = app - 1; i >= 0 && api < 0; i--) if (origin[i] === "node") api = i;
    if (api >= 0) {
      out.frames.push(this.writer.copy(frames[api]));
      out.detail.push(true);
    }
    const tail = frames.slice(0, app).filter((_, i) => !isScriptOrigin(origin[i]));
    if (tail.length > 0) {
      out.frames.push(
        this.writer.copy(
          this.category(
            tail,
            tail.map((f) => this.origin(f)),
          ),
        ),
      );
      out.detail.push(true);
    }
    return out;
  }

  private category(frames: number[], origin: Origin[]): number {
    const tail: TailFrame[] = frames.map((f, i) => {
      const d = this.scope.frame(f);
      const builtin = d.kind === FunctionKind.KIND_BUILTIN;
      return { name: d.name, module: d.module, origin: origin[i], label: this.scope.label(f), builtin };
    });
    return this.writer.frame(describeTail(tail), FunctionKind.KIND_NATIVE);
  }

  /** Interns a view stack under `parent` (root first, or innermost first when inverted). */
  intern(parent: number, s: ViewStack, inverted: boolean): number {
    const order = inverted ? [...s.frames.keys()].reverse() : [...s.frames.keys()];
    let stack = parent;
    for (const i of order) {
      stack = this.writer.stack(stack, s.frames[i]);
      if (s.detail[i]) this.detailFrames.add(s.frames[i]);
    }
    return stack;
  }
}

function unresolvedOrigin(scope: Scope, frame: number): Origin {
  const d = scope.frame(frame);
  return originOf({ ...d, kind: FunctionKind.KIND_NATIVE });
}

/** The stacks of one scope in the app view, each made once per kind of thread (or per thread, if its role is not known). */
export class StackViews {
  private readonly view: AppView;
  private readonly stacks = new Map<string, number>();

  constructor(
    private readonly scope: Scope,
    private readonly shape: { inverted: boolean; synthetic: number } = { inverted: false, synthetic: 0 },
  ) {
    this.view = new AppView(scope);
  }

  get detailFrames(): ReadonlySet<number> {
    return this.view.detailFrames;
  }

  /** The stack (of the same scope) that shows `stack` of a thread in the app view. */
  of(stack: number, pid: number, tid: number, thread: ThreadInfo | undefined): number {
    const known = knownThreadKind(thread);
    const key = known ? `${stack} ${known}` : `${stack} ${pid}/${tid}`;
    let mapped = this.stacks.get(key);
    if (mapped === undefined) {
      mapped = stack === 0 || stack >= this.scope.stackCount ? stack : this.rewrite(stack, thread, known);
      this.stacks.set(key, mapped);
    }
    return mapped;
  }

  private rewrite(stack: number, thread: ThreadInfo | undefined, known: ThreadKind | undefined): number {
    const { inverted, synthetic } = this.shape;
    // stackFrames is innermost first in the tree's order: synthetic frames (at the tree's root) come last.
    const all = this.scope.stackFrames(stack);
    const roots = all.slice(all.length - synthetic);
    const code = all.slice(0, all.length - synthetic);
    const logical = inverted ? code.reverse() : code;
    let parent = 0;
    for (let i = roots.length - 1; i >= 0; i--) {
      parent = this.view.intern(parent, { frames: [roots[i]], detail: [false] }, false);
    }
    const rewritten = this.view.rewrite(logical, (names) => known ?? threadKindOf(thread, names));
    return this.view.intern(parent, rewritten, inverted);
  }
}

/** The profile in the app view: the same rows (bytes, counts, threads) under rewritten stacks. */
export function appView(profile: Profile): Profile {
  const scope = profile.scope;
  const info = profile.info;
  const views = new StackViews(scope, {
    inverted: info.inverted,
    synthetic: (info.splitProcesses ? 1 : 0) + (info.splitThreads ? 1 : 0),
  });
  const out = new Profile(scope);
  out.measure = profile.measure;
  out.info = info;
  for (const [pid, p] of profile.processes) out.processes.set(pid, p);
  for (let row = 0; row < profile.rows; row++) {
    const pid = profile.pid.data[row];
    const tid = profile.tid.data[row];
    const mapped = views.of(profile.stack.data[row], pid, tid, profile.processes.get(pid)?.threads.get(tid));
    out.stack.push(mapped);
    out.bytes.push(profile.bytes.data[row]);
    out.count.push(profile.count.data[row]);
    out.pid.push(pid);
    out.tid.push(tid);
    out.kind.push(profile.kind.data[row]);
  }
  out.detailFrames = views.detailFrames;
  out.view = "app";
  return out;
}

/** The profile as `--frames` asks: the app view, or every frame as recorded. */
export function framesView(profile: Profile, frames: FramesView | undefined): Profile {
  return (frames ?? "app") === "app" ? appView(profile) : profile;
}
