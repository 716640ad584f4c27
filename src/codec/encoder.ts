// Messages -> bytes, streaming.
//
// Records are gathered into chunks of up to CHUNK_BYTES before they are written, so that a pipe carries a few
// large writes rather than one per Record; a chunk is also written as soon as the input pauses, so that a live
// stream (a recording being filtered) is not held back waiting for the chunk to fill.
import { Transform, type TransformCallback } from "node:stream";
import { compressFrame } from "./lz4";
import type { Message } from "./model";
import { encodeRecord } from "./records";
import { ByteWriter } from "./wire";

export interface EncodeOptions {
  /** Wrap the output in LZ4 frames. */
  compress?: boolean;
}

const CHUNK_BYTES = 256 * 1024;

class ChunkEncoder {
  private readonly out = new ByteWriter(CHUNK_BYTES + 64 * 1024);
  private readonly scratch = new ByteWriter();

  constructor(private readonly compress: boolean) {}

  add(message: Message): void {
    encodeRecord(message, this.out, this.scratch);
  }

  get full(): boolean {
    return this.out.pos >= CHUNK_BYTES;
  }

  /** The bytes gathered so far (compressed if asked), or undefined if there are none. */
  take(): Uint8Array | undefined {
    if (this.out.pos === 0) return undefined;
    const bytes = this.compress ? compressFrame(this.out.view()) : this.out.finish();
    this.out.reset();
    return bytes;
  }
}

/** Encodes Messages into the capture format's bytes. */
export async function* encode(
  messages: AsyncIterable<Message> | Iterable<Message>,
  options: EncodeOptions = {},
): AsyncGenerator<Uint8Array> {
  const encoder = new ChunkEncoder(options.compress ?? false);
  for await (const m of messages) {
    encoder.add(m);
    if (encoder.full) yield encoder.take()!;
  }
  const rest = encoder.take();
  if (rest) yield rest;
}

/** Encodes Messages held in memory into one buffer. */
export function encodeAll(messages: Iterable<Message>, options: EncodeOptions = {}): Uint8Array {
  const encoder = new ChunkEncoder(false);
  const parts: Uint8Array[] = [];
  for (const m of messages) {
    encoder.add(m);
    if (encoder.full) parts.push(encoder.take()!);
  }
  const rest = encoder.take();
  if (rest) parts.push(rest);
  const plain = Buffer.concat(parts);
  return options.compress ? compressFrame(plain) : plain;
}

/** A Transform: Messages in (object mode), bytes out. */
export function createEncodeStream(options: EncodeOptions = {}): Transform {
  const encoder = new ChunkEncoder(options.compress ?? false);
  let scheduled = false;
  const stream = new Transform({
    writableObjectMode: true,
    transform(message: Message, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        encoder.add(message);
      } catch (e) {
        callback(e as Error);
        return;
      }
      if (encoder.full) {
        callback(null, encoder.take());
        return;
      }
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          const bytes = encoder.take();
          if (bytes && !stream.destroyed) stream.push(bytes);
        });
      }
      callback();
    },
    flush(callback: TransformCallback) {
      callback(null, encoder.take());
    },
  });
  return stream;
}
