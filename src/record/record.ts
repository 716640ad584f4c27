// `memtrace record`: runs the app with every process recording itself into its own channel, merges the
// channels into one capture, and ends the way the app ended.
import { createWriteStream, fstatSync, openSync } from "node:fs";
import { basename } from "node:path";
import type { Writable } from "node:stream";
import { keepRunningWhenReaderGoes } from "../cli/io";
import { UsageError, isReaderGone } from "../errors";
import { peekHeaderNotes } from "../codec/header-peek";
import { CaptureOutput } from "./capture-output";
import { CaptureServer } from "./capture-server";
import type { MappedRecords } from "./mapped-records";
import {
  appCommand,
  exitLikeApp,
  forwardSignals,
  knownNodes,
  recordingEnv,
  startApp,
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
  /** LZ4; undefined: when the capture goes to a regular file. */
  compress?: boolean;
  /** Place JS frames of scripts with source maps in their original sources (the default). */
  sourceMaps?: boolean;
}

/**
 * Whether a capture is compressed when the user did not say: when it goes to a regular file. It is then about
 * 3x smaller, and recording is no slower, often faster (bench/record/overhead.ts): compressing costs the
 * launcher less than the kernel spends writing the bytes it saves. A pipe's reader takes the capture as it
 * comes, and would only have LZ4 to undo; a device (/dev/null) keeps nothing.
 */
export function compressByDefault(fd: number | undefined): boolean {
  try {
    return fd === undefined || fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

/** How long processes that outlive the app (detached children) may keep their channels open after it ends. */
const STRAGGLER_GRACE_MS = 2000;

/** Runs the recording to its end; memtrace's exit status becomes the app's. */
export async function record(words: string[], options: RecordOptions): Promise<void> {
  const command = appCommand(words);
  const toTerminal = options.output === undefined && process.stdout.isTTY === true;
  const captureOnStdout = options.output === undefined && !toTerminal;
  // A file given with -o is opened before the app starts: one that cannot be written is a usage error.
  const file = options.output === undefined ? undefined : openCaptureFile(options.output);

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
    child = startApp(command, env, captureOnStdout);
  } catch (e) {
    // No native recorder, say: the listening channel would keep memtrace running after it said so.
    server.close();
    throw e;
  }
  const stopForwarding = forwardSignals(child, process.stdin.isTTY === true || process.stderr.isTTY === true);
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });

  const path =
    options.output ?? (toTerminal ? `memtrace-${command.label}.${child.pid ?? process.pid}.mtrace` : undefined);
  // The channels pause when the file's stream holds 4 MiB not yet written (a disk slower than the app), not at
  // every write: pausing and resuming every socket costs system calls.
  const highWaterMark = 4 * 1024 * 1024;
  let stream: Writable = process.stdout;
  keepRunningWhenReaderGoes();
  if (file !== undefined) stream = createWriteStream("", { fd: file, highWaterMark });
  else if (path !== undefined) stream = createWriteStream(path, { highWaterMark });
  // A file named after the script (stdout at a terminal) is a regular file: no descriptor to look at.
  const compress = options.compress ?? compressByDefault(file ?? (captureOnStdout ? 1 : undefined));
  const output = new CaptureOutput(stream, {
    compress,
    onDrain: () => server.resume(),
    onFailure: (e) => {
      // Recording stops; the app runs on unharmed. A reader that went away (`| head`) is the user's choice.
      if (!isReaderGone(e) && e.code !== "ECONNRESET") {
        process.stderr.write(
          `memtrace record: stopped recording: ${path ?? "stdout"}: ${e.message}; the app runs on\n`,
        );
      }
      server.disconnectAll();
    },
  });

  let end: { code: number | null; signal: NodeJS.Signals | null };
  try {
    end = await ended;
  } catch (e) {
    stopForwarding();
    server.close();
    await output.end();
    const err = e as NodeJS.ErrnoException;
    throw err.code === "ENOENT" ? new AppNotFound(`cannot run ${command.file}: not found`) : err;
  }
  // The app's own channel closes with it; children that outlive it get a moment to finish theirs.
  await server.whenAllClosed(STRAGGLER_GRACE_MS);
  stopForwarding();
  server.close();
  await output.end();
  if (path && toTerminal && !output.failed) {
    process.stderr.write(
      `memtrace: wrote ${path} (${server.connections} process${server.connections === 1 ? "" : "es"}); look at it with\n` +
        `  memtrace summary ${path}\n` +
        `  memtrace fold ${path} | memtrace flame > ${basename(path, ".mtrace")}.svg\n`,
    );
  }
  exitLikeApp(end.code, end.signal);
}

/** The program to record could not be started. */
export class AppNotFound extends Error {}
