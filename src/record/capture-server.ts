// The receiving end of the per-process channels: a Unix socket that every recorded process connects to on
// its own (native/preload/channel.cpp). Each connection is cut into whole Records, which go out in arrival
// order: Records of different processes interleave, but never inside a Record, and each process's scope keeps
// its own order (the format allows that: every Record carries its pid).
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RecordFramer } from "./framing";

export interface CaptureServerOptions {
  /** Receives whole Records; returns false to ask for a pause (the output is full). */
  write: (records: Buffer[]) => boolean;
  /** Receives the first Records of each channel, which start with its process's Header. */
  opened?: (records: Buffer) => void;
}

export class CaptureServer {
  readonly socketPath: string;
  private readonly dir: string;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private paused = false;
  private closedWaiters: (() => void)[] = [];
  /** Processes that connected. */
  connections = 0;
  /** Bytes of Records left incomplete by processes that ended mid-write (killed). */
  droppedBytes = 0;

  constructor(private readonly options: CaptureServerOptions) {
    // A private folder: only this user can connect, and the socket's path stays short (108-byte limit).
    this.dir = mkdtempSync(join(tmpdir(), "memtrace-"));
    this.socketPath = join(this.dir, "channel.sock");
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.socketPath, () => resolve());
    });
  }

  private accept(socket: Socket): void {
    this.connections++;
    this.sockets.add(socket);
    const framer = new RecordFramer();
    let first = true;
    if (this.paused) socket.pause();
    socket.on("data", (chunk: Buffer) => {
      let records: Buffer[];
      try {
        records = framer.push(chunk);
      } catch {
        // Not a memtrace channel: drop it rather than corrupt the capture.
        socket.destroy();
        return;
      }
      if (records.length > 0 && first) {
        first = false;
        this.options.opened?.(records[0]);
      }
      if (records.length > 0 && !this.options.write(records)) this.pause();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.droppedBytes += framer.pendingBytes;
      this.sockets.delete(socket);
      if (this.sockets.size === 0) for (const w of this.closedWaiters.splice(0)) w();
    });
  }

  pause(): void {
    this.paused = true;
    for (const s of this.sockets) s.pause();
  }

  resume(): void {
    this.paused = false;
    for (const s of this.sockets) s.resume();
  }

  /** Resolves once every connection has closed, or after `timeoutMs`, whichever comes first. */
  whenAllClosed(timeoutMs: number): Promise<void> {
    if (this.sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.closedWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Resolves once a process has connected (or after `timeoutMs`); whether one did. */
  whenConnected(timeoutMs: number): Promise<boolean> {
    if (this.connections > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.connections > 0), timeoutMs);
      this.server.once("connection", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Writes `bytes` to every channel: a process recorded by memtrace attach stops when its channel speaks. */
  tellAll(bytes: Buffer): void {
    for (const s of this.sockets) s.write(bytes);
  }

  /** Drops every channel: the processes see their reader gone and stop recording; the apps run on. */
  disconnectAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  close(): void {
    this.disconnectAll();
    this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
