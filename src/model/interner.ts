// Builds the interned tables of one scope as a writer goes: every string, function, frame and stack gets its id
// through one getOrInsert, and drain() turns what was added since the last drain into table Messages, in the
// order the format needs (strings before the functions that name them, and so on).
import { FunctionKind, type Message } from "../codec/model";
import { f64, u32 } from "./growable";

export interface FunctionSpec {
  name: string;
  file?: string;
  module?: string;
  line?: number;
  column?: number;
  kind: FunctionKind;
}

export interface FrameSpec extends FunctionSpec {
  /** Position within the function's file (defaults to the function's own line). */
  frameLine?: number;
  frameColumn?: number;
  address?: number;
}

export class Interner {
  private readonly strings = new Map<string, number>([["", 0]]);
  private readonly functions = new Map<string, number>();
  private readonly frames = new Map<string, number>();
  private readonly stacks = new Map<number, Map<number, number>>();

  private newStrings: string[] = [];
  private newFunctions: Extract<Message, { type: "functions" }>["functions"] = [];
  private readonly newFrameFunction = u32(64);
  private readonly newFrameAddress = f64(64);
  private readonly newFrameLine = u32(64);
  private readonly newFrameColumn = u32(64);
  private readonly newStackParent = u32(64);
  private readonly newStackFrame = u32(64);

  private stringCount = 1;
  private functionCount = 1;
  private frameCount = 1;
  private stackCount = 1;
  // Ids as of the last drain, so that drained tables start at the right first_id.
  private drained = { strings: 1, functions: 1, frames: 1, stacks: 1 };

  string(s: string): number {
    let id = this.strings.get(s);
    if (id === undefined) {
      id = this.stringCount++;
      this.strings.set(s, id);
      this.newStrings.push(s);
    }
    return id;
  }

  function(f: FunctionSpec): number {
    const name = this.string(f.name);
    const file = this.string(f.file ?? "");
    const module = this.string(f.module ?? "");
    const line = f.line ?? 0;
    const column = f.column ?? 0;
    const key = `${name},${file},${module},${line},${column},${f.kind}`;
    let id = this.functions.get(key);
    if (id === undefined) {
      id = this.functionCount++;
      this.functions.set(key, id);
      this.newFunctions.push({ name, file, module, line, column, kind: f.kind });
    }
    return id;
  }

  /** A frame of function `fn` (an id from function()) at a position. */
  frameOf(fn: number, line = 0, column = 0, address = 0): number {
    const key = `${fn},${line},${column},${address}`;
    let id = this.frames.get(key);
    if (id === undefined) {
      id = this.frameCount++;
      this.frames.set(key, id);
      this.newFrameFunction.push(fn);
      this.newFrameAddress.push(address);
      this.newFrameLine.push(line);
      this.newFrameColumn.push(column);
    }
    return id;
  }

  frame(f: FrameSpec): number {
    return this.frameOf(this.function(f), f.frameLine ?? 0, f.frameColumn ?? 0, f.address ?? 0);
  }

  /** The stack made of `frame` called from `parent` (0 for a root frame). */
  stack(parent: number, frame: number): number {
    let children = this.stacks.get(parent);
    if (!children) {
      children = new Map();
      this.stacks.set(parent, children);
    }
    let id = children.get(frame);
    if (id === undefined) {
      id = this.stackCount++;
      children.set(frame, id);
      this.newStackParent.push(parent);
      this.newStackFrame.push(frame);
    }
    return id;
  }

  /** The stack of these frame ids, outermost (root) first. */
  stackOf(framesRootFirst: readonly number[]): number {
    let s = 0;
    for (const f of framesRootFirst) s = this.stack(s, f);
    return s;
  }

  /** Table Messages for everything added since the last drain. */
  drain(pid: number): Message[] {
    const out: Message[] = [];
    const d = this.drained;
    if (this.newStrings.length > 0) {
      out.push({ type: "strings", pid, firstId: d.strings, values: this.newStrings });
      this.newStrings = [];
    }
    if (this.newFunctions.length > 0) {
      out.push({ type: "functions", pid, firstId: d.functions, functions: this.newFunctions });
      this.newFunctions = [];
    }
    const frames = this.newFrameFunction.length;
    if (frames > 0) {
      out.push({
        type: "frames",
        pid,
        firstId: d.frames,
        length: frames,
        function: this.newFrameFunction.view().slice(),
        address: this.newFrameAddress.view().slice(),
        line: this.newFrameLine.view().slice(),
        column: this.newFrameColumn.view().slice(),
      });
      for (const col of [this.newFrameFunction, this.newFrameAddress, this.newFrameLine, this.newFrameColumn])
        col.length = 0;
    }
    const stacks = this.newStackParent.length;
    if (stacks > 0) {
      out.push({
        type: "stacks",
        pid,
        firstId: d.stacks,
        length: stacks,
        parent: this.newStackParent.view().slice(),
        frame: this.newStackFrame.view().slice(),
      });
      this.newStackParent.length = 0;
      this.newStackFrame.length = 0;
    }
    this.drained = {
      strings: this.stringCount,
      functions: this.functionCount,
      frames: this.frameCount,
      stacks: this.stackCount,
    };
    return out;
  }
}
