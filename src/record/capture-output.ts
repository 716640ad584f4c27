// Where the capture goes: stdout or a file, optionally compressed. Records are gathered into chunks of up to
// CHUNK_BYTES and written in order; a chunk also goes out as soon as the input pauses, so that a live reader sees
// data within the recorder's flush interval. zstd (the default compressor) writes one frame flushed at every
// chunk, so that its window spans chunks; LZ4 writes an independent frame per chunk. docs/compression.md has why.
// Where zstd cannot be used (no libzstd.so.1, no kernel for this machine), LZ4 is written instead, said once.
//
// A write that fails (the reader went away, the disk is full) ends the output for good: the caller is told
// once, stops recording, and the app runs on. The capture then ends after its last complete write, which a
// reader reports as truncated.
import type { Writable } from "node:stream";
import type { compressFrame as CompressFrame } from "../codec/lz4";
import type { ZstdStreamEncoder } from "../codec/zstd";

const CHUNK_BYTES = 256 * 1024;

/** The capture's compressors; both are read by every command, detected by their magic. */
export type Compressor = "zstd" | "lz4";

export interface CaptureOutputOptions {
  compress: boolean;
  /** Which compressor, when compressing (default zstd). */
  compressor?: Compressor;
  /** Called once if the output fails; the output drops everything after it. */
  onFailure: (error: NodeJS.ErrnoException) => void;
  /** Called when the output can take more after a write() returned false. */
  onDrain: () => void;
  /** Called once with a line for the user, without "memtrace: ": zstd was asked for and LZ4 is written instead. */
  onNote: (line: string) => void;
}

export class CaptureOutput {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  /** The destination failed: nothing more is written. */
  failed = false;
  // The compressors are native modules, loaded only when compressing.
  private readonly compressFrame: typeof CompressFrame = (data) =>
    (require("../codec/lz4") as typeof import("../codec/lz4")).compressFrame(data);
  private zstd: ZstdStreamEncoder | undefined;
  private chosen: Compressor | undefined;
  private gathered = Buffer.alloc(0);
  /** Bytes handed to the destination (compressed, when compressing). */
  bytesWritten = 0;

  /**
   * `stream`: process.stdout (not a file stream on fd 1, which fails on a non-blocking pipe with EAGAIN) or a
   * file's stream, which end() closes.
   */
  constructor(
    private readonly stream: Writable,
    private readonly options: CaptureOutputOptions,
  ) {
    this.stream.on("error", (e: NodeJS.ErrnoException) => this.fail(e));
    this.stream.on("drain", () => options.onDrain());
  }

  /** Queues whole Records. Returns false when the caller should pause until onDrain. */
  write(records: Buffer[]): boolean {
    if (this.failed) return true;
    for (const r of records) {
      this.pending.push(r);
      this.pendingBytes += r.length;
    }
    if (this.pendingBytes >= CHUNK_BYTES) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
    return true;
  }

  private flush(): boolean {
    if (this.failed || this.pendingBytes === 0) return true;
    const parts = this.pending;
    const size = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.options.compress && this.compressor() === "zstd") {
      // The context takes the Records one by one: no gathering copy.
      return this.writeCompressed(this.zstd!.flush(parts));
    }
    if (this.options.compress) {
      const frame = this.compressFrame(parts.length === 1 ? parts[0] : this.gather(parts, size));
      this.bytesWritten += frame.length;
      return this.stream.write(frame);
    }
    // Uncompressed, the chunk goes out as one gathered write (writev on files and pipes): the Records are not
    // copied into one buffer first, which cost the launcher a copy of the whole capture and the page faults of
    // a fresh 256 KiB buffer per chunk.
    this.bytesWritten += size;
    this.stream.cork();
    let more = true;
    for (const part of parts) more = this.stream.write(part);
    this.stream.uncork();
    return more;
  }

  /** The compressor in use, decided at the first chunk: zstd when asked for and available, else LZ4. */
  private compressor(): Compressor {
    if (this.chosen) return this.chosen;
    this.chosen = this.options.compressor ?? "zstd";
    if (this.chosen === "zstd") {
      const zstd = require("../codec/zstd") as typeof import("../codec/zstd");
      const problem = zstd.zstdProblem();
      if (problem === undefined) {
        this.zstd = new zstd.ZstdStreamEncoder();
      } else {
        this.chosen = "lz4";
        this.options.onNote(
          `the capture is compressed with LZ4, not zstd (2-3 times larger): ${problem}; install libzstd1 ` +
            "(apt-get install libzstd1, or dnf install libzstd) for zstd",
        );
      }
    }
    return this.chosen;
  }

  private writeCompressed(bytes: Buffer): boolean {
    if (bytes.length === 0) return true;
    this.bytesWritten += bytes.length;
    return this.stream.write(bytes);
  }

  /**
   * The chunk's Records in one buffer for the compressor, which copies them: always the same buffer, where
   * Buffer.concat would take a fresh 256 KiB from the allocator for every chunk, pages to fault in, and leave
   * it for the garbage collector (buffers: ~12% fewer page faults in the launcher).
   */
  private gather(parts: Buffer[], size: number): Buffer {
    if (this.gathered.length < size) this.gathered = Buffer.allocUnsafeSlow(Math.max(size, CHUNK_BYTES));
    let at = 0;
    for (const part of parts) at += part.copy(this.gathered, at);
    return this.gathered.subarray(0, size);
  }

  private fail(e: NodeJS.ErrnoException): void {
    if (this.failed) return;
    this.failed = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.options.onFailure(e);
  }

  /** Writes what is left and closes the destination (stdout is flushed, not closed). */
  end(): Promise<void> {
    this.flush();
    // The zstd frame's end and checksum: without them the zstd tool calls the file truncated.
    if (this.zstd && !this.failed) this.writeCompressed(this.zstd.end());
    this.zstd?.dispose();
    this.zstd = undefined;
    return new Promise((resolve) => {
      if (this.failed) {
        this.stream.destroy();
        resolve();
        return;
      }
      this.stream.once("error", () => resolve());
      if (this.stream === process.stdout) this.stream.write("", () => resolve());
      else this.stream.end(() => resolve());
    });
  }
}
