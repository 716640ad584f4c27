// The edges of every command: where bytes come from and go to, and how failures become one line and an exit code.
import { createReadStream, createWriteStream, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CaptureError, InputError, UsageError, isReaderGone } from "../errors";

/** Exit statuses: 0 success, 1 bad input, 2 bad usage. */
export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 1;
export const EXIT_USAGE = 2;

export interface Input {
  stream: Readable;
  /** How errors name it: the file's path, or "stdin". */
  name: string;
}

/** How messages name the input: the file's path, or "stdin". */
export function inputName(file: string | undefined): string {
  return file === undefined || file === "-" ? "stdin" : file;
}

export function openInput(file: string | undefined, command: string): Input {
  if (file === undefined || file === "-") {
    if (process.stdin.isTTY) {
      throw new UsageError(
        `no input: give a capture file (memtrace ${command} app.mtrace) or pipe one in (memtrace record app.js | memtrace ${command})`,
      );
    }
    return { stream: process.stdin, name: "stdin" };
  }
  checkInputFile(file);
  return { stream: createReadStream(file, { highWaterMark: 256 * 1024 }), name: file };
}

/**
 * Fails early, with the file's name, when it cannot be read: a stream opened on it would fail later, after other
 * stages have started (or, if none is listening yet, as an unhandled error).
 */
export function checkInputFile(file: string): void {
  let stats;
  try {
    stats = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new InputError(`no such file: ${file}`);
    throw new InputError(`${file}: ${(e as Error).message}`);
  }
  if (stats.isDirectory()) throw new InputError(`${file} is a directory, not a capture file`);
}

export interface Output {
  stream: Writable;
  name: string;
}

/** stdout, or the file of -o. Refuses to write binary output to a terminal, and says what to do instead. */
export function openOutput(file: string | undefined, binary: boolean, command: string, example: string): Output {
  checkOutput(file, binary, command, example);
  if (file !== undefined && file !== "-") return { stream: createWriteStream(file), name: file };
  return { stream: process.stdout, name: "stdout" };
}

/** What openOutput would refuse, found before anything is opened. */
export function checkOutput(file: string | undefined, binary: boolean, command: string, example: string): void {
  if (file !== undefined && file !== "-") checkOutputFile(file);
  else if (binary && process.stdout.isTTY) {
    throw new UsageError(
      `the output of ${command} is binary and stdout is a terminal: write it to a file with -o (${example} -o out.mtrace) or pipe it into another command (${example} | memtrace flame > flame.svg)`,
    );
  }
}

/**
 * The input and the output of a command, both checked before either is opened: a stream opened on the input
 * and then left unread would fail with no one listening, and an output opened first would truncate a file.
 */
export function openInputOutput(
  file: string | undefined,
  outputFile: string | undefined,
  binary: boolean,
  command: string,
): { input: Input; output: Output } {
  if (file !== undefined && file !== "-") checkInputFile(file);
  checkOutput(outputFile, binary, command, `memtrace ${command}`);
  const input = openInput(file, command);
  return { input, output: openOutput(outputFile, binary, command, `memtrace ${command}`) };
}

/** Fails early, with the file's name, when -o names a directory or a file in a folder that does not exist. */
function checkOutputFile(file: string): void {
  if (isDirectory(file)) throw new InputError(`cannot write ${file}: it is a directory`);
  const folder = dirname(file);
  if (!isDirectory(folder)) throw new InputError(`cannot write ${file}: no such folder ${folder}`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Runs the stages of a command; resolves to the exit status after printing any failure as one line. */
export type Stage = NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream;

function exitIfReaderGone(e: Error): void {
  if (isReaderGone(e)) process.exit(EXIT_OK);
}

/**
 * A reader that goes away (`| head`) makes stdout emit EPIPE asynchronously, outside any pipeline's error path,
 * also while commander writes help: memtrace then exits 0 without a word.
 */
export function exitQuietlyWhenReaderGoes(): void {
  if (!process.stdout.listeners("error").includes(exitIfReaderGone)) process.stdout.on("error", exitIfReaderGone);
}

/** For `record`, whose app runs on when the capture's reader goes away: stdout's errors are its own to handle. */
export function keepRunningWhenReaderGoes(): void {
  process.stdout.off("error", exitIfReaderGone);
}

export async function run(command: string, input: Input | undefined, stages: Stage[]): Promise<number> {
  exitQuietlyWhenReaderGoes();
  try {
    await pipeline(stages);
    return EXIT_OK;
  } catch (e) {
    return report(command, input?.name, e);
  }
}

/** Prints a failure as one line on stderr and returns its exit status. */
export function report(command: string, inputName: string | undefined, e: unknown): number {
  if (isReaderGone(e)) return EXIT_OK;
  const where = inputName ? `${inputName}: ` : "";
  if (e instanceof UsageError) {
    process.stderr.write(`memtrace ${command}: ${e.message}\n`);
    return EXIT_USAGE;
  }
  if (e instanceof CaptureError) {
    process.stderr.write(`memtrace ${command}: ${where}${e.describe()}\n`);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof InputError) {
    process.stderr.write(`memtrace ${command}: ${e.message}\n`);
    return EXIT_BAD_INPUT;
  }
  const err = e as NodeJS.ErrnoException;
  if (err?.code === "ENOENT" && err.path) {
    process.stderr.write(`memtrace ${command}: no such file: ${err.path}\n`);
    return EXIT_BAD_INPUT;
  }
  if (err?.code === "EISDIR" || err?.code === "EACCES" || err?.code === "ENOSPC" || err?.code === "EROFS") {
    // A read of a directory fails with EISDIR and no path: name the input instead ("dir: EISDIR: ...").
    process.stderr.write(`memtrace ${command}: ${err.path ? `${err.path}: ` : where}${err.message}\n`);
    return EXIT_BAD_INPUT;
  }
  process.stderr.write(
    `memtrace ${command}: internal error: ${err?.message ?? String(e)} (this is a bug in memtrace; set MEMTRACE_DEBUG=1 for details)\n`,
  );
  if (process.env.MEMTRACE_DEBUG) process.stderr.write(`${err?.stack}\n`);
  return EXIT_BAD_INPUT;
}

/** Prints a decoder warning (a truncated capture) as one line on stderr. */
export function warn(command: string, inputName: string, message: string): void {
  process.stderr.write(`memtrace ${command}: warning: ${inputName}: ${message}\n`);
}
