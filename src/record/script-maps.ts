// The source maps of the scripts a recorded app runs, found as node's --enable-source-maps finds them: the last
// `//# sourceMappingURL=` (or `//@`, or `/*# ... */`) comment of the script, a data: URL (an inline map) or a URL
// relative to the script or absolute; without a comment, a `.map` file beside the script (maps emitted without
// the comment: esbuild's "external", webpack's "hidden-source-map"). Each script is read once, when its first
// function is seen. A script without a map, or whose map is missing, is left as it is; a broken map is said in
// one line (onWarning) and left as well. docs/source-maps.md says why the launcher maps, and with which library.
import {
  FlattenMap,
  GREATEST_LOWER_BOUND,
  LEAST_UPPER_BOUND,
  decodedMappings,
  originalPositionFor,
  type TraceMap,
} from "@jridgewell/trace-mapping";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
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

/** The file a script name (a path, or a file: URL for ES modules) is read from; undefined for node:, eval, wasm. */
export function scriptFile(script: string): string | undefined {
  if (script.startsWith("/")) return script;
  if (!script.startsWith("file:")) return undefined;
  try {
    return fileURLToPath(script);
  } catch {
    return undefined;
  }
}

const COMMENT = /(?:\/\/|\/\*)[#@][ \t]+sourceMappingURL=([^\s'"`]+)/g;

/** The URL of the script's last sourceMappingURL comment, as node reads it. */
export function sourceMappingUrl(code: string): string | undefined {
  // The lines that hold the marker, from the last: an inline map makes a line megabytes long, and only the
  // comment's own line is searched.
  for (let at = code.lastIndexOf("sourceMappingURL="); at >= 0; at = code.lastIndexOf("sourceMappingURL=", at - 1)) {
    const start = code.lastIndexOf("\n", at) + 1;
    const end = code.indexOf("\n", at);
    let url: string | undefined;
    for (const m of code.slice(start, end < 0 ? code.length : end).matchAll(COMMENT)) url = m[1];
    if (url !== undefined) return url.replace(/\*\/$/, "");
    if (at === 0) break;
  }
  return undefined;
}

/** The text of a data: URL (base64 or percent-encoded). */
function dataUrlText(url: string): string {
  const comma = url.indexOf(",");
  if (comma < 0) throw new Error("a data: URL without a comma");
  const meta = url.slice(5, comma);
  const data = url.slice(comma + 1);
  return meta.split(";").includes("base64") ? Buffer.from(data, "base64").toString("utf8") : decodeURIComponent(data);
}

interface MapText {
  json: string;
  /** Where the map is, which its sources are relative to. */
  url: string;
  /** How a warning names the map: "source map /path/x.js.map", "inline source map". */
  where: string;
}

/** The map's text, or undefined when the script has none or names a file that is not there. */
function mapText(file: string, code: string): MapText | undefined {
  const url = sourceMappingUrl(code);
  if (url === undefined) {
    const beside = `${file}.map`;
    return existsSync(beside)
      ? { json: readFileSync(beside, "utf8"), url: beside, where: `source map ${beside}` }
      : undefined;
  }
  if (url.startsWith("data:")) return { json: dataUrlText(url), url: file, where: "inline source map" };
  const resolved = new URL(url, pathToFileURL(file));
  if (resolved.protocol !== "file:") return undefined; // http(s): not fetched while recording.
  const path = fileURLToPath(resolved);
  try {
    return { json: readFileSync(path, "utf8"), url: path, where: `source map ${path}` };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** Reads each script's map once (null: none). */
export class ScriptMaps {
  private readonly maps = new Map<string, ScriptMap | null>();

  constructor(private readonly onWarning: (message: string) => void) {}

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
    const file = scriptFile(script);
    if (file === undefined) return null;
    let code: string;
    try {
      code = readFileSync(file, "utf8");
    } catch {
      return null; // Gone, or not a file: its frames stay as V8 named them.
    }
    let text: MapText | undefined;
    try {
      text = mapText(file, code);
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
