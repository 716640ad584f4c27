// `memtrace attach PID`: records a node process that runs without memtrace, until --duration, Ctrl-C or
// `memtrace detach PID`. The process's channel comes to attach's capture server as `memtrace record`'s do, and the
// capture is written the same way (zstd to a regular file); to stop, attach writes to that channel and waits for
// the process to finish its capture.
import { createServer, type Server, type Socket } from "node:net";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { keepRunningWhenReaderGoes } from "../cli/io";
import { CaptureOutput } from "../record/capture-output";
import { CaptureServer } from "../record/capture-server";
import { mappedOnThisMachine } from "../record/mapped-records";
import { agentModulePath, agentPathFor, v8LineOf } from "../record/native";
import { PAIRED_BY_DEFAULT } from "../record/paired";
import { compressByDefault, openCaptureFile } from "../record/record";
import type { TrackOptions } from "../track/tracker";
import { InspectorSession, openInspector } from "./inspector";
import { controlPath, readSession, removeSession, writeSession } from "./session";
import type { AttachedStart } from "./target";
import { AttachError, inspectTarget, nodeVersions } from "./target-process";

export interface AttachOptions extends TrackOptions {
  output?: string;
  compress?: boolean;
  /** Seconds; undefined: until Ctrl-C or memtrace detach. */
  duration?: number;
  /** Where messages go (stderr). */
  say: (line: string) => void;
}

/** How long a process may take to write the rest of its capture once asked to stop. */
const FINISH_MS = 15_000;

/** The module the process loads through its inspector: memtrace's own, compiled (beside the agent module). */
function targetModulePath(): string {
  return join(agentModulePath(), "..", "..", "attach", "target.js");
}

export async function attach(pid: number, options: AttachOptions): Promise<void> {
  // From the start: Ctrl-C while attach is still setting up must not kill it half-way (with the process's inspector
  // open); the recording then stops as soon as it has started.
  const signal = signalled();
  try {
    await attachUntilStopped(pid, options, signal.received);
  } finally {
    signal.dispose();
  }
}

/** Resolves at the first SIGINT, SIGTERM or SIGHUP, which no longer end memtrace until dispose(). */
function signalled(): { received: Promise<void>; dispose: () => void } {
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  let handler: () => void = () => {};
  const received = new Promise<void>((resolve) => (handler = () => resolve()));
  for (const s of signals) process.on(s, handler);
  return { received, dispose: () => signals.forEach((s) => process.off(s, handler)) };
}

async function attachUntilStopped(pid: number, options: AttachOptions, signal: Promise<void>): Promise<void> {
  const target = inspectTarget(pid);
  const running = readSession(pid);
  if (running)
    throw new AttachError(`process ${pid} is being recorded by memtrace attach already (pid ${running.attacher})`);
  const versions = nodeVersions(target);
  if (!agentPathFor(versions.v8)) {
    throw new AttachError(
      `memtrace has no agent for process ${pid}'s Node.js ${versions.node} (V8 ${v8LineOf(versions.v8)}): ` +
        `memtrace doctor --node ${target.exe} says what it has`,
    );
  }

  const toTerminal = options.output === undefined && process.stdout.isTTY === true;
  const path = options.output ?? (toTerminal ? `memtrace-attach.${pid}.mtrace` : undefined);
  const file = path === undefined ? undefined : openCaptureFile(path);
  let stream: Writable = process.stdout;
  keepRunningWhenReaderGoes();
  if (file !== undefined) stream = createWriteStream("", { fd: file, highWaterMark: 4 * 1024 * 1024 });
  const output = new CaptureOutput(stream, {
    compress: options.compress ?? compressByDefault(file ?? 1),
    onDrain: () => server.resume(),
    onNote: (line) => options.say(`memtrace: ${line}`),
    onFailure: (e) => {
      options.say(`memtrace attach: stopped recording: ${path ?? "stdout"}: ${e.message}; process ${pid} runs on`);
      server.disconnectAll();
    },
  });
  // JS frames are placed in their original sources as they pass, as memtrace record places them.
  const mapped = mappedOnThisMachine((line) => options.say(`memtrace: ${line}`));
  const server = new CaptureServer({ write: (records) => output.write(mapped.rewrite(records)) });
  await server.listen();
  const control = await listenForDetach(pid);
  writeSession(pid, { attacher: process.pid, control: controlPath(pid), output: path ?? "stdout" });
  try {
    await startInTarget(pid, server.socketPath, options);
    if (!(await server.whenConnected(5000))) throw new AttachError(`process ${pid} did not connect to memtrace`);
    options.say(
      `memtrace: recording process ${pid} (Node.js ${versions.node}) into ${path ?? "stdout"}; stop with ` +
        `${options.duration ? `--duration's ${options.duration} s, ` : ""}Ctrl-C or memtrace detach ${pid}`,
    );
    const why = await stopSignal(server, control.detached, signal, options.duration);
    if (why !== "ended") server.tellAll(Buffer.from("s"));
    await server.whenAllClosed(FINISH_MS);
    if (why === "ended") options.say(`memtrace: process ${pid} stopped its recording or ended`);
  } finally {
    server.close();
    await output.end();
    removeSession(pid);
    control.close(path ?? "stdout");
  }
  if (path && !output.failed) options.say(`memtrace: wrote ${path}; look at it with\n  memtrace summary ${path}`);
}

/** Loads memtrace into the process through its inspector and starts recording on `socketPath`. */
async function startInTarget(pid: number, socketPath: string, options: AttachOptions): Promise<void> {
  const target = inspectTarget(pid);
  const { listener, opened } = await openInspector(target);
  const session = await InspectorSession.connect(listener);
  let result: AttachedStart;
  try {
    const settings: TrackOptions = {
      stackDepth: options.stackDepth,
      memoryInterval: options.memoryInterval,
      exactTimes: options.exactTimes,
      nativeOnly: options.nativeOnly,
      jsInterval: options.jsInterval,
      jsPoll: options.jsPoll,
      jsAll: options.jsAll,
      // Decided here: the process's own environment (MEMTRACE_PAIRED) is not attach's to read.
      paired: options.paired ?? PAIRED_BY_DEFAULT,
    };
    const call = `require(${JSON.stringify(targetModulePath())}).startAttached(${JSON.stringify(socketPath)}, ${JSON.stringify(settings)}, ${opened})`;
    result = JSON.parse(String(await session.evaluate(`JSON.stringify(${call})`))) as AttachedStart;
  } finally {
    await session.close();
  }
  if (result.error) throw new AttachError(`cannot record process ${pid}: ${result.error}`);
}

type StopReason = "duration" | "signal" | "detach" | "ended";

/** Resolves with the first reason to stop: the duration, a signal, memtrace detach, or the process's channel closing. */
function stopSignal(
  server: CaptureServer,
  detached: Promise<void>,
  signal: Promise<void>,
  duration: number | undefined,
): Promise<StopReason> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (why: StopReason) => {
      clearTimeout(timer);
      resolve(why);
    };
    if (duration !== undefined) timer = setTimeout(() => finish("duration"), duration * 1000);
    void signal.then(() => finish("signal"));
    void detached.then(() => finish("detach"));
    void server.whenAllClosed(2 ** 31 - 1).then(() => finish("ended"));
  });
}

/** The control socket memtrace detach connects to; `detached` resolves when one asks. */
function listenForDetach(pid: number): Promise<{ detached: Promise<void>; close: (output: string) => void }> {
  const clients: Socket[] = [];
  let ask: () => void = () => {};
  const detached = new Promise<void>((resolve) => (ask = resolve));
  const server: Server = createServer((socket) => {
    clients.push(socket);
    socket.on("error", () => {});
    socket.on("data", (data) => {
      if (String(data).includes("detach")) ask();
    });
  });
  removeSession(pid);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(controlPath(pid), () =>
      resolve({
        detached,
        close: (output) => {
          for (const c of clients) c.end(`${output}\n`);
          server.close();
        },
      }),
    );
  });
}
