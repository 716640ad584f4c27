// The launcher's source-map pass, at no cost until it has something to do: most apps run no script with a map, and
// decoding every start-up Record to find that out would cost more than the rest of the launcher's start
// (bench/results/record-overhead.md). So Records are first only scanned, by hand and without the codec:
// each process's strings are kept, and each script that a JS function names is asked once whether it has a map.
// At the first that has one, the pass (record-rewriter.ts) loads, takes up every process's scope as it stands,
// and rewrites from that Record on.
import type { MapLookup } from "../transforms/source-maps";
import { WIRE_LEN, WIRE_VARINT, lastPos, readVarint, skipField } from "../codec/wire";
import { dirname, sep } from "node:path";
import { MapFiles } from "./map-files";
import type { RecordRewriter } from "./record-rewriter";

// Record's header, strings and functions, and FunctionKind.KIND_JS, as proto/memtrace.proto numbers them
// (test/record/mapped-records.test.ts holds them to the codec's).
export const SCANNED = { header: 2, strings: 3, functions: 4, kindJs: 1 } as const;

/** One process's scope as scanned: its strings by id, and the scripts (string ids) already asked about. */
class ScannedScope {
  readonly strings: string[] = [""];
  readonly asked = new Set<number>();
}

export class MappedRecords {
  private readonly scopes = new Map<number, ScannedScope>();
  private pass: RecordRewriter | undefined;

  /**
   * `hasMap`: whether a script (as V8 names it) has a map, cheaply; `maps`: the maps themselves, made when the
   * first script with one appears.
   */
  constructor(
    private readonly hasMap: (script: string) => boolean,
    private readonly maps: () => MapLookup,
  ) {}

  /** Whether the rewriting pass has been loaded (a script with a map has appeared). */
  get rewriting(): boolean {
    return this.pass !== undefined;
  }

  /**
   * Chunks of whole framed Records in (as the channels' framer cuts them: one or more Records each), the same
   * Records out with those that name JS functions rewritten (the same array when nothing changed).
   */
  rewrite(chunks: Buffer[]): Buffer[] {
    if (this.pass) return this.pass.rewrite(chunks);
    for (let i = 0; i < chunks.length; i++) {
      const at = this.scan(chunks[i]);
      if (at < 0) continue;
      const pass = this.startPass();
      const before = chunks.slice(0, i);
      if (at > 0) before.push(chunks[i].subarray(0, at));
      return [...before, ...pass.rewrite([chunks[i].subarray(at), ...chunks.slice(i + 1)])];
    }
    return chunks;
  }

  private startPass(): RecordRewriter {
    const { RecordRewriter } = require("./record-rewriter") as typeof import("./record-rewriter");
    const pass = new RecordRewriter(this.maps());
    for (const [pid, scope] of this.scopes) pass.resume(pid, scope.strings);
    this.scopes.clear();
    this.pass = pass;
    return pass;
  }

  /** Where in the chunk the first Record that names a script with a map starts (its length prefix); -1: none. */
  private scan(chunk: Buffer): number {
    let p = 0;
    while (p < chunk.length) {
      const at = p;
      const length = readVarint(chunk, p, chunk.length);
      const start = lastPos();
      p = start + length;
      try {
        if (this.scanRecord(chunk, start, p)) return at;
      } catch {
        // A Record this reader cannot read goes out as it came: the capture's readers will say what is wrong.
      }
    }
    return -1;
  }

  /** Keeps what the Record in buf[start, end) defines; true when it names a script with a map. */
  private scanRecord(buf: Buffer, start: number, end: number): boolean {
    let pid = 0;
    let p = start;
    while (p < end) {
      const tag = readVarint(buf, p, end);
      p = lastPos();
      const field = tag >>> 3;
      if (field === 1 && (tag & 7) === WIRE_VARINT) {
        pid = readVarint(buf, p, end);
        p = lastPos();
        continue;
      }
      if (field === SCANNED.header) {
        this.scopes.set(pid, new ScannedScope());
        return false;
      }
      if ((tag & 7) !== WIRE_LEN) return false;
      const length = readVarint(buf, p, end);
      const bodyStart = lastPos();
      const scope = this.scopes.get(pid);
      if (!scope) return false;
      if (field === SCANNED.strings) this.strings(scope, buf, bodyStart, bodyStart + length);
      else if (field === SCANNED.functions) return this.functions(scope, buf, bodyStart, bodyStart + length);
      return false;
    }
    return false;
  }

  /** A StringTable: first_id = 1, repeated string values = 2. */
  private strings(scope: ScannedScope, buf: Buffer, start: number, end: number): void {
    let id = 0;
    let p = start;
    while (p < end) {
      const tag = readVarint(buf, p, end);
      p = lastPos();
      if (tag === ((1 << 3) | WIRE_VARINT)) {
        id = readVarint(buf, p, end);
        p = lastPos();
      } else if (tag === ((2 << 3) | WIRE_LEN)) {
        const length = readVarint(buf, p, end);
        p = lastPos();
        if (p + length > end) throw new RangeError("a string runs past its table");
        scope.strings[id++] = buf.toString("utf8", p, p + length);
        p += length;
      } else {
        p = skipField(buf, p, end, tag & 7);
      }
    }
  }

  /** A FunctionTable (functions = 2): true when a JS function's script, new to this scope, has a map. */
  private functions(scope: ScannedScope, buf: Buffer, start: number, end: number): boolean {
    let p = start;
    while (p < end) {
      const tag = readVarint(buf, p, end);
      p = lastPos();
      if (tag !== ((2 << 3) | WIRE_LEN)) {
        p = skipField(buf, p, end, tag & 7);
        continue;
      }
      const length = readVarint(buf, p, end);
      p = lastPos();
      const file = jsFunctionScript(buf, p, p + length);
      p += length;
      if (file === 0 || scope.asked.has(file)) continue;
      scope.asked.add(file);
      const script = scope.strings[file];
      if (script !== undefined && this.hasMap(script)) return true;
    }
    return false;
  }
}

/**
 * The script (string id) of a Function that SourceMapRewriter would place: JS, with a file and a line, not
 * already placed (no generated_file); 0 for any other.
 */
function jsFunctionScript(buf: Buffer, start: number, end: number): number {
  let file = 0;
  let line = 0;
  let kind = 0;
  let generatedFile = 0;
  let p = start;
  while (p < end) {
    const tag = readVarint(buf, p, end);
    p = lastPos();
    if ((tag & 7) !== WIRE_VARINT) {
      p = skipField(buf, p, end, tag & 7);
      continue;
    }
    const v = readVarint(buf, p, end);
    p = lastPos();
    const field = tag >>> 3;
    if (field === 2) file = v;
    else if (field === 4) line = v;
    else if (field === 6) kind = v;
    else if (field === 7) generatedFile = v;
  }
  return kind === SCANNED.kindJs && line !== 0 && generatedFile === 0 ? file : 0;
}

/** Records mapped with the maps of a lookup (tests, and maps from elsewhere). */
export function mappedWith(maps: MapLookup): MappedRecords {
  return new MappedRecords(
    (script) => maps.get(script) !== undefined,
    () => maps,
  );
}

/** Where memtrace's own modules are: dist/src when built, src under ts-node. */
const OWN_MODULES = `${dirname(__dirname)}${sep}`;

/**
 * Records mapped with the scripts' maps on this machine; `say` gets each warning (a broken map: once a script).
 * memtrace's own modules (the agent every recorded process loads, track()) are not mapped: they ship with maps,
 * which would load the pass for every app, and their frames are the runtime's in the app view either way.
 */
export function mappedOnThisMachine(say: (line: string) => void): MappedRecords {
  const files = new MapFiles((file) => !file.startsWith(OWN_MODULES));
  return new MappedRecords(
    (script) => files.has(script),
    () => {
      const { ScriptMaps } = require("./script-maps") as typeof import("./script-maps");
      return new ScriptMaps(say, files);
    },
  );
}
