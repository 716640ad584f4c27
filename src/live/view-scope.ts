// The stacks of one recorded process in the app view, built as the live fold goes. A raw scope keeps growing
// while it is read (its ids are the capture's), so the app view cannot add its frames there: the stacks the view
// needs are copied into a scope of its own (functions merged by identity, as fold's output merges them), and the
// app view (StackViews) adds its frames to that copy. Both append, so ids never clash. Each stack is copied and
// rewritten once; a resolution in the capture (a frame named late) makes only the stacks through that frame
// copied again, under a new copy of the frame (the old copies stay unused: each frame is named once).
import type { ThreadInfo } from "../codec/model";
import { newHeader } from "../codec/model";
import { u32 } from "../model/growable";
import { Scope } from "../model/scope";
import { StackViews } from "../transforms/app-view/view";

export class ViewScope {
  readonly scope = new Scope(0, newHeader({}));
  readonly views = new StackViews(this.scope);
  /** Input stack id -> copied stack id (0: not copied yet). */
  private readonly stacks = u32();
  private readonly frames = new Map<number, number>();
  private readonly functions = new Map<string, number>();
  private readonly strings = new Map<string, number>([["", 0]]);

  constructor(private readonly input: Scope) {}

  /** The app-view stack of an input stack of a thread. */
  stackOf(stack: number, pid: number, tid: number, thread: ThreadInfo | undefined): number {
    return this.views.of(this.copy(stack), pid, tid, thread);
  }

  /**
   * Frames named late (a resolution, applied to the input scope before the next copy): the stacks through them,
   * and so their descendants, are copied again at their next use; the other stacks keep their copies.
   */
  renamed(frames: ArrayLike<number>, length: number): void {
    const gone = new Set<number>();
    for (let i = 0; i < length; i++) if (this.frames.delete(frames[i])) gone.add(frames[i]);
    if (gone.size === 0) return;
    const input = this.input;
    const n = Math.min(this.stacks.length, input.stackCount);
    const known = this.stacks.data;
    const stale = new Uint8Array(n);
    // A parent's id is below its child's (the format's rule): one pass in id order reaches every descendant.
    for (let s = 1; s < n; s++) {
      if (gone.has(input.stackFrame.data[s]) || stale[input.stackParent.data[s]] === 1) {
        stale[s] = 1;
        known[s] = 0;
      }
    }
  }

  private copy(stack: number): number {
    if (stack === 0) return 0;
    const input = this.input;
    this.stacks.ensure(input.stackCount);
    const known = this.stacks.data;
    const chain: number[] = [];
    let s = stack;
    while (s !== 0 && known[s] === 0) {
      chain.push(s);
      s = input.stackParent.data[s];
    }
    let out = s === 0 ? 0 : known[s];
    const scope = this.scope;
    for (let i = chain.length - 1; i >= 0; i--) {
      scope.stackParent.push(out);
      scope.stackFrame.push(this.frame(input.stackFrame.data[chain[i]]));
      out = scope.stackCount - 1;
      known[chain[i]] = out;
    }
    return out;
  }

  private frame(frame: number): number {
    let id = this.frames.get(frame);
    if (id !== undefined) return id;
    const spec = this.input.frameSpec(frame);
    const key = `${spec.name}\0${spec.file ?? ""}\0${spec.module ?? ""}\0${spec.line ?? 0}\0${spec.kind}`;
    let fn = this.functions.get(key);
    const scope = this.scope;
    if (fn === undefined) {
      scope.functions.push({
        name: this.string(spec.name),
        file: this.string(spec.file ?? ""),
        module: this.string(spec.module ?? ""),
        line: spec.line ?? 0,
        column: spec.column ?? 0,
        kind: spec.kind,
      });
      fn = scope.functions.length - 1;
      this.functions.set(key, fn);
    }
    scope.frameFunction.push(fn);
    scope.frameAddress.push(0);
    scope.frameLine.push(spec.frameLine ?? 0);
    scope.frameColumn.push(spec.frameColumn ?? 0);
    id = scope.frameCount - 1;
    this.frames.set(frame, id);
    return id;
  }

  private string(s: string): number {
    let id = this.strings.get(s);
    if (id === undefined) {
      this.scope.strings.push(s);
      id = this.scope.strings.length - 1;
      this.strings.set(s, id);
    }
    return id;
  }
}
