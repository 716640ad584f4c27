/**
 * Malformed, truncated or foreign input. `offset` is the byte offset in the stream where the problem was found
 * (in the decompressed stream when the input was compressed), so that a user can look at the bytes themselves.
 */
export class CaptureError extends Error {
  readonly offset: number;
  readonly compressed: boolean;

  constructor(message: string, offset: number, compressed = false) {
    super(message);
    this.name = "CaptureError";
    this.offset = offset;
    this.compressed = compressed;
  }

  /** "byte 1234: ..." or, for compressed input, "byte 1234 of the decompressed stream: ...". */
  describe(): string {
    const where = this.compressed ? `byte ${this.offset} of the decompressed stream` : `byte ${this.offset}`;
    return `${where}: ${this.message}`;
  }
}

/** A problem that does not stop reading: a truncated capture, an unknown record kind. */
export interface CaptureWarning {
  code: "truncated" | "incomplete-record" | "no-trailer" | "newer-minor";
  message: string;
  offset: number;
}
