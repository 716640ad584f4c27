// Append-only typed arrays, for tables that grow as a capture is read.

type TypedArray = Uint8Array | Uint32Array | Float64Array;
type TypedArrayCtor<T extends TypedArray> = new (length: number) => T;

export class Growable<T extends TypedArray> {
  data: T;
  length = 0;

  constructor(
    private readonly ctor: TypedArrayCtor<T>,
    initial = 1024,
  ) {
    this.data = new ctor(initial);
  }

  push(v: number): number {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length] = v;
    return this.length++;
  }

  /** Appends values[0, n). */
  append(values: ArrayLike<number>, n: number): void {
    if (this.length + n > this.data.length) this.grow(this.length + n);
    for (let i = 0; i < n; i++) this.data[this.length + i] = values[i];
    this.length += n;
  }

  /** Makes index i addressable (new entries are 0). */
  ensure(n: number): void {
    if (n > this.data.length) this.grow(n);
    if (n > this.length) this.length = n;
  }

  /** Room for n entries without growing the length (a native writer fills them before they are adopted). */
  reserve(n: number): void {
    if (n > this.data.length) this.grow(n);
  }

  private grow(min: number): void {
    let size = Math.max(16, this.data.length * 2);
    while (size < min) size *= 2;
    const next = new this.ctor(size);
    next.set(this.data as never);
    this.data = next;
  }

  /** A view of the used part. */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export const u32 = (initial?: number) => new Growable(Uint32Array, initial);
export const f64 = (initial?: number) => new Growable(Float64Array, initial);
export const u8 = (initial?: number) => new Growable(Uint8Array, initial);
