// Bytes of a capture as they are written: a file read from where the last read stopped, waiting at its end for
// more until told that nothing more will come (the recording ended), or a pipe's chunks as another thread reads
// them. A file is read
// by position, so the recorder's own descriptor (an unlinked temporary file, or -o's file opened for reading
// too) serves: nothing the recorder writes ever waits for this reader.
import { fstatSync, read } from "node:fs";

// Small reads: each is folded before the next, and a snapshot can go out between two.
const CHUNK = 64 << 10;
const POLL_MS = 50;

export interface FollowedSource {
  /** The next chunk; undefined at the end. Each chunk is a fresh buffer (the decoder keeps views of it). */
  next(): Promise<Uint8Array | undefined>;
  /** Bytes written and not read yet (0 when unknown). */
  behind(): number;
  /** Nothing more will be written: the reader ends at the current end of the file. */
  complete(): void;
  readonly completed: boolean;
}

/** Follows a file by its descriptor from offset 0. `follow`: wait at the end for more until complete(). */
export function followFile(fd: number, follow: boolean): FollowedSource {
  let position = 0;
  let done = !follow;
  const readAt = () =>
    new Promise<number>((resolve, reject) => {
      const buffer = Buffer.allocUnsafe(CHUNK);
      read(fd, buffer, 0, CHUNK, position, (e, n) => (e ? reject(e) : resolve(n)));
      pending = buffer;
    });
  let pending: Buffer | undefined;
  return {
    async next() {
      for (;;) {
        // Whether the writer was done before this read: then an empty read is the end.
        const wasDone = done;
        const n = await readAt();
        if (n > 0) {
          position += n;
          return pending!.subarray(0, n);
        }
        if (wasDone) return undefined;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    },
    behind() {
      try {
        return Math.max(0, fstatSync(fd).size - position);
      } catch {
        return 0;
      }
    },
    complete() {
      done = true;
    },
    get completed() {
      return done;
    },
  };
}

/**
 * Chunks handed over by another thread (a pipe read where libuv can read it: the recorder on the other end of
 * `record | live` makes the pipe non-blocking, which a read by position in a worker cannot wait on). `ack` is
 * called for each chunk taken, so that the sender can stop reading while the fold is behind.
 */
export class HandedSource implements FollowedSource {
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private waiting: (() => void) | undefined;

  constructor(private readonly ack: (bytes: number) => void) {}

  add(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.waiting?.();
  }

  end(): void {
    this.ended = true;
    this.waiting?.();
  }

  async next(): Promise<Uint8Array | undefined> {
    while (this.chunks.length === 0 && !this.ended) {
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = undefined;
    }
    const chunk = this.chunks.shift();
    if (chunk) this.ack(chunk.length);
    return chunk;
  }

  behind(): number {
    return this.chunks.reduce((sum, c) => sum + c.length, 0);
  }

  complete(): void {}

  get completed(): boolean {
    return this.ended && this.chunks.length === 0;
  }
}
