// The live view over TCP. The recording side folds and keeps the state; a viewer (`memtrace live PORT`) sends
// its request (which thread, which measure) and receives snapshots, each one line of JSON. A snapshot is a few
// kilobytes (the top rows of one selection), and one is sent to a viewer only when the last one has left the
// socket's buffer: a slow viewer gets fewer, newer snapshots, and nothing waits for it. Viewers come and go as
// they like; each new one gets the whole current state, since a snapshot is never a difference.
//
//   viewer -> recorder: {"type":"request","request":{...LiveRequest}}\n
//   recorder -> viewer: {"type":"hello","protocol":"memtrace-live","version":1}\n then {"type":"snapshot",...}\n
import { createConnection, createServer, isIPv4, type Server, type Socket } from "node:net";
import type { FoldThread, SnapshotSource } from "./fold-thread";
import type { AppStatus, LiveRequest, LiveSnapshot } from "./snapshot";

export const PROTOCOL = "memtrace-live";
export const PROTOCOL_VERSION = 1;
/** A line longer than this is not from a memtrace peer. */
const MAX_LINE = 16 << 20;

/** Splits a socket's text into lines, refusing lines past MAX_LINE. */
function lines(socket: Socket, onLine: (line: string) => void, onTooLong: () => void): void {
  let pending = "";
  socket.setEncoding("utf8");
  socket.on("data", (text: string) => {
    pending += text;
    let at: number;
    while ((at = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, at);
      pending = pending.slice(at + 1);
      if (line) onLine(line);
    }
    if (pending.length > MAX_LINE) {
      pending = "";
      onTooLong();
    }
  });
}

interface Viewer {
  socket: Socket;
  source: SnapshotSource;
  last?: LiveSnapshot;
}

export class LiveServer {
  private readonly server: Server;
  private readonly viewers = new Set<Viewer>();
  private app: AppStatus | undefined;

  constructor(
    private readonly fold: FoldThread,
    private readonly host: string,
    private readonly port: number,
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(): Promise<{ host: string; port: number; loopback: boolean }> {
    return new Promise((resolve, reject) => {
      this.server.once("error", (e: NodeJS.ErrnoException) =>
        reject(new Error(`cannot serve the live view on ${this.host}:${this.port}: ${e.code ?? e.message}`)),
      );
      this.server.listen(this.port, this.host, () => {
        const a = this.server.address();
        const port = typeof a === "object" && a ? a.port : this.port;
        const loopback = this.host === "localhost" || /^127\./.test(this.host) || this.host === "::1";
        resolve({
          host: isIPv4(this.host) || this.host === "localhost" ? this.host : `[${this.host}]`,
          port,
          loopback,
        });
      });
    });
  }

  setApp(app: AppStatus): void {
    this.app = app;
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const viewer: Viewer = { socket, source: this.fold.source() };
    this.viewers.add(viewer);
    socket.write(JSON.stringify({ type: "hello", protocol: PROTOCOL, version: PROTOCOL_VERSION }) + "\n");
    viewer.source.onSnapshot((s) => {
      const snapshot = this.app ? { ...s, app: { ...this.app, logFile: undefined } } : s;
      viewer.last = snapshot;
      // The last one has not left yet: this one is dropped, a newer one will come.
      if (socket.writableLength > 0 || socket.destroyed) return;
      socket.write(JSON.stringify({ type: "snapshot", snapshot }) + "\n");
    });
    lines(
      socket,
      (line) => {
        let m: { type?: string; request?: LiveRequest };
        try {
          m = JSON.parse(line) as typeof m;
        } catch {
          socket.destroy();
          return;
        }
        if (m.type === "request" && m.request) viewer.source.request(m.request);
      },
      () => socket.destroy(),
    );
    socket.on("error", () => {});
    socket.on("close", () => {
      viewer.source.close();
      this.viewers.delete(viewer);
    });
  }

  /** Sends each viewer the last state (the app's end), then closes; at most `timeoutMs`. */
  close(timeoutMs = 2000): Promise<void> {
    this.server.close();
    const ends = [...this.viewers].map(
      (v) =>
        new Promise<void>((resolve) => {
          v.socket.once("close", () => resolve());
          if (v.last) {
            const snapshot = this.app ? { ...v.last, app: { ...this.app, logFile: undefined } } : v.last;
            v.socket.end(JSON.stringify({ type: "snapshot", snapshot }) + "\n");
          } else v.socket.end();
        }),
    );
    return Promise.race([
      Promise.all(ends).then(() => {}),
      new Promise<void>((resolve) =>
        setTimeout(() => {
          for (const v of this.viewers) v.socket.destroy();
          resolve();
        }, timeoutMs),
      ),
    ]);
  }
}

/** A recorder's live view, over TCP: a SnapshotSource for the viewer. */
export class RemoteSource implements SnapshotSource {
  private socket: Socket | undefined;
  private listener: ((s: LiveSnapshot) => void) | undefined;
  private latest: LiveRequest | undefined;
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly onState: (state: "connected" | "closed" | "refused", detail?: string) => void,
  ) {}

  connect(): void {
    if (this.closed) return;
    const socket = createConnection({ host: this.host, port: this.port });
    this.socket = socket;
    socket.setNoDelay(true);
    let hello = false;
    socket.on("connect", () => {
      this.onState("connected");
      if (this.latest) this.send(this.latest);
    });
    lines(
      socket,
      (line) => {
        let m: { type?: string; protocol?: string; version?: number; snapshot?: LiveSnapshot };
        try {
          m = JSON.parse(line) as typeof m;
        } catch {
          socket.destroy(new Error("not a memtrace live view"));
          return;
        }
        if (!hello) {
          if (m.type !== "hello" || m.protocol !== PROTOCOL) {
            socket.destroy(new Error("not a memtrace live view"));
            return;
          }
          if (m.version !== PROTOCOL_VERSION) {
            socket.destroy(
              new Error(
                `the recorder speaks version ${m.version} of the live protocol, this memtrace ${PROTOCOL_VERSION}`,
              ),
            );
            return;
          }
          hello = true;
          return;
        }
        if (m.type === "snapshot" && m.snapshot) this.listener?.(m.snapshot);
      },
      () => socket.destroy(new Error("a line too long: not a memtrace live view")),
    );
    let failure: string | undefined;
    socket.on("error", (e: NodeJS.ErrnoException) => {
      failure = e.code === "ECONNREFUSED" ? "refused" : e.message;
    });
    socket.on("close", () => {
      if (this.closed) return;
      if (failure === "refused" && !hello) this.onState("refused");
      else this.onState("closed", failure);
    });
  }

  request(request: LiveRequest): void {
    this.latest = request;
    this.send(request);
  }

  private send(request: LiveRequest): void {
    if (this.socket && !this.socket.connecting && !this.socket.destroyed) {
      this.socket.write(JSON.stringify({ type: "request", request }) + "\n");
    }
  }

  onSnapshot(listener: (s: LiveSnapshot) => void): void {
    this.listener = listener;
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
  }
}
