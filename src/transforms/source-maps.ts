// Places JS functions and frames in their original sources (as the launcher writes a capture, or filter
// --source-maps rewrites one): a JS Function of a script
// with a source map gets the original file, line, column (and name, where the map names it), and each of its
// frames' FrameResolution the original line and column of its call. What V8 ran is kept in the .proto's
// generated_* fields, which readers that do not know them skip. The original sources' names are strings the
// writer never defined: they are added to the scope's string table, and the writer's later string ids are
// shifted past them (only Function refers to strings). Function and frame ids are not touched.
import { FunctionKind, type FunctionInfo, type Message } from "../codec/model";

/** A script's source map, as far as placing functions needs it (record/script-maps.ts reads them). */
export interface ScriptSourceMap {
  /** The original source, line and column (1-based) of a line and column of the script; undefined: unmapped. */
  original(line: number, column: number): { source: string; line: number; column: number } | undefined;
  /** The map's name for the function V8 named `name`, starting at line and column; undefined: none. */
  originalName(name: string, line: number, column: number): string | undefined;
  /** The map's only source, when it has one. */
  soleSource(): string | undefined;
}

/** Finds a script's map by the name V8 gives the script (a path or a URL); undefined when it has none. */
export interface MapLookup {
  get(script: string): ScriptSourceMap | undefined;
}

interface Placed {
  map: ScriptSourceMap;
  source: string;
}

/** One process's scope, as the writer numbered it and as the output numbers it. */
class ScopeIds {
  /** The writer's strings, by its ids. */
  readonly strings: string[] = [""];
  /** Output id of each of the writer's string ids. */
  readonly outId: number[] = [0];
  nextOutId = 1;
  /** Strings this rewriter defined, and those to define before the next Record that uses them. */
  readonly added = new Map<string, number>();
  pending: string[] = [];
  /** The map and original source of each JS function placed by a map, by function id. */
  readonly placed: (Placed | undefined)[] = [];

  /** The output id of a string the writer did not define (defined with the next FunctionTable). */
  intern(s: string): number {
    let id = this.added.get(s);
    if (id === undefined) {
      id = this.nextOutId++;
      this.added.set(s, id);
      this.pending.push(s);
    }
    return id;
  }
}

export class SourceMapRewriter {
  private readonly scopes = new Map<number, ScopeIds>();

  constructor(private readonly maps: MapLookup) {}

  /** What to write in place of `m`: undefined when `m` goes out as it is. */
  rewrite(m: Message): Message[] | undefined {
    if (m.type === "header") {
      this.scopes.set(m.pid, new ScopeIds());
      return undefined;
    }
    const scope = this.scopes.get(m.pid);
    if (!scope) return undefined;
    switch (m.type) {
      case "strings":
        return this.strings(scope, m);
      case "functions":
        return this.functions(scope, m);
      case "resolution":
        return this.resolution(scope, m);
      default:
        return undefined;
    }
  }

  private strings(scope: ScopeIds, m: Extract<Message, { type: "strings" }>): Message[] | undefined {
    const first = scope.nextOutId;
    for (let i = 0; i < m.values.length; i++) {
      scope.strings[m.firstId + i] = m.values[i];
      scope.outId[m.firstId + i] = first + i;
    }
    scope.nextOutId += m.values.length;
    return first === m.firstId ? undefined : [{ ...m, firstId: first }];
  }

  private functions(scope: ScopeIds, m: Extract<Message, { type: "functions" }>): Message[] | undefined {
    const id = (s: number) => scope.outId[s] ?? s;
    let changed = false;
    const functions = m.functions.map((f, i): FunctionInfo => {
      const out = this.place(scope, f, m.firstId + i) ?? {
        ...f,
        name: id(f.name),
        file: id(f.file),
        module: id(f.module),
      };
      changed ||= out.name !== f.name || out.file !== f.file || out.module !== f.module || out.line !== f.line;
      return out;
    });
    if (!changed) return undefined;
    const out: Message[] = [];
    if (scope.pending.length > 0) {
      out.push({ type: "strings", pid: m.pid, firstId: scope.nextOutId - scope.pending.length, values: scope.pending });
      scope.pending = [];
    }
    out.push({ ...m, functions });
    return out;
  }

  /** The function in its original source, or undefined when it is not JS or its script has no map for it. */
  private place(scope: ScopeIds, f: FunctionInfo, fn: number): FunctionInfo | undefined {
    if (f.kind !== FunctionKind.KIND_JS || f.line === 0 || f.file === 0 || f.generatedFile) return undefined;
    const script = scope.strings[f.file];
    const map = script === undefined ? undefined : this.maps.get(script);
    if (!map) return undefined;
    // A script's top level (a module's body, line 1 column 1) is before any mapping: it starts its one source.
    const top = f.line === 1 && f.column === 1 ? map.soleSource() : undefined;
    const at = map.original(f.line, f.column) ?? (top ? { source: top, line: 1, column: 1 } : undefined);
    if (!at) return undefined;
    scope.placed[fn] = { map, source: at.source };
    const id = (s: number) => scope.outId[s] ?? s;
    const name = scope.strings[f.name] ?? "";
    const original = name ? map.originalName(name, f.line, f.column) : undefined;
    const renamed = original !== undefined && original !== name;
    return {
      name: renamed ? scope.intern(original) : id(f.name),
      file: scope.intern(at.source),
      module: id(f.module),
      line: at.line,
      column: at.column,
      kind: f.kind,
      generatedFile: id(f.file),
      generatedLine: f.line,
      generatedColumn: f.column,
      generatedName: renamed ? id(f.name) : 0,
    };
  }

  private resolution(scope: ScopeIds, m: Extract<Message, { type: "resolution" }>): Message[] | undefined {
    let line: Uint32Array | undefined;
    let column: Uint32Array | undefined;
    let generatedLine: Uint32Array | undefined;
    let generatedColumn: Uint32Array | undefined;
    for (let i = 0; i < m.length; i++) {
      const placed = scope.placed[m.function[i]];
      if (!placed || m.line[i] === 0) continue;
      if (!line || !column || !generatedLine || !generatedColumn) {
        line = m.line.slice(0, m.length);
        column = m.column.slice(0, m.length);
        generatedLine = new Uint32Array(m.length);
        generatedColumn = new Uint32Array(m.length);
      }
      generatedLine[i] = m.line[i];
      generatedColumn[i] = m.column[i];
      const at = placed.map.original(m.line[i], m.column[i]);
      // A call the map places in another source than its function's (a bundler's glue) shows the function's line.
      const same = at !== undefined && at.source === placed.source;
      line[i] = same ? at.line : 0;
      column[i] = same ? at.column : 0;
    }
    return line ? [{ ...m, line, column: column!, generatedLine, generatedColumn }] : undefined;
  }
}
