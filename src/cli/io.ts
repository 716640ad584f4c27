// The edges of every command: where bytes come from and go to, and how failures become one line and an exit code.
import { createReadStream, createWriteStream } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CaptureError } from "../codec/errors";

/** Exit statuses: 0 success, 1 bad input, 2 bad usage. */
export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 1;
export const EXIT_USAGE = 2;

/** A usage mistake: printed as one line, exit status 2. */
export class UsageError extends Error {}

/** Bad input that is not a capture problem (a missing file): printed as one line, exit status 1. */
export class InputError extends Error {}

export interface Input {
  stream: Readable;
  /** How errors name it: the file's path, or "stdin". */
  name: string;
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
  return { stream: createReadStream(file, { highWaterMark: 256 * 1024 }), name: file };
}

export interface Output {
  stream: Writable;
  name: string;
}

/** stdout, or the file of -o. Refuses to write binary output to a terminal, and says what to do instead. */
export function openOutput(file: string | undefined, binary: boolean, command: string, example: string): Output {
  if (file !== undefined && file !== "-") return { stream: createWriteStream(file), name: file };
  if (binary && process.stdout.isTTY) {
    throw new UsageError(
      `the output of ${command} is binary and stdout is a terminal: write it to a file with -o (${example} -o out.mtrace) or pipe it into another command (${example} | memtrace flame > flame.svg)`,
    );
  }
  return { stream: process.stdout, name: "stdout" };
}

/** Whether an error only means that the reader of our output went away (`| head`): not a failure. */
export function isReaderGone(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === "EPIPE" || code === "ERR_STREAM_PREMATURE_CLOSE" || code === "ERR_STREAM_DESTROYED";
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
