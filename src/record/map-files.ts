// Where a script's source map is, found as node's --enable-source-maps finds it: the last `//# sourceMappingURL=`
// (or `//@`, or `/*# ... */`) comment of the script, a data: URL (an inline map) or a URL relative to the script or
// absolute; without a comment, a `.map` file beside the script (maps emitted without the comment: esbuild's
// "external", webpack's "hidden-source-map"). Only files and strings here: parsing a map is script-maps.ts's job,
// so that the launcher can ask whether a script has a map without loading the map library.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

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

export interface MapText {
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

/** A script that names a map: its file and text, and the map's text or why it could not be read. */
export interface ScriptWithMap {
  file: string;
  code: string;
  text?: MapText;
  error?: Error;
}

/** Finds each script's map once; what is found is kept until taken (null: the script has none). */
export class MapFiles {
  private readonly found = new Map<string, ScriptWithMap | null>();

  /** `mapped`: whether a script's file may be mapped at all (else it is taken as one without a map). */
  constructor(private readonly mapped: (file: string) => boolean = () => true) {}

  /** Whether the script as V8 names it has a map to read (or one that cannot be read: that is said later). */
  has(script: string): boolean {
    let found = this.found.get(script);
    if (found === undefined) {
      found = this.find(script);
      this.found.set(script, found);
    }
    return found !== null;
  }

  /** The script's map, found now or by `has`; the texts are not kept after this. */
  take(script: string): ScriptWithMap | null {
    const found = this.found.get(script) ?? this.find(script);
    this.found.set(script, null);
    return found;
  }

  private find(script: string): ScriptWithMap | null {
    const file = scriptFile(script);
    if (file === undefined || !this.mapped(file)) return null;
    let code: string;
    try {
      code = readFileSync(file, "utf8");
    } catch {
      return null; // Gone, or not a file: its frames stay as V8 named them.
    }
    try {
      const text = mapText(file, code);
      return text === undefined ? null : { file, code, text };
    } catch (e) {
      return { file, code, error: e as Error };
    }
  }
}
