// A frame of a folded profile as the export formats take it apart: a name that is never empty, the source file, the
// module, and positions. Labels ("name (file:line)") suit reports that show one string per frame; pprof, speedscope
// and Chrome's format have a field for each part, and viewers link or group by them.
import { FunctionKind } from "../../codec/model";
import type { Scope } from "../../model/scope";

export interface ExportFrame {
  /** The function's name; "(anonymous)" for a nameless JS function; the label of a frame with no function. */
  name: string;
  /** The JS script or native source file, "" when unknown. */
  file: string;
  /** The binary or shared object of native code, "" when unknown. */
  module: string;
  kind: FunctionKind;
  /** 1-based position of the frame in the file (its own, else its function's start); 0 when unknown. */
  line: number;
  column: number;
  /** 1-based start of the function; 0 when unknown. */
  functionLine: number;
  functionColumn: number;
}

export function exportFrame(scope: Scope, id: number): ExportFrame {
  const d = scope.frame(id);
  // The same fallbacks as the labels of every other report (model/scope.ts frameLabel).
  const name = !d.resolved
    ? scope.label(id)
    : d.name || (d.kind === FunctionKind.KIND_JS ? "(anonymous)" : "(unknown)");
  return {
    name,
    file: d.file,
    module: d.module,
    kind: d.kind,
    line: d.line,
    column: d.column,
    functionLine: d.functionLine,
    functionColumn: d.functionColumn,
  };
}

/** Looks frames up once per scope: reports ask for the same frames once per stack they are on. */
export class ExportFrames {
  private readonly cache = new Map<Scope, (ExportFrame | undefined)[]>();

  get(scope: Scope, id: number): ExportFrame {
    let frames = this.cache.get(scope);
    if (!frames) {
      frames = [];
      this.cache.set(scope, frames);
    }
    return (frames[id] ??= exportFrame(scope, id));
  }
}

/** A frame that is no function: the "(no stack)" of allocations recorded without a stack. */
export function syntheticFrame(name: string): ExportFrame {
  return {
    name,
    file: "",
    module: "",
    kind: FunctionKind.KIND_OTHER,
    line: 0,
    column: 0,
    functionLine: 0,
    functionColumn: 0,
  };
}
