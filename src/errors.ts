// Every kind of failure memtrace reports to a user, below every layer that throws them. The CLI maps each kind to
// an exit status (src/cli/io.ts): a usage mistake 2, bad input 1; anything else is a bug ("internal error").
export { CaptureError, type CaptureWarning } from "./codec/errors";

/** A usage mistake (an option's value, a combination of options): printed as one line, exit status 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Bad input that is not a capture problem (a missing file, a directory): printed as one line, exit status 1. */
export class InputError extends Error {
  override readonly name = "InputError";
}

/** Whether an error only means that the reader of our output went away (`| head`): not a failure. */
export function isReaderGone(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === "EPIPE" || code === "ERR_STREAM_PREMATURE_CLOSE" || code === "ERR_STREAM_DESTROYED";
}
