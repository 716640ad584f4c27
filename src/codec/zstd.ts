// Zstandard (RFC 8878), streamed both ways through memtrace's kernel, which opens the system's libzstd at first use
// (native/kernel/zstd_binding.h; docs/compression.md says why zstd and why this binding).
//
// The recorder writes one long frame and flushes it at every chunk: a flushed block is complete, so a reader (the
// live view following the file) sees every Record written so far, and the window carries over from chunk to
// chunk, which independent frames per chunk would lose. A stream cut short keeps every complete block; the block
// it was cut in cannot be decoded in part (its sequences are read from the block's end).
//
// Without the kernel's zstd (no libzstd.so.1, no kernel built for this machine), a reader falls back to node:zlib's
// zstd where this Node.js has it (22.15 and later), and otherwise refuses the capture in one line that says why and
// what to do; the recorder writes LZ4 instead (src/record/capture-output.ts).
import * as zlib from "node:zlib";
import { loadKernelModule, type KernelZstdContext } from "../native/kernel";
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

/** The largest window a reader accepts (zstd's own default limit, as the zstd tool's). */
const WINDOW_LOG_MAX = 27;
/** Compressed bytes handed to the decompressor at once, and the buffers out of both: about a zstd block. */
const IN_SLICE = 128 * 1024;
const OUT_BYTES = 128 * 1024;

/** ZSTD_EndDirective. */
const enum Directive {
  Continue = 0,
  Flush = 1,
  End = 2,
}

/** Why the kernel's zstd cannot be used here, or undefined when it can. */
export function zstdProblem(): string | undefined {
  const kernel = loadKernelModule();
  if (!kernel) return "memtrace's native kernel (memtrace-kernel.node) is not built for this machine";
  if (typeof kernel.zstdProblem !== "function") return "this memtrace-kernel.node has no zstd (an older build)";
  return kernel.zstdProblem();
}

type NodeZstd = zlib.Zlib & {
  _handle: {
    writeSync(
      flush: number,
      input: Uint8Array,
      inOff: number,
      inLen: number,
      out: Uint8Array,
      outOff: number,
      outLen: number,
    ): void;
    onerror: (message: string, errno: number) => void;
  } | null;
  _writeState: Uint32Array;
};
const createNodeZstd = (zlib as unknown as { createZstdDecompress?: (o: object) => NodeZstd }).createZstdDecompress;

/**
 * A decompressor: the kernel's, else node:zlib's (Node.js >= 22.15), else a CaptureError that names the cause and
 * the remedy.
 */
function newDecompressor(): KernelZstdContext {
  const problem = zstdProblem();
  if (problem === undefined) return new (loadKernelModule()!.ZstdDecompressor)(WINDOW_LOG_MAX);
  if (createNodeZstd && !process.env.MEMTRACE_NO_NODE_ZSTD) return new NodeZstdDecompressor(createNodeZstd);
  throw new CaptureError(
    `this is a zstd capture, and there is no zstd here to read it: ${problem}, and Node.js ${process.version} has no ` +
      "zstd of its own (22.15 and later have); install libzstd1 (apt-get install libzstd1, or dnf install libzstd), " +
      "run memtrace on Node.js 22.15 or later, or decompress the capture first (zstd -d)",
    0,
  );
}

/** Push-based zstd decoder: write() compressed bytes, get decompressed chunks through `emit`. */
export class ZstdStreamDecoder {
  private readonly dctx = newDecompressor();
  private out = Buffer.allocUnsafe(OUT_BYTES);
  /** Compressed bytes consumed so far: for error messages. */
  private consumed = 0;
  /** Inside a frame: its end has not been seen. */
  private inFrame = false;

  /**
   * `reuseOutput`: the consumer keeps nothing of a chunk after `emit` returns (the Decoder copies records out),
   * so one output buffer serves the whole stream instead of a fresh one per chunk.
   */
  constructor(
    private readonly emit: (chunk: Uint8Array) => void,
    private readonly options: { reuseOutput?: boolean } = {},
  ) {}

  write(chunk: Uint8Array): void {
    try {
      for (let at = 0; at < chunk.length; at += IN_SLICE) this.decompress(chunk.subarray(at, at + IN_SLICE));
    } catch (e) {
      // A refused capture frees its context now: Node.js finalizes native objects between turns of the event
      // loop only, and a loop over many captures (the fuzz) would hold every window until it ends.
      this.dctx.dispose();
      throw e;
    }
  }

  /** A slice at a time, so that an error can say within which bytes it was found. */
  private decompress(slice: Uint8Array): void {
    const start = this.consumed;
    let input = slice;
    let drained = false;
    while (input.length > 0 || !drained) {
      let result: [number, number, number];
      try {
        result = this.dctx.stream(this.out, input);
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
    if (!this.options.reuseOutput) this.out = Buffer.allocUnsafe(this.out.length);
    this.emit(chunk);
  }

  /**
   * Call at end of input. A stream cut inside a frame still holds its complete blocks, already emitted: returns a
   * warning that says so, or undefined when the stream ended between frames. The context is freed.
   */
  end(): string | undefined {
    this.dctx.dispose();
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

/**
 * node:zlib's zstd as a synchronous context, for a machine without the kernel's: the Decoder is synchronous, and
 * zlib's synchronous calls take whole buffers, so this drives the stream's handle as zlib's own zstdDecompressSync
 * does, call by call, without closing it in between. Node.js does not say where frames end, so the frame layout is
 * followed here (FrameTracker) to tell a capture cut short.
 */
class NodeZstdDecompressor implements KernelZstdContext {
  private readonly stream_: NodeZstd;
  private readonly frames = new FrameTracker();
  private error: string | undefined;

  constructor(create: (o: object) => NodeZstd) {
    this.stream_ = create({});
    this.stream_._handle!.onerror = (message) => {
      this.error = message;
    };
  }

  stream(out: Uint8Array, input: Uint8Array): [number, number, number] {
    const handle = this.stream_._handle;
    if (!handle) throw new Error("used after dispose()");
    handle.writeSync(Directive.Continue, input, 0, input.length, out, 0, out.length);
    if (this.error !== undefined) throw new Error(this.error);
    const produced = out.length - this.stream_._writeState[0];
    const consumed = input.length - this.stream_._writeState[1];
    // Between frames, node:zlib takes nothing that is not a frame, and says nothing: libzstd's words for it.
    if (consumed === 0 && produced === 0 && input.length > 0) {
      throw new Error(this.frames.inFrame ? "no progress" : "Unknown frame descriptor");
    }
    this.frames.take(input.subarray(0, consumed));
    return [this.frames.inFrame ? 1 : 0, produced, consumed];
  }

  dispose(): void {
    this.stream_.close();
  }
}

const FRAME_MAGIC = 0xfd2fb528;
const FCS_BYTES = [0, 2, 4, 8];
const DICT_ID_BYTES = [0, 1, 2, 4];

/** Whether a zstd stream is inside a frame, from its layout (RFC 8878, 3.1): headers, block sizes, checksums. */
export class FrameTracker {
  private state: "magic" | "descriptor" | "skip" | "block-header" | "skip-size" | "lost" = "magic";
  /** Bytes gathered for a header, or still to skip. */
  private gathered: number[] = [];
  private skip = 0;
  private afterSkip: "block-header" | "end-block" | "magic" = "magic";
  private checksum = false;
  private lastBlock = false;
  inFrame = false;

  take(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.length && this.state !== "lost") {
      if (this.state === "skip") {
        const n = Math.min(this.skip, bytes.length - at);
        at += n;
        this.skip -= n;
        if (this.skip === 0) this.skipped();
        continue;
      }
      this.gathered.push(bytes[at++]);
      // A frame's first byte opens it: a stream cut inside the magic is cut inside a frame, as libzstd says too.
      if (this.state === "magic") this.inFrame = true;
      const g = this.gathered;
      const le = (n: number) => g.slice(0, n).reduceRight((v, b) => v * 256 + b, 0);
      if (this.state === "magic" && g.length === 4) {
        const magic = le(4);
        this.gathered = [];
        if (magic === FRAME_MAGIC) {
          this.state = "descriptor";
        } else if (magic >>> 4 === 0x184d2a5) {
          this.state = "skip-size";
        } else {
          this.state = "lost";
        }
      } else if (this.state === "descriptor") {
        const fhd = g[0];
        this.gathered = [];
        const single = (fhd >> 5) & 1;
        this.checksum = ((fhd >> 2) & 1) === 1;
        const fcs = fhd >> 6 === 0 ? single : FCS_BYTES[fhd >> 6];
        this.skipThen(1 - single + DICT_ID_BYTES[fhd & 3] + fcs, "block-header");
      } else if (this.state === "block-header" && g.length === 3) {
        const header = le(3);
        this.gathered = [];
        this.lastBlock = (header & 1) === 1;
        const type = (header >> 1) & 3;
        if (type === 3) this.state = "lost";
        else this.skipThen(type === 1 ? 1 : header >>> 3, "end-block");
      } else if (this.state === "skip-size" && g.length === 4) {
        const size = le(4);
        this.gathered = [];
        this.skipThen(size, "magic");
      }
    }
  }

  private skipThen(n: number, then: "block-header" | "end-block" | "magic"): void {
    this.afterSkip = then;
    this.skip = n;
    this.state = "skip";
    if (n === 0) this.skipped();
  }

  private skipped(): void {
    if (this.afterSkip !== "end-block") this.enter(this.afterSkip);
    else if (!this.lastBlock) this.enter("block-header");
    else if (this.checksum) this.skipThen(4, "magic");
    else this.enter("magic");
  }

  private enter(state: "block-header" | "magic"): void {
    this.state = state;
    if (state === "magic") this.inFrame = false;
  }
}

/** A zstd stream written chunk by chunk, each chunk flushed so that a reader can decode everything so far. */
export class ZstdStreamEncoder {
  private readonly cctx: KernelZstdContext;
  private readonly out = Buffer.allocUnsafe(OUT_BYTES);

  /** Throws when zstdProblem() says why it cannot. */
  constructor(settings: ZstdSettings = RECORDER_ZSTD) {
    const problem = zstdProblem();
    if (problem !== undefined) throw new Error(`zstd is not available: ${problem}`);
    this.cctx = new (loadKernelModule()!.ZstdCompressor)(settings.level, settings.windowLog, 1);
  }

  /** Compresses `parts` and flushes: the bytes to write (empty when there are none). */
  flush(parts: Uint8Array[]): Buffer {
    const out: Buffer[] = [];
    for (const part of parts) this.run(part, Directive.Continue, out);
    this.run(new Uint8Array(0), Directive.Flush, out);
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  /** Compresses `data` and ends the frame (its checksum follows); the next call starts a new frame. */
  end(data: Uint8Array = new Uint8Array(0)): Buffer {
    const out: Buffer[] = [];
    this.run(data, Directive.End, out);
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  /** Frees the context now rather than when the garbage collector finds it; not used after. */
  dispose(): void {
    this.cctx.dispose();
  }

  private run(data: Uint8Array, op: Directive, out: Buffer[]): void {
    let input = data;
    for (;;) {
      const [left, produced, consumed] = this.cctx.stream(this.out, input, op);
      input = input.subarray(consumed);
      if (produced > 0) out.push(Buffer.from(this.out.subarray(0, produced)));
      // "continue" is done once the input is taken; flush and end once nothing is left inside the context.
      if (input.length === 0 && (op === Directive.Continue || left === 0)) return;
    }
  }
}

/** Compresses `data` as one complete zstd frame. */
export function compressZstdFrame(data: Uint8Array, settings: ZstdSettings = RECORDER_ZSTD): Buffer {
  const encoder = new ZstdStreamEncoder(settings);
  const frame = encoder.end(data);
  encoder.dispose();
  return frame;
}
