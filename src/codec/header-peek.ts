// The notes of a Header, read straight off the wire without the protobuf runtime: `memtrace record` reads each
// process's Header as its channel opens, and loading the runtime there would cost every recording ~0.3 s.
import { WIRE_LEN, WIRE_VARINT, lastPos, readVarint, skipField } from "./wire";

// Record.header and Header.notes (proto/memtrace.proto; test/codec/header-peek.test.ts holds them to the codec).
const RECORD_HEADER = 2;
const HEADER_NOTES = 18;

/** The fields of field `want` (length-delimited) in the message bytes [start, end), as [start, end) pairs. */
function fieldsOf(bytes: Uint8Array, start: number, end: number, want: number): [number, number][] {
  const found: [number, number][] = [];
  let p = start;
  while (p < end) {
    const tag = readVarint(bytes, p, end);
    p = lastPos();
    const wireType = tag & 7;
    if (tag >>> 3 === want && wireType === WIRE_LEN) {
      const length = readVarint(bytes, p, end);
      p = lastPos();
      if (p + length > end) throw new RangeError("a field runs past its message");
      found.push([p, p + length]);
      p += length;
    } else if (wireType === WIRE_VARINT) {
      // Skipped without reading: a Header's start time needs more than the 53 bits readVarint takes.
      while (p < end && bytes[p] & 0x80) p++;
      p++;
    } else {
      p = skipField(bytes, p, end, wireType);
    }
  }
  if (p !== end) throw new RangeError("a field runs past its message");
  return found;
}

/**
 * The notes of the Header Record that `bytes` starts with (its length prefix first, as a capture frames it);
 * empty when the first Record is not a Header, has none, or is malformed.
 */
export function peekHeaderNotes(bytes: Uint8Array): string[] {
  try {
    const length = readVarint(bytes, 0, bytes.length);
    const start = lastPos();
    const end = start + length;
    if (end > bytes.length) return [];
    const [header] = fieldsOf(bytes, start, end, RECORD_HEADER);
    if (!header) return [];
    const decoder = new TextDecoder();
    return fieldsOf(bytes, header[0], header[1], HEADER_NOTES).map(([s, e]) => decoder.decode(bytes.subarray(s, e)));
  } catch {
    return [];
  }
}
