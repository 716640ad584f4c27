// Cuts one process's channel into whole Records, so that the channels of several processes can be merged
// into one capture without ever splitting a Record. Only the length prefixes are read: the bytes pass through.
import { MAX_RECORD_BYTES } from "../codec/model";

export class ChannelCorrupt extends Error {}

export class RecordFramer {
  private rest: Buffer | undefined;

  /** Returns the whole Records that `chunk` completes (one buffer, possibly empty); keeps any partial tail. */
  push(chunk: Buffer): Buffer {
    const data = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    let end = 0;
    for (;;) {
      let length = 0;
      let scale = 1;
      let p = end;
      let complete = false;
      while (p < data.length && p - end < 10) {
        const b = data[p++];
        length += (b & 0x7f) * scale;
        scale *= 128;
        if (b < 0x80) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        if (p - end >= 10) throw new ChannelCorrupt("a record length prefix is not a valid varint");
        break;
      }
      if (length > MAX_RECORD_BYTES) throw new ChannelCorrupt(`a record announces ${length} bytes`);
      if (data.length - p < length) break;
      end = p + length;
    }
    this.rest = end < data.length ? data.subarray(end) : undefined;
    return data.subarray(0, end);
  }

  /** Bytes of a Record that never completed (the process ended while writing it). */
  get pendingBytes(): number {
    return this.rest?.length ?? 0;
  }
}
