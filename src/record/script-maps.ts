// The source maps of the scripts a recorded app runs (map-files.ts finds them as node's --enable-source-maps does).
// Each script is read once, when its first function is seen. A script without a map, or whose map is missing, is
// left as it is; a broken map is said in one line (onWarning) and left as well. docs/source-maps.md says why the
// launcher maps, and with which library.
import {
  FlattenMap,
  GREATEST_LOWER_BOUND,
  LEAST_UPPER_BOUND,
  decodedMappings,
  originalPositionFor,
  type TraceMap,
} from "@jridgewell/trace-mapping";
import { fileURLToPath } from "node:url";
import { MapFiles } from "./map-files";
import type { ScriptSourceMap } from "../transforms/source-maps";

export interface OriginalPosition {
  /** The original source: a path when it is a file, else the map's URL for it (webpack://app/src/x.ts). */
  source: string;
  /** 1-based, as in captures. */
  line: number;
  column: number;
}

/** One script's map, with the script's text (its names are checked against what V8 named). */
export class ScriptMap implements ScriptSourceMap {
  private lineStarts: number[] | undefined;

  constructor(
    private readonly map: TraceMap,
    private readonly code: string,
  ) {}

  /** The original position of a 1-based line and column of the script; undefined where the map has none. */
  original(line: number, column: number): OriginalPosition | undefined {
    if (line < 1) return undefined;
    const needle = { line, column: Math.max(column - 1, 0) };
    let o = originalPositionFor(this.map, { ...needle, bias: GREATEST_LOWER_BOUND });
    // A position before the line's first mapping (indentation) takes the next one on the same line.
    if (o.source === null) o = originalPositionFor(this.map, { ...needle, bias: LEAST_UPPER_BOUND });
    if (o.source === null) return undefined;
    return { source: sourcePath(o.source), line: o.line, column: o.column + 1 };
  }

  /** The map's one source, when it has one (a compiled module, not a bundle). */
  soleSource(): string | undefined {
    const sources = this.map.resolvedSources;
    return sources.length === 1 && sources[0] !== null ? sourcePath(sources[0]) : undefined;
  }

  /**
   * The original name of the function V8 named `name`, starting (its parameter list, as V8 counts) at line and
   * column: the name the map gives the identifier `name` just before that point (a minifier's `a` for
   * `handleRequest`), else undefined. A name V8 made up (`exports.handler`, `get x`) is not an identifier there.
   */
  originalName(name: string, line: number, column: number): string | undefined {
    if (!/^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$\u200c\u200d]*$/u.test(name)) return undefined;
    const segments = decodedMappings(this.map)[line - 1];
    if (!segments || this.map.names.length === 0) return undefined;
    const start = this.lineStart(line);
    if (start === undefined) return undefined;
    let looked = 0;
    for (let i = segments.length - 1; i >= 0 && looked < 4; i--) {
      const s = segments[i];
      if (s[0] > column - 1) continue;
      looked++;
      if (s.length !== 5) continue;
      const at = start + s[0];
      if (this.code.startsWith(name, at) && !/[\p{L}\p{N}$_]/u.test(this.code[at + name.length] ?? "")) {
        return this.map.names[s[4]];
      }
    }
    return undefined;
  }

  private lineStart(line: number): number | undefined {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = this.code.indexOf("\n"); i >= 0; i = this.code.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
    }
    return this.lineStarts[line - 1];
  }
}

/** A source as a path when it is a file URL, as JS frames of CommonJS scripts name theirs. */
function sourcePath(source: string): string {
  if (!source.startsWith("file:")) return source;
  try {
    return fileURLToPath(source);
  } catch {
    return source;
  }
}

export { scriptFile, sourceMappingUrl } from "./map-files";

/** Reads each script's map once (null: none). */
export class ScriptMaps {
  private readonly maps = new Map<string, ScriptMap | null>();

  /** `files`: where the maps are found, shared with whoever asked first whether a script has one. */
  constructor(
    private readonly onWarning: (message: string) => void,
    private readonly files = new MapFiles(),
  ) {}

  /** The map of a script as V8 names it; undefined when it has none. */
  get(script: string): ScriptMap | undefined {
    let map = this.maps.get(script);
    if (map === undefined) {
      map = this.load(script);
      this.maps.set(script, map);
    }
    return map ?? undefined;
  }

  private load(script: string): ScriptMap | null {
    const found = this.files.take(script);
    if (found === null) return null;
    const { file, code, text } = found;
    try {
      if (found.error) throw found.error;
      if (text === undefined) return null;
      const map = FlattenMap(JSON.parse(text.json) as Parameters<typeof FlattenMap>[0], text.url);
      // The mappings are decoded now, so that a broken one is found here rather than at a lookup.
      decodedMappings(map);
      // The code is kept only to check names against: a map without names does not need it.
      return new ScriptMap(map, map.names.length > 0 ? code : "");
    } catch (e) {
      const where = text?.where ?? "source map";
      this.onWarning(
        `${file}: ${where} cannot be read (${(e as Error).message}); its frames are shown in the compiled file`,
      );
      return null;
    }
  }
}
