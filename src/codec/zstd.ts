// Zstandard (RFC 8878), streamed both ways through zstd-napi's contexts (docs/compression.md says why zstd and why
// this binding).
//
// The recorder writes one long frame and flushes it at every chunk: a flushed block is complete, so a reader (the
// live view following the file) sees every Record written so far, and the window carries over from chunk to
// chunk, which independent frames per chunk would lose. A stream cut short keeps every complete block; the block
// it was cut in cannot be decoded in part (its sequences are read from the block's end).
import { CCtx, CParameter, DCtx, EndDirective, cStreamOutSize, dStreamInSize, dStreamOutSize } from "zstd-napi/binding";
import { CaptureError } from "./errors";

export function startsWithZstdMagic(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd;
}

/** What the recorder asks of zstd: docs/compression.md has the measurements behind each. */
export interface ZstdSettings {
  level: number;
  /** log2 of the window; a reader needs this much memory (the zstd tool reads up to 27 without being told). */
  windowLog: number;
}

export const RECORDER_ZSTD: ZstdSettings = { level: 3, windowLog: 23 };

/** Compressed bytes handed to the decompressor at once (zstd's ZSTD_DStreamInSize). */
const IN_SLICE = dStreamInSize();

/** Push-based zstd decoder: write() compressed bytes, get decompressed chunks through `emit`. */
export class ZstdStreamDecoder {
  private readonly dctx = new DCtx();
  private out = Buffer.allocUnsafe(dStreamOutSize());
  /** Compressed bytes consumed so far: for error messages. */
  private consumed = 0;
  /** Inside a frame: its end has not been seen. */
  private inFrame = false;

  constructor(private readonly emit: (chunk: Uint8Array) => void) {}

  write(chunk: Uint8Array): void {
    for (let at = 0; at < chunk.length; at += IN_SLICE) this.decompress(chunk.subarray(at, at + IN_SLICE));
  }

  /** A slice at a time, so that an error can say within which bytes it was found. */
  private decompress(slice: Uint8Array): void {
    const start = this.consumed;
    let input = slice;
    let drained = false;
    while (input.length > 0 || !drained) {
      let result: [number, number, number];
      try {
        result = this.dctx.decompressStream(this.out, input);
      } catch (e) {
        throw new CaptureError(
          `zstd input: ${describe(e)} in compressed bytes ${start} to ${start + slice.length}`,
          start,
        );
      }
      const [left, produced, consumed] = result;
      input = input.subarray(consumed);
      this.consumed += consumed;
      this.inFrame = left !== 0;
      this.take(produced);
      // A full output buffer: the context may hold more for the same input, which comes out with no more input.
      drained = produced < this.out.length;
    }
  }

  private take(produced: number): void {
    if (produced === 0) return;
    // The consumer may keep views into what it is given: hand over the buffer, decode into a fresh one.
    const chunk = this.out.subarray(0, produced);
    this.out = Buffer.allocUnsafe(this.out.length);
    this.emit(chunk);
  }

  /**
   * Call at end of input. A stream cut inside a frame still holds its complete blocks, already emitted: returns a
   * warning that says so, or undefined when the stream ended between frames.
   */
  end(): string | undefined {
    if (!this.inFrame) return undefined;
    return `the zstd stream ends inside a frame (at compressed byte ${this.consumed}): it was cut short; reporting what its complete part holds`;
  }
}

function describe(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  // zstd's own words ("Data corruption detected", "Unknown frame descriptor"), lower-cased into our sentence.
  return /^unknown frame descriptor/i.test(message)
    ? "expected a zstd frame (28 B5 2F FD), found something else"
    : `a frame is corrupt (${message.charAt(0).toLowerCase()}${message.slice(1)})`;
}

/** A zstd stream written chunk by chunk, each chunk flushed so that a reader can decode everything so far. */
export class ZstdStreamEncoder {
  private readonly cctx = new CCtx();
  private readonly out = Buffer.allocUnsafe(cStreamOutSize());

  constructor(settings: ZstdSettings = RECORDER_ZSTD) {
    this.cctx.setParameter(CParameter.compressionLevel, settings.level);
    this.cctx.setParameter(CParameter.windowLog, settings.windowLog);
    this.cctx.setParameter(CParameter.checksumFlag, 1);
  }

  /** Compresses `parts` and flushes: the bytes to write (empty when there are none). */
  flush(parts: Uint8Array[]): Buffer {
    const out: Buffer[] = [];
    for (const part of parts) this.run(part, EndDirective.continue, out);
    this.run(new Uint8Array(0), EndDirective.flush, out);
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  /** Compresses `data` and ends the frame (its checksum follows); the next call starts a new frame. */
  end(data: Uint8Array = new Uint8Array(0)): Buffer {
    const out: Buffer[] = [];
    this.run(data, EndDirective.end, out);
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  private run(data: Uint8Array, op: EndDirective, out: Buffer[]): void {
    let input = data;
    for (;;) {
      const [left, produced, consumed] = this.cctx.compressStream2(this.out, input, op);
      input = input.subarray(consumed);
      if (produced > 0) out.push(Buffer.from(this.out.subarray(0, produced)));
      // "continue" is done once the input is taken; flush and end once nothing is left inside the context.
      if (input.length === 0 && (op === EndDirective.continue || left === 0)) return;
    }
  }
}

/** Compresses `data` as one complete zstd frame. */
export function compressZstdFrame(data: Uint8Array, settings: ZstdSettings = RECORDER_ZSTD): Buffer {
  return new ZstdStreamEncoder(settings).end(data);
}
