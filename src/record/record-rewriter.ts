// The launcher's source-map pass, once a script with a map has appeared (mapped-records.ts): whole Records pass
// through as bytes, except the few kinds that name JS functions (strings, functions, frame resolutions, and
// headers, which start scopes), which are decoded, rewritten by SourceMapRewriter and encoded again. Events, the
// bulk of a capture, are only peeked at.
import { newHeader, type Message } from "../codec/model";
import { BODY_FIELD, decodeRecord, encodeRecord } from "../codec/records";
import { ByteWriter, WIRE_VARINT, lastPos, readVarint } from "../codec/wire";
import { SourceMapRewriter, type MapLookup } from "../transforms/source-maps";

const WATCHED = new Set<number>([BODY_FIELD.header, BODY_FIELD.strings, BODY_FIELD.functions, BODY_FIELD.resolution]);

/** The body field of the Record in buf[start, end) (after its length prefix); -1 if it has none. */
function bodyField(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  while (p < end) {
    const tag = readVarint(buf, p, end);
    p = lastPos();
    if (tag >>> 3 !== 1 || (tag & 7) !== WIRE_VARINT) return tag >>> 3;
    readVarint(buf, p, end);
    p = lastPos();
  }
  return -1;
}

export class RecordRewriter {
  private readonly rewriter: SourceMapRewriter;
  private readonly out = new ByteWriter(64 * 1024);
  private readonly scratch = new ByteWriter(64 * 1024);

  constructor(maps: MapLookup) {
    this.rewriter = new SourceMapRewriter(maps);
  }

  /**
   * Takes up a process's scope whose Header and strings (by id) have already gone out unchanged: no string
   * was added before, so the writer's ids are still the output's.
   */
  resume(pid: number, strings: string[]): void {
    this.rewriter.rewrite({ type: "header", pid, header: newHeader() });
    if (strings.length > 1)
      this.rewriter.rewrite({ type: "strings", pid, firstId: 1, values: Array.from(strings.slice(1), (s) => s ?? "") });
  }

  /**
   * Chunks of whole framed Records in (as the channels' framer cuts them: one or more Records each), the same
   * Records out with those that name JS functions rewritten (the same array when nothing changed).
   */
  rewrite(chunks: Buffer[]): Buffer[] {
    let out: Buffer[] | undefined;
    for (let i = 0; i < chunks.length; i++) {
      const parts = this.rewriteChunk(chunks[i]);
      if (parts && !out) out = chunks.slice(0, i);
      if (out) out.push(...(parts ?? [chunks[i]]));
    }
    return out ?? chunks;
  }

  /** The chunk's Records with rewritten ones in place, or undefined when none changed. */
  private rewriteChunk(chunk: Buffer): Buffer[] | undefined {
    let parts: Buffer[] | undefined;
    let kept = 0; // start of the bytes not yet put in parts
    let p = 0;
    while (p < chunk.length) {
      const length = readVarint(chunk, p, chunk.length);
      const start = lastPos();
      const end = start + length;
      const replaced = this.rewriteRecord(chunk, start, end);
      if (replaced) {
        parts ??= [];
        if (p > kept) parts.push(chunk.subarray(kept, p));
        parts.push(replaced);
        kept = end;
      }
      p = end;
    }
    if (parts && kept < chunk.length) parts.push(chunk.subarray(kept));
    return parts;
  }

  private rewriteRecord(chunk: Buffer, start: number, end: number): Buffer | undefined {
    let messages: Message[] | undefined;
    try {
      if (!WATCHED.has(bodyField(chunk, start, end))) return undefined;
      messages = this.rewriter.rewrite(decodeRecord(chunk, start, end));
    } catch {
      // A Record this reader cannot decode goes out as it came: the capture's readers will say what is wrong.
      return undefined;
    }
    if (!messages) return undefined;
    this.out.reset();
    for (const m of messages) encodeRecord(m, this.out, this.scratch);
    return Buffer.from(this.out.view());
  }
}
