// Decoding and encoding of the columnar records (see "Columns" in proto/memtrace.proto).
//
// A columnar message is a few scalar fields and several repeated varint fields of equal length. Decoding makes two
// passes: the first records where each field's bytes are (a packed field may come in several pieces, and an
// unpacked element is a one-varint piece, so both wire forms take the same path); the second decodes each column
// straight into a typed array of the row count.
import {
  WIRE_LEN,
  WIRE_VARINT,
  WireError,
  countVarints,
  lastPos,
  readPacked,
  readPackedZigzag,
  readVarint,
  skipField,
} from "./wire";

/** The most field numbers a columnar message uses (fields above are skipped as unknown). */
const MAX_FIELD = 16;

export class ColumnarFields {
  /** Per field number: flattened [start, end) pairs of its varint bytes. */
  readonly pieces: number[][] = [];
  /** Per field number: the last scalar value seen (a varint field that is not a column). */
  readonly scalars: number[] = [];
  /** Per field number: the last length-delimited value, as a [start, end) pair (strings, sub-messages). */
  readonly blobs: ([number, number] | undefined)[] = [];

  constructor(
    readonly buf: Uint8Array,
    start: number,
    end: number,
    columns: readonly number[],
  ) {
    for (let f = 0; f <= MAX_FIELD; f++) {
      this.pieces.push([]);
      this.scalars.push(0);
      this.blobs.push(undefined);
    }
    const isColumn: boolean[] = [];
    for (const f of columns) isColumn[f] = true;
    let p = start;
    while (p < end) {
      const tag = readVarint(buf, p, end);
      p = lastPos();
      const field = Math.floor(tag / 8);
      const wireType = tag & 7;
      if (field === 0) throw new WireError("field number 0 is not valid", p);
      if (field > MAX_FIELD) {
        p = skipField(buf, p, end, wireType);
        continue;
      }
      if (wireType === WIRE_VARINT) {
        const at = p;
        this.scalars[field] = readVarint(buf, p, end);
        p = lastPos();
        if (isColumn[field]) this.pieces[field].push(at, p);
      } else if (wireType === WIRE_LEN) {
        const len = readVarint(buf, p, end);
        const from = lastPos();
        const to = from + len;
        if (to > end) throw new WireError(`field ${field} runs past the end of its record`, p);
        if (isColumn[field]) {
          if (len > 0 && buf[to - 1] >= 0x80) throw new WireError(`column ${field} ends inside a varint`, to - 1);
          this.pieces[field].push(from, to);
        } else this.blobs[field] = [from, to];
        p = to;
      } else {
        p = skipField(buf, p, end, wireType);
      }
      if (p > end) throw new WireError("a field runs past the end of its record", end);
    }
  }

  /** Number of values in a column. */
  count(field: number): number {
    const pieces = this.pieces[field];
    let n = 0;
    for (let i = 0; i < pieces.length; i += 2) n += countVarints(this.buf, pieces[i], pieces[i + 1]);
    return n;
  }

  /**
   * Decodes a column into `out` (of the row count's length). An empty column leaves `out` as it is (its
   * default); a column of any other length than the row count is an error. The length is checked after
   * decoding rather than counted first: a typed array ignores writes past its end, and the final index tells.
   */
  read<T extends Uint8Array | Uint32Array | Float64Array>(field: number, name: string, out: T, rows: number): T {
    const pieces = this.pieces[field];
    if (pieces.length === 0) return out;
    if (
      pieces.length === 2 &&
      pieces[1] - pieces[0] === rows &&
      rows === countVarints(this.buf, pieces[0], pieces[1])
    ) {
      // Every value is one byte (an event kind, a small size): the column is its bytes.
      out.set(this.buf.subarray(pieces[0], pieces[1]));
      return out;
    }
    const limit = out instanceof Uint8Array ? 0x100 : out instanceof Uint32Array ? TWO_POW_32 : Infinity;
    let at = 0;
    for (let i = 0; i < pieces.length; i += 2) at = readPacked(this.buf, pieces[i], pieces[i + 1], out, at, limit);
    if (at !== rows) throw new WireError(`column ${name} has ${at} entries, expected ${rows} (one per row)`, pieces[0]);
    return out;
  }

  /** Like read, for a zigzag (sint64) column. */
  readZigzag(field: number, name: string, out: Float64Array, rows: number): Float64Array {
    const pieces = this.pieces[field];
    if (pieces.length === 0) return out;
    let at = 0;
    for (let i = 0; i < pieces.length; i += 2) at = readPackedZigzag(this.buf, pieces[i], pieces[i + 1], out, at);
    if (at !== rows) throw new WireError(`column ${name} has ${at} entries, expected ${rows} (one per row)`, pieces[0]);
    return out;
  }

  /**
   * Like read, for a delta-coded column: out[i] = base + delta[0] + ... + delta[i] (zigzag deltas when `signed`).
   * An empty column gives `base` for every row.
   */
  readSummed(
    field: number,
    name: string,
    out: Float64Array,
    rows: number,
    base: number,
    signed: boolean,
  ): Float64Array {
    const pieces = this.pieces[field];
    if (pieces.length === 0) return base === 0 ? out : out.fill(base);
    let at = 0;
    let sum = base;
    for (let i = 0; i < pieces.length; i += 2) {
      const from = at;
      at = signed
        ? readPackedZigzag(this.buf, pieces[i], pieces[i + 1], out, at)
        : readPacked(this.buf, pieces[i], pieces[i + 1], out, at, Infinity);
      if (at > rows) break;
      for (let j = from; j < at; j++) out[j] = sum += out[j];
    }
    if (at !== rows) throw new WireError(`column ${name} has ${at} entries, expected ${rows} (one per row)`, pieces[0]);
    return out;
  }

  /** Whether a column has any entries (absent columns take their default). */
  has(field: number): boolean {
    return this.pieces[field].length > 0;
  }

  string(field: number): string {
    const blob = this.blobs[field];
    return blob ? textDecoder.decode(this.buf.subarray(blob[0], blob[1])) : "";
  }
}

const TWO_POW_32 = 4294967296;
const textDecoder = new TextDecoder("utf-8", { fatal: false });
