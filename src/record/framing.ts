// Cuts one process's channel into whole Records, so that the channels of several processes can be merged
// into one capture without ever splitting a Record. Only the length prefixes are read: the bytes pass through,
// and are copied only where a Record spans chunks (once, when it is complete).
import { MAX_RECORD_BYTES } from "../codec/constants";

export class ChannelCorrupt extends Error {}

export class RecordFramer {
  /** The chunks holding the start of a Record that is not complete yet. */
  private parts: Buffer[] = [];
  private partBytes = 0;

  /** Returns the whole Records that `chunk` completes, in order (possibly none); keeps any partial tail. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let data = chunk;
    if (this.partBytes > 0) {
      // The pending Record's length, once its prefix is whole (the prefix itself may be split).
      const end = recordEnd(this.head(chunk), 0);
      if (end < 0 || end > this.partBytes + chunk.length) {
        this.keep(chunk);
        return out;
      }
      const fromChunk = end - this.partBytes;
      out.push(Buffer.concat([...this.parts, chunk.subarray(0, fromChunk)], end));
      this.parts = [];
      this.partBytes = 0;
      data = chunk.subarray(fromChunk);
    }
    let end = 0;
    for (;;) {
      const next = recordEnd(data, end);
      if (next < 0 || next > data.length) break;
      end = next;
    }
    if (end > 0) out.push(data.subarray(0, end));
    if (end < data.length) this.keep(data.subarray(end));
    return out;
  }

  /** The first bytes (up to a length prefix's 10) of the pending Record continued by `chunk`. */
  private head(chunk: Buffer): Buffer {
    const first = this.parts[0];
    if (first.length >= 10) return first;
    return Buffer.concat([...this.parts, chunk]).subarray(0, 10);
  }

  private keep(bytes: Buffer): void {
    this.parts.push(bytes);
    this.partBytes += bytes.length;
  }

  /** Bytes of a Record that never completed (the process ended while writing it). */
  get pendingBytes(): number {
    return this.partBytes;
  }
}

/**
 * Where the Record that starts at `start` ends (after its length prefix and body), which may be past the end
 * of `data`; -1 if `data` ends inside the length prefix. Throws on a prefix that no capture can have.
 */
function recordEnd(data: Buffer, start: number): number {
  let length = 0;
  let scale = 1;
  for (let p = start; p < data.length && p - start < 10; p++) {
    const b = data[p];
    length += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) {
      if (length > MAX_RECORD_BYTES) throw new ChannelCorrupt(`a record announces ${length} bytes`);
      return p + 1 + length;
    }
  }
  if (data.length - start >= 10) throw new ChannelCorrupt("a record length prefix is not a valid varint");
  return -1;
}
