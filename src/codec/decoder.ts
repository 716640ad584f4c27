// Bytes -> Messages, streaming.
//
// The core is push-based (write a chunk, receive the messages it completes) so that the decompressors and both public
// shapes, an async iterator and a Transform stream, sit on the same state machine. Memory is bounded by the
// largest Record: a Record that fits in the current chunk is decoded in place, a longer one is gathered into one
// buffer of its announced size, which is checked against the limit before anything is buffered.
import type { Transform } from "node:stream";
import { stageIterate, stageTransform } from "../streams/stage";
import { CaptureError, type CaptureWarning } from "./errors";
import { Lz4FrameDecoder, startsWithLz4Magic } from "./lz4";
import { ZstdStreamDecoder, startsWithZstdMagic } from "./zstd";
import { DISTANCE_VERSION, FORMAT_NAME, FORMAT_VERSION, MAX_RECORD_BYTES, type Message } from "./model";
import { decodeRecord } from "./records";
import { describeForeign, hexPrefix } from "./sniff";
import { WireError } from "./wire";

export interface DecodeOptions {
  /** Refuse Records larger than this many bytes (default: the format's 64 MiB). */
  maxRecordBytes?: number;
  /** Called for problems that do not stop reading: a truncated capture, a missing trailer. */
  onWarning?: (warning: CaptureWarning) => void;
  /**
   * Read version-2 and -3 scopes (paired events: SiteTable, PairedBatch). Only a consumer that folds them asks for this;
   * for the others a paired scope is refused in one line, as a newer version is. "raw": also keep each
   * PairedBatch's bytes (Message.raw) and decode its columns on first use only (fold's native kernel reads the bytes).
   */
  paired?: boolean | "raw";
}

type Sink = (message: Message) => void;

/** The push-based decoder. Most users want decode() or createDecodeStream(). */
export class Decoder {
  private readonly maxRecordBytes: number;
  private readonly onWarning: (warning: CaptureWarning) => void;
  /** Input bytes before the format is known (LZ4, zstd or plain). */
  private head: Uint8Array[] | undefined = [];
  private headBytes = 0;
  /** The decompressor, when the input is compressed. */
  private decompressor: Lz4FrameDecoder | ZstdStreamDecoder | undefined;

  /** Stream offset (in decompressed bytes) of the next byte to parse. */
  private offset = 0;
  /** Bytes of a length prefix split across chunks. */
  private prefix: number[] = [];
  /** A Record being gathered across chunks. */
  private record: Uint8Array | undefined;
  /** The buffer `record` lies in when it was lent by `lent`: given back when the consumer releases the batch. */
  private recordLent: Uint8Array | undefined;
  /** Buffers for PairedBatch Records that a consumer gives back ("raw" only). */
  private readonly lent = new LentBuffers();
  private recordFilled = 0;
  private recordOffset = 0;
  private records = 0;
  /** Processes with a Header and, so far, no Trailer. */
  private readonly open = new Set<number>();

  constructor(
    private readonly sink: Sink,
    options: DecodeOptions = {},
  ) {
    this.maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
    this.onWarning = options.onWarning ?? (() => {});
    this.maxVersion = options.paired ? DISTANCE_VERSION : FORMAT_VERSION;
    this.rawPaired = options.paired === "raw";
  }

  private readonly rawPaired: boolean;

  private readonly maxVersion: number;

  push(chunk: Uint8Array): void {
    if (this.head) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
      if (this.headBytes < 8) return;
      this.start();
      return;
    }
    if (this.decompressor) this.decompressor.write(chunk);
    else this.parse(chunk);
  }

  end(): void {
    if (this.head) {
      if (this.headBytes === 0) throw new CaptureError("empty input: no capture to read", 0);
      this.start();
    }
    const cut = this.decompressor?.end();
    if (this.records === 0) {
      // Not even a Header: an empty LZ4 frame, or a stream cut inside its first Record. Nothing to report on.
      const what =
        this.offset === 0
          ? "empty input: no capture to read"
          : "the input ends inside its first record: it was cut short, or is not a capture";
      throw new CaptureError(what, 0, this.decompressor !== undefined);
    }
    if (cut) this.onWarning({ code: "truncated", offset: this.offset, message: cut });
    if (this.record || this.prefix.length > 0) {
      const have = this.record ? `${this.recordFilled} of ${this.record.length} bytes` : "its length prefix";
      this.onWarning({
        code: "incomplete-record",
        offset: this.record ? this.recordOffset : this.offset,
        message: `the capture ends inside a record (${have}): it was cut short; reporting what it holds`,
      });
    }
    for (const pid of this.open) {
      this.onWarning({
        code: "no-trailer",
        offset: this.offset,
        message: `process ${pid} has no trailer: the capture was cut short (the recorder was killed or the disk filled); reporting what it holds`,
      });
    }
  }

  /** The format is known from the first bytes: route everything buffered so far. */
  private start(): void {
    const chunks = this.head ?? [];
    this.head = undefined;
    const first = concat(chunks, Math.min(this.headBytes, 16));
    const zstd = startsWithZstdMagic(first);
    if (zstd || startsWithLz4Magic(first)) {
      // The decompressed stream must look like a capture too: its first block is checked as it comes out.
      // zstd's output buffer is reused: parse keeps nothing of it (it copies every record out).
      const emit = (c: Uint8Array) => {
        if (this.offset === 0 && this.prefix.length === 0) this.checkPlain(c.subarray(0, 16));
        this.parse(c, zstd);
      };
      this.decompressor = zstd ? new ZstdStreamDecoder(emit, { reuseOutput: true }) : new Lz4FrameDecoder(emit);
      for (const c of chunks) this.decompressor.write(c);
      return;
    }
    this.checkPlain(first);
    for (const c of chunks) this.parse(c);
  }

  private checkPlain(first: Uint8Array): void {
    if (plausibleCapture(first)) return;
    const what = describeForeign(first);
    throw new CaptureError(
      what
        ? `not a memtrace capture: this looks like ${what}`
        : `not a memtrace capture: it starts with bytes ${hexPrefix(first)}, not a memtrace header`,
      0,
      this.decompressor !== undefined,
    );
  }

  /** `transient`: the chunk is reused after this call, so no Message may keep a view of it. */
  private parse(chunk: Uint8Array, transient = false): void {
    let p = 0;
    const n = chunk.length;
    while (p < n) {
      if (this.record) {
        const k = Math.min(n - p, this.record.length - this.recordFilled);
        this.record.set(chunk.subarray(p, p + k), this.recordFilled);
        this.recordFilled += k;
        p += k;
        this.offset += k;
        if (this.recordFilled === this.record.length) {
          const rec = this.record;
          const from = this.recordLent;
          this.record = this.recordLent = undefined;
          this.emit(rec, 0, rec.length, this.recordOffset, from && (() => this.lent.giveBack(from)));
        }
        continue;
      }
      // Length prefix: a varint of at most 10 bytes, possibly split across chunks.
      const prefixStart = this.offset - this.prefix.length;
      let length = -1;
      while (p < n) {
        const b = chunk[p++];
        this.offset++;
        this.prefix.push(b);
        if (b < 0x80) {
          length = prefixValue(this.prefix);
          this.prefix.length = 0;
          break;
        }
        if (this.prefix.length >= 10)
          throw new CaptureError("a record length prefix is not a valid varint", prefixStart);
      }
      if (length < 0) return;
      if (length > this.maxRecordBytes) {
        throw new CaptureError(
          `a record announces ${length} bytes, more than the ${this.maxRecordBytes}-byte limit: the capture is corrupt or not a capture`,
          prefixStart,
          this.decompressor !== undefined,
        );
      }
      const recordOffset = this.offset;
      if (n - p >= length && !transient) {
        this.emit(chunk, p, p + length, recordOffset);
        p += length;
        this.offset += length;
      } else {
        // A batch's bytes go to a buffer given back after the fold has read them; the rest to their own.
        this.recordLent = this.rawPaired && length >= LENT_MIN_BYTES ? this.lent.take(length) : undefined;
        this.record = this.recordLent ? this.recordLent.subarray(0, length) : new Uint8Array(length);
        this.recordFilled = 0;
        this.recordOffset = recordOffset;
      }
    }
  }

  private emit(buf: Uint8Array, start: number, end: number, offset: number, release?: () => void): void {
    let message: Message;
    try {
      message = decodeRecord(
        buf,
        start,
        end,
        this.rawPaired ? { offset, compressed: this.decompressor !== undefined, release } : undefined,
      );
    } catch (e) {
      if (e instanceof WireError) {
        const at = e.at >= start ? offset + (e.at - start) : offset;
        throw new CaptureError(`malformed record: ${e.message}`, at, this.decompressor !== undefined);
      }
      throw e;
    }
    message.offset = offset;
    if (this.records++ === 0) {
      if (message.type !== "header" || message.header.format !== FORMAT_NAME) {
        throw new CaptureError("not a memtrace capture: the first record is not a memtrace header", offset);
      }
    }
    if (message.type === "header") {
      const h = message.header;
      if (h.format !== FORMAT_NAME)
        throw new CaptureError(`a header names format "${h.format}", not "${FORMAT_NAME}"`, offset);
      if (h.version > DISTANCE_VERSION) {
        throw new CaptureError(
          `capture format version ${h.version} is newer than this memtrace reads (${DISTANCE_VERSION}): upgrade memtrace`,
          offset,
        );
      }
      if (h.version > this.maxVersion) {
        throw new CaptureError(
          `process ${message.pid}: its events are paired (format version ${h.version}), which this reader does not read: fold the capture first`,
          offset,
        );
      }
      this.open.add(message.pid);
    } else if (message.type === "trailer") {
      this.open.delete(message.pid);
    }
    this.sink(message);
  }
}

/** Records this large are PairedBatches in practice; smaller ones are few and get buffers of their own. */
const LENT_MIN_BYTES = 16 * 1024;
/** Buffers kept for reuse: the batches in flight between the decoder and the fold (the streams' buffers). */
const LENT_KEPT = 32;

/**
 * Buffers lent to PairedBatch Records and given back by the consumer (Message "paired".release): a fold's batches
 * then reuse a few buffers instead of leaving their bytes (the whole decompressed capture) to the garbage collector,
 * which frees them late and in bursts. A buffer that is not given back is garbage as any other.
 */
class LentBuffers {
  private readonly free: Uint8Array[] = [];

  take(length: number): Uint8Array {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const b = this.free[i];
      if (b.length >= length) {
        this.free[i] = this.free[this.free.length - 1];
        this.free.pop();
        return b;
      }
    }
    // Room for batches a little larger than this one, so that the buffers serve the batches after it.
    return new Uint8Array(Math.max(length + (length >> 2), 64 * 1024));
  }

  giveBack(b: Uint8Array): void {
    if (this.free.length < LENT_KEPT) this.free.push(b);
  }
}

function prefixValue(bytes: number[]): number {
  let v = 0;
  let scale = 1;
  for (const b of bytes) {
    v += (b & 0x7f) * scale;
    scale *= 128;
  }
  return v;
}

function concat(chunks: Uint8Array[], max: number): Uint8Array {
  const out = new Uint8Array(max);
  let at = 0;
  for (const c of chunks) {
    if (at >= max) break;
    const k = Math.min(c.length, max - at);
    out.set(c.subarray(0, k), at);
    at += k;
  }
  return out;
}

/**
 * A plain capture starts with a Record length (a varint) followed by the tag of the Record's first field: pid
 * (08) or, in a derived stream, the header body (12).
 */
function plausibleCapture(head: Uint8Array): boolean {
  let p = 0;
  while (p < head.length && p < 10 && head[p] >= 0x80) p++;
  p++;
  if (p >= head.length) return head.length > 0 && p <= 10;
  return head[p] === 0x08 || head[p] === 0x12;
}

export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Decodes a byte stream (a Readable, or any iterable of chunks) into Messages. */
export function decode(source: ByteSource, options: DecodeOptions = {}): AsyncGenerator<Message> {
  return stageIterate(source, (emit) => new Decoder(emit, options));
}

/** Decodes a complete capture held in memory. */
export function decodeAll(bytes: Uint8Array, options: DecodeOptions = {}): Message[] {
  const out: Message[] = [];
  const decoder = new Decoder((m) => out.push(m), options);
  decoder.push(bytes);
  decoder.end();
  return out;
}

/** A Transform: bytes in, Messages out (object mode). Warnings are also emitted as "warning" events. */
export function createDecodeStream(options: DecodeOptions = {}): Transform {
  const stream = stageTransform<Uint8Array, Message>(
    (emit) =>
      new Decoder(emit, {
        ...options,
        onWarning: (w) => {
          options.onWarning?.(w);
          stream.emit("warning", w);
        },
      }),
    { objectInput: false, objectOutput: true },
  );
  return stream;
}
