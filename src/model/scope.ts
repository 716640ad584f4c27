// The tables of one process's scope (strings, functions, frames, stacks, mappings), rebuilt from the Messages of a
// capture, and the names of its frames as every report shows them.
import { CaptureError } from "../codec/errors";
import {
  FunctionKind,
  type FunctionInfo,
  type Header,
  type Mapping,
  type Message,
  type ThreadInfo,
} from "../codec/model";
import { f64, u32 } from "./growable";
import type { FrameSpec } from "./interner";

/** A frame with its function's fields resolved to strings. */
export interface FrameDetails {
  name: string;
  file: string;
  module: string;
  /** Position of the frame: the frame's own line and column, else its function's. */
  line: number;
  column: number;
  /** Where the function starts. */
  functionLine: number;
  functionColumn: number;
  kind: FunctionKind;
  address: number;
  /** False for a frame no function was ever given for (shown by address). */
  resolved: boolean;
}

const UNKNOWN_FUNCTION: FunctionInfo = {
  name: 0,
  file: 0,
  module: 0,
  line: 0,
  column: 0,
  kind: FunctionKind.KIND_OTHER,
};

export class Scope {
  readonly strings: string[] = [""];
  readonly functions: FunctionInfo[] = [UNKNOWN_FUNCTION];
  // Frames and stacks are columns; index 0 is the reserved "none" entry.
  readonly frameFunction = u32();
  readonly frameAddress = f64();
  readonly frameLine = u32();
  readonly frameColumn = u32();
  readonly stackParent = u32();
  readonly stackFrame = u32();
  readonly threads = new Map<number, ThreadInfo>();
  private mappings: Mapping[] = [];
  private mappingsSorted = true;
  trailerSeen = false;
  private labels: (string | undefined)[] = [];

  constructor(
    readonly pid: number,
    readonly header: Header,
  ) {
    for (const col of [
      this.frameFunction,
      this.frameAddress,
      this.frameLine,
      this.frameColumn,
      this.stackParent,
      this.stackFrame,
    ]) {
      col.push(0);
    }
  }

  get frameCount(): number {
    return this.frameFunction.length;
  }

  get stackCount(): number {
    return this.stackParent.length;
  }

  /** Updates the tables from one Message of this scope. Throws CaptureError if it breaks the id rules. */
  apply(m: Message): void {
    switch (m.type) {
      case "strings":
        this.expectFirst(m, "string", this.strings.length);
        for (const s of m.values) this.strings.push(s);
        return;
      case "functions":
        this.expectFirst(m, "function", this.functions.length);
        for (const f of m.functions) {
          this.checkString(m, f.name);
          this.checkString(m, f.file);
          this.checkString(m, f.module);
          this.functions.push(f);
        }
        return;
      case "frames":
        this.expectFirst(m, "frame", this.frameCount);
        for (let i = 0; i < m.length; i++) this.checkFunction(m, m.function[i]);
        this.frameFunction.append(m.function, m.length);
        this.frameAddress.append(m.address, m.length);
        this.frameLine.append(m.line, m.length);
        this.frameColumn.append(m.column, m.length);
        return;
      case "stacks": {
        this.expectFirst(m, "stack", this.stackCount);
        const frames = this.frameCount;
        for (let i = 0; i < m.length; i++) {
          const id = m.firstId + i;
          if (m.parent[i] >= id)
            throw this.error(m, `stack ${id} has parent ${m.parent[i]}, which is not defined before it`);
          if (m.frame[i] === 0 || m.frame[i] >= frames)
            throw this.error(m, `stack ${id} refers to undefined frame ${m.frame[i]}`);
        }
        this.stackParent.append(m.parent, m.length);
        this.stackFrame.append(m.frame, m.length);
        return;
      }
      case "resolution":
        for (let i = 0; i < m.length; i++) {
          const frame = m.frame[i];
          if (frame === 0 || frame >= this.frameCount) throw this.error(m, `resolution of undefined frame ${frame}`);
          this.checkFunction(m, m.function[i]);
          // The first resolution wins (the format's rule), so later ones are ignored.
          if (this.frameFunction.data[frame] !== 0) continue;
          this.frameFunction.data[frame] = m.function[i];
          this.labels[frame] = undefined;
          if (m.line[i]) this.frameLine.data[frame] = m.line[i];
          if (m.column[i]) this.frameColumn.data[frame] = m.column[i];
        }
        return;
      case "mapping":
        this.mappings.push(m.mapping);
        this.mappingsSorted = false;
        return;
      case "thread":
        this.threads.set(m.thread.tid, { ...this.threads.get(m.thread.tid), ...m.thread });
        return;
      case "trailer":
        this.trailerSeen = true;
        return;
      default:
        return;
    }
  }

  private expectFirst(m: Message & { firstId: number }, what: string, expected: number): void {
    if (m.firstId !== expected) {
      throw this.error(
        m,
        `${what} table starts at id ${m.firstId}, expected ${expected} (ids are assigned densely from 1)`,
      );
    }
  }

  private checkString(m: Message, id: number): void {
    if (id >= this.strings.length) throw this.error(m, `refers to undefined string ${id}`);
  }

  private checkFunction(m: Message, id: number): void {
    if (id >= this.functions.length) throw this.error(m, `refers to undefined function ${id}`);
  }

  error(m: Message, what: string): CaptureError {
    return new CaptureError(`process ${this.pid}: ${what}`, m.offset ?? 0);
  }

  /** Frames of a stack, innermost first. */
  stackFrames(stack: number): number[] {
    const out: number[] = [];
    const parent = this.stackParent.data;
    const frame = this.stackFrame.data;
    while (stack !== 0) {
      out.push(frame[stack]);
      stack = parent[stack];
    }
    return out;
  }

  frame(id: number): FrameDetails {
    const fn = this.functions[this.frameFunction.data[id]] ?? UNKNOWN_FUNCTION;
    const address = this.frameAddress.data[id];
    const resolved = this.frameFunction.data[id] !== 0;
    return {
      name: this.strings[fn.name] ?? "",
      file: this.strings[fn.file] ?? "",
      module: resolved ? (this.strings[fn.module] ?? "") : (this.mappingAt(address)?.path ?? ""),
      line: this.frameLine.data[id] || fn.line,
      column: this.frameColumn.data[id] || fn.column,
      functionLine: fn.line,
      functionColumn: fn.column,
      kind: fn.kind,
      address,
      resolved,
    };
  }

  /**
   * The frame as a function and position that another scope can intern (fold merges frames of every process by
   * it). A frame never resolved becomes a function named after its address, within its module if known.
   */
  frameSpec(id: number): FrameSpec {
    const d = this.frame(id);
    if (!d.resolved)
      return {
        name: unresolvedName(d.address, this.mappingAt(d.address)),
        module: d.module,
        kind: FunctionKind.KIND_OTHER,
      };
    return {
      name: d.name,
      file: d.file,
      module: d.module,
      line: d.functionLine,
      column: d.functionColumn,
      kind: d.kind,
      frameLine: this.frameLine.data[id],
      frameColumn: this.frameColumn.data[id],
    };
  }

  /** The frame's label in reports (cached: reports ask for the same frames many times). */
  label(id: number): string {
    let label = this.labels[id];
    if (label === undefined) {
      label = frameLabel(this.frame(id), this.mappingAt(this.frameAddress.data[id]));
      this.labels[id] = label;
    }
    return label;
  }

  /** The mapping that held `address` (the latest one, if ranges were reused). */
  mappingAt(address: number): Mapping | undefined {
    if (address === 0 || this.mappings.length === 0) return undefined;
    if (!this.mappingsSorted) {
      this.mappings.sort((a, b) => a.start - b.start || a.timeNs - b.timeNs);
      this.mappingsSorted = true;
    }
    let lo = 0;
    let hi = this.mappings.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.mappings[mid].start <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = found; i >= 0; i--) {
      const m = this.mappings[i];
      if (!m.removed && address < m.end) return m;
    }
    return undefined;
  }
}

/** All scopes of a stream, keyed by pid: feed every Message to apply(). */
export class Scopes {
  private readonly byPid = new Map<number, Scope>();

  apply(m: Message): Scope | undefined {
    if (m.type === "header") {
      const scope = new Scope(m.pid, m.header);
      this.byPid.set(m.pid, scope);
      return scope;
    }
    if (m.type === "unknown") return this.byPid.get(m.pid);
    const scope = this.byPid.get(m.pid);
    if (!scope)
      throw new CaptureError(
        `a ${m.type} record of process ${m.pid} comes before that process's header`,
        m.offset ?? 0,
      );
    scope.apply(m);
    return scope;
  }

  get(pid: number): Scope | undefined {
    return this.byPid.get(pid);
  }

  all(): Scope[] {
    return [...this.byPid.values()];
  }
}

/** "name (file:line)" for code with a source file, the bare name for native code, "[module+0x1f0]" when unresolved. */
export function frameLabel(d: FrameDetails, mapping?: Mapping): string {
  if (!d.resolved) return unresolvedName(d.address, mapping);
  const name = d.name || (d.kind === FunctionKind.KIND_JS ? "(anonymous)" : "(unknown)");
  if (d.file) return d.line ? `${name} (${d.file}:${d.line})` : `${name} (${d.file})`;
  return name;
}

function unresolvedName(address: number, mapping: Mapping | undefined): string {
  if (!mapping) return address ? `0x${address.toString(16)}` : "(unknown)";
  const base = mapping.path.slice(mapping.path.lastIndexOf("/") + 1) || "anon";
  return `[${base}+0x${(address - mapping.start + mapping.fileOffset).toString(16)}]`;
}
