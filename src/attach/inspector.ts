// Node's own way into a running process: SIGUSR1 opens its inspector (127.0.0.1:9229, or the port its options
// name), whose protocol (a WebSocket) evaluates code in the main thread between two of its tasks. memtrace
// attach uses it to start the in-process recorder, and leaves the inspector as it found it.
//
// The inspector's port is found without asking the app anything: the TCP sockets the process listens on are in
// /proc/PID/net/tcp{,6}, matched to the process by the socket inodes among its file descriptors.
import { get } from "node:http";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import WebSocket from "ws";
import { AttachError, type TargetProcess } from "./target-process";

export interface Listener {
  host: string;
  port: number;
  inode: number;
}

/** Every TCP socket in LISTEN state in the process's network namespace, with the inode that names it. */
function listeningSockets(pid: number): Listener[] {
  const out: Listener[] = [];
  for (const file of ["tcp", "tcp6"]) {
    let text = "";
    try {
      text = readFileSync(`/proc/${pid}/net/${file}`, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== "0A") continue;
      const [hexHost, hexPort] = f[1].split(":");
      out.push({ host: hostOf(hexHost), port: parseInt(hexPort, 16), inode: Number(f[9]) });
    }
  }
  return out;
}

function hostOf(hex: string): string {
  if (hex.length === 8) {
    const n = parseInt(hex, 16);
    return [n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24].join(".");
  }
  return hex === "00000000000000000000000000000000" ? "::" : hex === "00000000000000000000000001000000" ? "::1" : hex;
}

/** The socket inodes among the process's open files. */
function socketInodes(pid: number): Set<number> {
  const inodes = new Set<number>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(Number(m[1]));
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** The TCP sockets the process itself listens on. */
export function listenersOf(pid: number): Listener[] {
  const mine = socketInodes(pid);
  return listeningSockets(pid).filter((l) => mine.has(l.inode));
}

/**
 * Where node opens its inspector: the last --inspect* option's host and port, else 127.0.0.1:9229; and whether
 * an option opened it at start-up (--inspect, --inspect-brk, --inspect-wait).
 */
export function inspectorAddress(target: TargetProcess): { host: string; port: number; atStart: boolean } {
  let host = "127.0.0.1";
  let port = 9229;
  let atStart = false;
  // Node's own options come before the script; NODE_OPTIONS holds only node's.
  const script = target.argv.findIndex((w, i) => i > 0 && !w.startsWith("-"));
  const words = [...target.nodeOptions.split(/\s+/), ...target.argv.slice(1, script < 0 ? undefined : script)];
  for (const w of words) {
    const m = /^--(inspect|inspect-brk|inspect-wait|inspect-port|debug-port)(?:=(?:\[?([^\]]*?)\]?:)?(\d+))?$/.exec(w);
    if (!m) continue;
    if (m[1] !== "inspect-port" && m[1] !== "debug-port") atStart = true;
    if (m[2]) host = m[2];
    if (m[3]) port = Number(m[3]);
  }
  return { host, port, atStart };
}

/**
 * Opens the target's inspector (SIGUSR1) unless it is open already. Returns where it listens and whether memtrace
 * opened it (and so must close it again).
 */
export async function openInspector(
  target: TargetProcess,
  timeoutMs = 5000,
): Promise<{ listener: Listener; opened: boolean }> {
  const wanted = inspectorAddress(target);
  const before = listenersOf(target.pid);
  // Open already: on its port, or (a random port) on one of the process's own, which are asked only then.
  const candidates = wanted.port !== 0 ? before.filter((l) => l.port === wanted.port) : wanted.atStart ? before : [];
  for (const l of candidates) if (await isInspector(l)) return { listener: l, opened: false };
  if (wanted.port !== 0 && listeningSockets(target.pid).some((l) => l.port === wanted.port)) {
    throw new AttachError(
      `process ${target.pid}'s inspector port ${wanted.host}:${wanted.port} is in use by another socket: ` +
        "free it, or start node with --inspect-port=0",
    );
  }
  const known = new Set(before.map((l) => l.inode));
  try {
    process.kill(target.pid, "SIGUSR1");
  } catch {
    throw new AttachError(`no process ${target.pid}`);
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 20));
    const fresh = listenersOf(target.pid).filter((l) => !known.has(l.inode));
    for (const l of fresh) if (await isInspector(l)) return { listener: l, opened: true };
  }
  throw new AttachError(
    `process ${target.pid} did not open its inspector within ${timeoutMs / 1000} s of SIGUSR1 ` +
      "(started with --disable-sigusr1, or the app handles SIGUSR1 itself)",
  );
}

function httpJson(l: Listener, path: string): Promise<unknown> {
  const host = l.host === "0.0.0.0" || l.host === "::" ? "127.0.0.1" : l.host;
  return new Promise((resolve, reject) => {
    const request = get({ host, port: l.port, path, timeout: 2000 }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => {
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(e as Error);
        }
      });
    });
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", reject);
  });
}

async function isInspector(l: Listener): Promise<boolean> {
  try {
    const version = (await httpJson(l, "/json/version")) as { Browser?: string };
    return typeof version.Browser === "string" && version.Browser.startsWith("node.js");
  } catch {
    return false;
  }
}

/** One inspector session: Runtime.evaluate in the main thread. */
export class InspectorSession {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: { result?: unknown; error?: { message: string } }) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data: WebSocket.RawData) => {
      const reply = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (reply.id !== undefined) this.pending.get(reply.id)?.(reply);
    });
  }

  static async connect(l: Listener): Promise<InspectorSession> {
    const targets = (await httpJson(l, "/json/list")) as { webSocketDebuggerUrl?: string }[];
    const url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
    if (!url) throw new AttachError(`the inspector at ${l.host}:${l.port} offers no session`);
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    return new InspectorSession(socket);
  }

  /** Evaluates `expression` in the main thread with the command line API (require) and returns its value. */
  evaluate(expression: string, timeoutMs = 30_000): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AttachError(`the process's main thread did not run memtrace's code within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        this.pending.delete(id);
        const result = reply.result as { result?: { value?: unknown }; exceptionDetails?: { text?: string } };
        if (reply.error) reject(new AttachError(`the inspector refused: ${reply.error.message}`));
        else if (result?.exceptionDetails)
          reject(new AttachError(`in the process: ${result.exceptionDetails.text ?? "exception"}`));
        else resolve(result?.result?.value);
      });
      this.socket.send(
        JSON.stringify({
          id,
          method: "Runtime.evaluate",
          params: { expression, includeCommandLineAPI: true, returnByValue: true, awaitPromise: true },
        }),
      );
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once("close", () => resolve());
      this.socket.close();
    });
  }
}
