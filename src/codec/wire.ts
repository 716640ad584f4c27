// Protobuf wire primitives for the hot path.
//
// @bufbuild/protobuf decodes the low-volume messages. The columnar ones (event batches above all) are decoded
// here, straight into typed arrays: a generic decoder turns a batch of packed 64-bit varints into an array of
// bigints at about 2.4 M events/s, this loop at about 40 M events/s (see README, "Design notes").

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

const TWO_POW_32 = 4294967296;

/** Thrown by the varint readers; the caller turns it into a CaptureError with the stream offset. */
export class WireError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

// The position after the last varint read by readVarint: a module variable rather than an object so that the
// reader allocates nothing.
let nextPos = 0;

/**
 * Reads the varint at buf[p]. Returns its value as a number, exact up to 2^53; sets nextPos. Throws WireError if the
 * varint runs past `end` or does not fit in 53 bits.
 */
export function readVarint(buf: Uint8Array, p: number, end: number): number {
  let b = buf[p];
  if (p < end && b < 0x80) {
    nextPos = p + 1;
    return b;
  }
  let value = 0;
  let scale = 1;
  const start = p;
  do {
    if (p >= end) throw new WireError("a varint runs past the end of its field", start);
    b = buf[p++];
    value += (b & 0x7f) * scale;
    scale *= 128;
  } while (b & 0x80);
  if (value > Number.MAX_SAFE_INTEGER) {
    throw new WireError(
      "a value does not fit in 53 bits (memtrace reads addresses, sizes and times up to 2^53)",
      start,
    );
  }
  nextPos = p;
  return value;
}

export function lastPos(): number {
  return nextPos;
}

/** Number of varints in buf[start, end): bytes without the continuation bit. */
export function countVarints(buf: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let p = start; p < end; p++) if (buf[p] < 0x80) n++;
  return n;
}

/**
 * Decodes packed varints into out[at...]; returns the index after the last. Values must be below `limit` (the
 * range of out's element type): only multi-byte varints can exceed it, so only they are checked.
 */
export function readPacked(
  buf: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array | Uint32Array | Float64Array,
  at: number,
  limit: number,
): number {
  let p = start;
  let i = at;
  while (p < end) {
    const b = buf[p];
    if (b < 0x80) {
      out[i++] = b;
      p++;
    } else {
      const v = readVarint(buf, p, end);
      if (v >= limit) throw new WireError(`value ${v} is out of range (must be below ${limit})`, p);
      out[i++] = v;
      p = nextPos;
    }
  }
  return i;
}

/** Decodes packed zigzag varints (sint64) into out[at...]; returns the index after the last. */
export function readPackedZigzag(buf: Uint8Array, start: number, end: number, out: Float64Array, at: number): number {
  let p = start;
  let i = at;
  while (p < end) {
    let z = buf[p];
    if (z < 0x80) p++;
    else {
      z = readVarint(buf, p, end);
      p = nextPos;
    }
    out[i++] = z % 2 === 1 ? -(z + 1) / 2 : z / 2;
  }
  return i;
}

/** Skips one field's value; returns the position after it. */
export function skipField(buf: Uint8Array, p: number, end: number, wireType: number): number {
  switch (wireType) {
    case WIRE_VARINT:
      readVarint(buf, p, end);
      return nextPos;
    case WIRE_I64:
      return p + 8;
    case WIRE_LEN: {
      const len = readVarint(buf, p, end);
      return nextPos + len;
    }
    case WIRE_I32:
      return p + 4;
    default:
      throw new WireError(`unsupported wire type ${wireType}`, p);
  }
}

export function varintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  let n = 5;
  v = Math.floor(v / 0x800000000);
  while (v > 0) {
    n++;
    v = Math.floor(v / 128);
  }
  return n;
}

export function zigzag(v: number): number {
  return v < 0 ? -2 * v - 1 : 2 * v;
}

/** A growable byte buffer with the writes the encoder needs. */
export class ByteWriter {
  private buf: Uint8Array;
  pos = 0;

  constructor(initial = 64 * 1024) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  varint(v: number): void {
    if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v))) {
      throw new RangeError(`cannot encode ${v} as an unsigned varint`);
    }
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    while (v >= TWO_POW_32) {
      buf[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    while (v >= 0x80) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p++] = v;
    this.pos = p;
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A length-delimited field holding `b`. */
  lengthDelimited(field: number, b: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.varint(b.length);
    this.bytes(b);
  }

  /** A packed repeated varint field of values[0, n); nothing when n is 0 (an empty column). */
  packed(field: number, values: ArrayLike<number>, n: number): void {
    if (n === 0) return;
    let size = 0;
    for (let i = 0; i < n; i++) size += varintSize(values[i]);
    this.tag(field, WIRE_LEN);
    this.varint(size);
    this.ensure(size);
    for (let i = 0; i < n; i++) this.varint(values[i]);
  }

  /** A packed repeated field of already transformed values (deltas, zigzag), given as a plain array. */
  packedArray(field: number, values: number[]): void {
    this.packed(field, values, values.length);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** The bytes written so far, without copying; valid until the next write. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }
}
