// `memtrace record`: runs the app with every process recording itself into its own channel, merges the
// channels into one capture, and ends the way the app ended.
import { createWriteStream, fstatSync, openSync } from "node:fs";
import { basename } from "node:path";
import type { Writable } from "node:stream";
import { keepRunningWhenReaderGoes } from "../cli/io";
import { UsageError, isReaderGone } from "../errors";
import { peekHeaderNotes } from "../codec/header-peek";
import { CaptureOutput, type Compressor } from "./capture-output";
import { CaptureServer } from "./capture-server";
import type { MappedRecords } from "./mapped-records";
import type { ChildProcess } from "node:child_process";
import {
  appCommand,
  type AppCommand,
  exitLikeApp,
  forwardSignals,
  knownNodes,
  recordingEnv,
  startApp,
  type AppStdio,
  type RecordSettings,
} from "./launcher";

/** Opens the capture's file, or says in one line why it cannot be written. */
export function openCaptureFile(path: string): number {
  try {
    return openSync(path, "w");
  } catch (e) {
    throw new UsageError(`cannot write ${path}: ${(e as Error).message}`);
  }
}

export interface RecordOptions extends RecordSettings {
  /** The capture's file; undefined: stdout, or a file named after the script when stdout is a terminal. */
  output?: string;
  /** Compress; undefined: when the capture goes to a regular file. */
  compress?: boolean;
  /** With which compressor (default zstd). */
  compressor?: Compressor;
  /** Place JS frames of scripts with source maps in their original sources (the default). */
  sourceMaps?: boolean;
}

/**
 * Whether a capture is compressed when the user did not say: when it goes to a regular file. It is then 5-15
 * times smaller (zstd; LZ4 was 3-7), for little of the launcher's CPU (bench/results/compression.md). A pipe's
 * reader takes the capture as it comes, and would only have to decompress it; a device (/dev/null) keeps nothing.
 */
export function compressByDefault(fd: number | undefined): boolean {
  try {
    return fd === undefined || fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

/**
 * The channels pause when the file's stream holds 4 MiB not yet written (a disk slower than the app), not at
 * every write: pausing and resuming every socket costs system calls.
 */
export const CAPTURE_HIGH_WATER_MARK = 4 * 1024 * 1024;

/** How long processes that outlive the app (detached children) may keep their channels open after it ends. */
const STRAGGLER_GRACE_MS = 2000;

/** A recording under way: the app, its channels and where they go. */
export interface Recording {
  command: AppCommand;
  child: ChildProcess;
  server: CaptureServer;
  output: CaptureOutput;
  /** The app's end: its exit code or signal; rejects if it could not be started. */
  ended: Promise<AppEnd>;
  /** Waits for the channels of processes that outlive the app, then closes the capture. */
  finish(): Promise<void>;
  stopForwarding(): void;
}

export interface AppEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Starts the app with every process recording into a capture written to `stream` (whose failure `name` names).
 * `atTerminal`: Ctrl-C and Ctrl-\ reach the app from the terminal itself, and are not forwarded a second time.
 */
export async function startRecording(
  command: AppCommand,
  options: RecordOptions,
  stream: (appPid: number) => Writable,
  name: () => string,
  stdio: AppStdio,
  compress: boolean,
  atTerminal: boolean,
): Promise<Recording> {
  // Channels connect only once the app runs, and the output is made in the same tick as the app is started.
  // What a process's recording cannot do goes to memtrace's own stderr (never the app's), each note once.
  const said = new Set<string>();
  // A script's broken source map is said once, also on memtrace's stderr; its frames stay in the compiled code.
  // The source-map pass (the protobuf runtime, the map library) loads with the first records, once the app runs.
  let mapped: MappedRecords | undefined;
  const rewrite = (records: Buffer[]): Buffer[] => {
    if (options.sourceMaps === false) return records;
    mapped ??= (require("./mapped-records") as typeof import("./mapped-records")).mappedOnThisMachine((line) =>
      process.stderr.write(`memtrace: ${line}\n`),
    );
    return mapped.rewrite(records);
  };
  const server = new CaptureServer({
    write: (records) => output.write(rewrite(records)),
    opened: (records) => {
      for (const note of peekHeaderNotes(records)) {
        if (!said.has(note)) process.stderr.write(`memtrace: ${note}\n`);
        said.add(note);
      }
    },
  });
  await server.listen();

  let child: ReturnType<typeof startApp>;
  try {
    const env = recordingEnv(process.env, server.socketPath, options, knownNodes(command, process.env.PATH));
    child = startApp(command, env, stdio);
  } catch (e) {
    // No native recorder, say: the listening channel would keep memtrace running after it said so.
    server.close();
    throw e;
  }
  const stopForwarding = forwardSignals(child, atTerminal);
  const ended = new Promise<AppEnd>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  // A rejection is handled by whoever awaits `ended`; this keeps it from being reported as unhandled meanwhile.
  ended.catch(() => {});
  const output = new CaptureOutput(stream(child.pid ?? process.pid), {
    compress,
    compressor: options.compressor,
    onDrain: () => server.resume(),
    onNote: (line) => process.stderr.write(`memtrace: ${line}\n`),
    onFailure: (e) => {
      // Recording stops; the app runs on unharmed. A reader that went away (`| head`) is the user's choice.
      if (!isReaderGone(e) && e.code !== "ECONNRESET") {
        process.stderr.write(`memtrace record: stopped recording: ${name()}: ${e.message}; the app runs on\n`);
      }
      server.disconnectAll();
    },
  });
  const finish = async () => {
    // The app's own channel closes with it; children that outlive it get a moment to finish theirs.
    await server.whenAllClosed(STRAGGLER_GRACE_MS);
    stopForwarding();
    server.close();
    await output.end();
  };
  return { command, child, server, output, ended, finish, stopForwarding };
}

/** Waits for the app's end; one that could not be started becomes AppNotFound (or its error). */
export async function appEnded(r: Recording): Promise<AppEnd> {
  try {
    return await r.ended;
  } catch (e) {
    r.stopForwarding();
    r.server.close();
    await r.output.end();
    const err = e as NodeJS.ErrnoException;
    throw err.code === "ENOENT" ? new AppNotFound(`cannot run ${r.command.file}: not found`) : err;
  }
}

/** Runs the recording to its end; memtrace's exit status becomes the app's. */
export async function record(words: string[], options: RecordOptions): Promise<void> {
  const command = appCommand(words);
  const toTerminal = options.output === undefined && process.stdout.isTTY === true;
  const captureOnStdout = options.output === undefined && !toTerminal;
  // A file given with -o is opened before the app starts: one that cannot be written is a usage error.
  const file = options.output === undefined ? undefined : openCaptureFile(options.output);
  // A file named after the script (stdout at a terminal) is a regular file: no descriptor to look at.
  const compress = options.compress ?? compressByDefault(file ?? (captureOnStdout ? 1 : undefined));
  let path: string | undefined;
  const stream = (appPid: number): Writable => {
    path = options.output ?? (toTerminal ? `memtrace-${command.label}.${appPid}.mtrace` : undefined);
    keepRunningWhenReaderGoes();
    if (file !== undefined) return createWriteStream("", { fd: file, highWaterMark: CAPTURE_HIGH_WATER_MARK });
    if (path !== undefined) return createWriteStream(path, { highWaterMark: CAPTURE_HIGH_WATER_MARK });
    return process.stdout;
  };
  const atTerminal = process.stdin.isTTY === true || process.stderr.isTTY === true;
  const stdio: AppStdio = captureOnStdout ? "capture-on-stdout" : "inherit";
  // The file named after the script takes the app's pid, known once it runs: the stream is made after the spawn.
  const r = await startRecording(command, options, stream, () => path ?? "stdout", stdio, compress, atTerminal);
  const end = await appEnded(r);
  await r.finish();
  if (path && toTerminal && !r.output.failed) {
    const n = r.server.connections;
    process.stderr.write(
      `memtrace: wrote ${path} (${n} process${n === 1 ? "" : "es"}); look at it with\n` +
        `  memtrace summary ${path}\n` +
        `  memtrace fold ${path} | memtrace flame > ${basename(path, ".mtrace")}.svg\n`,
    );
  }
  exitLikeApp(end.code, end.signal);
}

/** The program to record could not be started. */
export class AppNotFound extends Error {}
