// LZ4 frame format (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md), streamed.
//
// lz4-napi compresses and decompresses whole frames only; a capture can be many gigabytes and must stream. So
// reading parses the frame layout here, block by block, and hands each compressed block to lz4-napi's block
// decompressor (with the previous 64 KiB as dictionary for linked blocks). Writing makes one independent frame
// per flushed chunk: concatenated frames are a valid LZ4 stream (the `lz4` tool reads them too).
import { compressFrameSync, uncompressSync } from "lz4-napi";
import { CaptureError } from "./errors";

export const LZ4_MAGIC = 0x184d2204;
const SKIPPABLE_MIN = 0x184d2a50;
const SKIPPABLE_MAX = 0x184d2a5f;
const DICT_BYTES = 64 * 1024;
const BLOCK_MAX = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

export function startsWithLz4Magic(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x04 && b[1] === 0x22 && b[2] === 0x4d && b[3] === 0x18;
}

type State = "magic" | "flags" | "descriptor-rest" | "skip-size" | "skip" | "block-size" | "block" | "checksum";

/** Push-based LZ4 frame decoder: write() compressed bytes, get decompressed chunks through `emit`. */
export class Lz4FrameDecoder {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Offset in the compressed input of the next byte not yet consumed: for error messages. */
  private consumed = 0;
  private state: State = "magic";
  private need = 4;
  private flags = 0;
  private blockMax = 0;
  private blockCompressed = false;
  private dict: Buffer | undefined;
  private skipLeft = 0;
  /** The current block's size, without its checksum. */
  private blockSize = 0;

  constructor(private readonly emit: (chunk: Uint8Array) => void) {}

  write(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    for (;;) {
      if (this.state === "skip") {
        const n = Math.min(this.skipLeft, this.pendingBytes);
        if (n > 0) this.take(n);
        this.skipLeft -= n;
        if (this.skipLeft > 0) return;
        this.state = "magic";
        this.need = 4;
        continue;
      }
      if (this.pendingBytes < this.need) return;
      this.step(this.take(this.need));
    }
  }

  /**
   * Call at end of input. A stream cut inside a frame (a copy interrupted, a disk filled) still holds its
   * complete blocks, already emitted, and the decodable start of the block it was cut in, emitted now: returns
   * a warning that says so, or undefined when the stream ended between frames.
   */
  end(): string | undefined {
    if (this.state === "magic" && this.pendingBytes === 0) return undefined;
    const where = this.state === "magic" ? "partial magic" : this.state;
    const offset = this.consumed;
    if (this.state === "block") this.emitPartialBlock();
    return `the LZ4 stream ends inside a frame (${where}, at compressed byte ${offset}): it was cut short; reporting what its complete part holds`;
  }

  /** The start of the block the input was cut in: everything its whole sequences give. */
  private emitPartialBlock(): void {
    const data = this.take(this.pendingBytes).subarray(0, this.blockSize);
    const out = this.blockCompressed ? decodeBlockPrefix(data, this.dict, this.blockMax) : Buffer.from(data);
    this.pending = [];
    if (out.length > 0) this.emit(out);
  }

  private take(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    let out: Uint8Array;
    const first = this.pending[0];
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
    } else {
      out = new Uint8Array(n);
      let filled = 0;
      while (filled < n) {
        const c = this.pending[0];
        const k = Math.min(c.length, n - filled);
        out.set(c.subarray(0, k), filled);
        filled += k;
        if (k === c.length) this.pending.shift();
        else this.pending[0] = c.subarray(k);
      }
    }
    this.pendingBytes -= n;
    this.consumed += n;
    return out;
  }

  private fail(what: string, back: number): never {
    throw new CaptureError(`LZ4 input: ${what}`, this.consumed - back);
  }

  private step(b: Uint8Array): void {
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    switch (this.state) {
      case "magic": {
        const magic = view.getUint32(0, true);
        if (magic === LZ4_MAGIC) {
          this.state = "flags";
          this.need = 2;
        } else if (magic >= SKIPPABLE_MIN && magic <= SKIPPABLE_MAX) {
          this.state = "skip-size";
          this.need = 4;
        } else {
          this.fail(`expected an LZ4 frame magic (04 22 4D 18), found ${hex(b)}`, 4);
        }
        return;
      }
      case "skip-size":
        this.skipLeft = view.getUint32(0, true);
        this.state = "skip";
        return;
      case "flags": {
        const flg = b[0];
        const bd = b[1];
        if (flg >> 6 !== 1) this.fail(`unsupported LZ4 frame version ${flg >> 6}`, 2);
        if (flg & 0x01) this.fail("LZ4 frames with a dictionary id are not supported", 2);
        const max = BLOCK_MAX[(bd >> 4) & 7];
        if (!max) this.fail(`invalid LZ4 block size code ${(bd >> 4) & 7}`, 1);
        this.flags = flg;
        this.blockMax = max;
        // Optional content size (8 bytes), then the header checksum byte.
        this.state = "descriptor-rest";
        this.need = (flg & 0x08 ? 8 : 0) + 1;
        return;
      }
      case "descriptor-rest":
        this.state = "block-size";
        this.need = 4;
        this.dict = undefined;
        return;
      case "block-size": {
        const word = view.getUint32(0, true);
        if (word === 0) {
          // End mark; a content checksum may follow.
          if (this.flags & 0x04) {
            this.state = "checksum";
            this.need = 4;
          } else {
            this.state = "magic";
            this.need = 4;
          }
          return;
        }
        const size = word & 0x7fffffff;
        if (size > this.blockMax)
          this.fail(`block of ${size} bytes exceeds the frame's ${this.blockMax}-byte maximum`, 4);
        this.blockCompressed = (word & 0x80000000) === 0;
        this.blockSize = size;
        this.state = "block";
        this.need = size + (this.flags & 0x10 ? 4 : 0);
        return;
      }
      case "block": {
        const data = this.flags & 0x10 ? b.subarray(0, b.length - 4) : b;
        let out: Uint8Array;
        if (this.blockCompressed) {
          const input = Buffer.allocUnsafe(4 + data.length);
          input.writeUInt32LE(this.blockMax, 0);
          input.set(data, 4);
          try {
            out = uncompressSync(input, this.dict);
          } catch {
            this.fail("a compressed block is corrupt", b.length);
          }
        } else {
          out = Buffer.from(data); // `data` views the pending chunk, which the caller may reuse
        }
        // Linked blocks (FLG bit 5 clear) refer back into the previous 64 KiB of output.
        if ((this.flags & 0x20) === 0) this.dict = nextDict(this.dict, out);
        this.state = "block-size";
        this.need = 4;
        if (out.length > 0) this.emit(out);
        return;
      }
      case "checksum":
        this.state = "magic";
        this.need = 4;
        return;
      case "skip":
        return;
    }
  }
}

/**
 * Decodes an LZ4 block (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md) as far as its bytes go: for
 * the last block of a stream cut short, whose end is missing. Stops, without failing, at the first sequence that is
 * incomplete or does not make sense (a match reaching before the dictionary, output past the block's maximum).
 */
export function decodeBlockPrefix(src: Uint8Array, dict: Uint8Array | undefined, max: number): Uint8Array {
  const out = new Uint8Array(max);
  const n = src.length;
  const dictLength = dict?.length ?? 0;
  let o = 0;
  let p = 0;
  while (p < n) {
    const token = src[p++];
    let literals = token >> 4;
    if (literals === 15) {
      let b = 255;
      while (b === 255) {
        if (p >= n) return out.subarray(0, o);
        b = src[p++];
        literals += b;
      }
    }
    const k = Math.min(literals, n - p, max - o);
    out.set(src.subarray(p, p + k), o);
    o += k;
    p += k;
    if (k < literals || p + 2 > n) break;
    const offset = src[p] | (src[p + 1] << 8);
    p += 2;
    let length = token & 15;
    if (length === 15) {
      let b = 255;
      while (b === 255) {
        if (p >= n) return out.subarray(0, o);
        b = src[p++];
        length += b;
      }
    }
    length += 4;
    if (offset === 0 || offset > o + dictLength || length > max - o) break;
    for (let i = 0; i < length; i++, o++) {
      const from = o - offset;
      out[o] = from >= 0 ? out[from] : dict![dictLength + from];
    }
  }
  return out.subarray(0, o);
}

function nextDict(prev: Buffer | undefined, out: Uint8Array): Buffer {
  if (out.length >= DICT_BYTES) return Buffer.from(out.subarray(out.length - DICT_BYTES));
  const joined = prev ? Buffer.concat([prev, out]) : Buffer.from(out);
  return joined.length > DICT_BYTES ? joined.subarray(joined.length - DICT_BYTES) : joined;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
}

/** Compresses `data` as one complete, independent LZ4 frame. */
export function compressFrame(data: Uint8Array): Buffer {
  return compressFrameSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}
