// CodeEvent (proto/memtrace.proto) read by hand: node's start-up alone writes thousands, and the protobuf runtime
// takes several times longer per record. Only the plain form a writer produces is read here (fields 1-6 as varints,
// each value in its field's range and below 2^53); for anything else the caller decodes the record with the runtime,
// which gives the same values or the same error.
import type { CodeEvent, CodeEventKind, Message } from "./model";

const TWO_POW_31 = 2147483648;
const TWO_POW_32 = 4294967296;

/** The CodeEvent in buf[start, end), or undefined when it is not in the plain form. */
export function plainCodeEvent(buf: Uint8Array, start: number, end: number): CodeEvent | undefined {
  const e: CodeEvent = { kind: 0 as CodeEventKind, timeNs: 0, start: 0, size: 0, newStart: 0, function: 0 };
  let p = start;
  while (p < end) {
    const tag = buf[p++];
    // One-byte tags of fields 1 to 6 with the varint wire type: 8, 16, ..., 48.
    if (tag & 7 || tag < 8 || tag > 48) return undefined;
    let value = 0;
    let scale = 1;
    let b: number;
    do {
      // Eight bytes hold 56 bits: a longer varint, or one past the end, is the runtime's to judge.
      if (p >= end || scale > 2 ** 49) return undefined;
      b = buf[p++];
      value += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    if (value > Number.MAX_SAFE_INTEGER) return undefined;
    switch (tag >> 3) {
      case 1:
        if (value >= TWO_POW_31) return undefined;
        e.kind = value as CodeEventKind;
        break;
      case 2:
        e.timeNs = value;
        break;
      case 3:
        e.start = value;
        break;
      case 4:
        e.size = value;
        break;
      case 5:
        e.newStart = value;
        break;
      default:
        if (value >= TWO_POW_32) return undefined;
        e.function = value;
    }
  }
  return e;
}

/** The code events a Message holds: a CodeEvent's one, a CodeEventBatch's rows, or none. */
export function codeEventsIn(m: Message): CodeEvent[] {
  return m.type === "code" ? [m.code] : m.type === "codeEvents" ? m.events : [];
}
