// The recorder's and the viewer's side of the fold worker (fold-worker.ts): start it on a capture's descriptor,
// ask for snapshots, tell it when the capture is complete.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { FoldWorkerData, FromFoldWorker, ToFoldWorker } from "./fold-worker";
import type { LiveRequest, LiveSnapshot } from "./snapshot";

export interface SnapshotSource {
  /** Asks for snapshots of this selection from now on (replacing the viewer's earlier request). */
  request(request: LiveRequest): void;
  onSnapshot(listener: (s: LiveSnapshot) => void): void;
  close(): void;
}

/** The worker's script: built, or as TypeScript where the sources run as they are (the tests). */
function workerFile(): string {
  const built = join(__dirname, "fold-worker.js");
  return existsSync(built) ? built : join(__dirname, "fold-worker.ts");
}

/** A pipe's bytes handed to the fold and not folded yet, at most (then the pipe is not read). */
const MAX_IN_FLIGHT = 16 << 20;

/** Snapshots are posted this often: at least 4 a second. */
export const SNAPSHOT_INTERVAL_MS = 200;

export class FoldThread {
  private readonly worker: Worker;
  private readonly listeners = new Map<number, (s: LiveSnapshot) => void>();
  private nextId = 1;
  readonly warnings: string[] = [];
  readonly done: Promise<void>;

  constructor(data: Omit<FoldWorkerData, "intervalMs">, onWarning?: (message: string) => void) {
    this.worker = new Worker(workerFile(), {
      workerData: { ...data, intervalMs: SNAPSHOT_INTERVAL_MS } satisfies FoldWorkerData,
    });
    this.done = new Promise((resolve) => {
      this.worker.on("message", (m: FromFoldWorker) => {
        if (m.type === "snapshot") this.listeners.get(m.id)?.(m.snapshot);
        else if (m.type === "taken") this.taken(m.bytes);
        else if (m.type === "warning") {
          this.warnings.push(m.message);
          onWarning?.(m.message);
        } else if (m.type === "done") resolve();
      });
      this.worker.on("error", (e) => {
        onWarning?.(`the live fold stopped: ${e.message}`);
        resolve();
      });
      this.worker.on("exit", () => resolve());
    });
  }

  /** A source of snapshots for one viewer. */
  source(): SnapshotSource {
    const id = this.nextId++;
    return {
      request: (request) => this.post({ type: "request", id, request }),
      onSnapshot: (listener) => this.listeners.set(id, listener),
      close: () => {
        this.listeners.delete(id);
        this.post({ type: "forget", id });
      },
    };
  }

  private inFlight = 0;
  private stream: NodeJS.ReadableStream | undefined;

  /**
   * Hands a stream's chunks (a pipe) to the fold. Reading pauses while the fold holds more than MAX_IN_FLIGHT
   * bytes not folded yet: then the pipe fills and its writer waits, as any pipe's writer does for a slow reader.
   */
  feed(stream: NodeJS.ReadableStream): void {
    this.stream = stream;
    stream.on("data", (chunk: Buffer) => {
      this.inFlight += chunk.length;
      this.post({ type: "chunk", chunk });
      if (this.inFlight > MAX_IN_FLIGHT) stream.pause();
    });
    stream.on("end", () => this.post({ type: "end" }));
    stream.on("error", () => this.post({ type: "end" }));
  }

  private taken(bytes: number): void {
    this.inFlight -= bytes;
    if (this.inFlight <= MAX_IN_FLIGHT / 2 && this.stream?.isPaused()) this.stream.resume();
  }

  /** The capture is complete: the fold reads to its end and sends its last snapshots. */
  complete(): void {
    this.post({ type: "complete" });
  }

  private post(m: ToFoldWorker): void {
    this.worker.postMessage(m);
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}
