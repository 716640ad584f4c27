// A progress line on stderr while a long command reads its input: shown only when stderr is a terminal, only
// after the first second (short runs stay quiet), redrawn at most ten times a second, erased at the end.
import { statSync } from "node:fs";
import { PassThrough, type Transform } from "node:stream";

const DELAY_MS = 1000;
const REDRAW_MS = 100;
const BAR = 30;

export interface ProgressOptions {
  /** Where to draw (stderr); progress is drawn only if it is a terminal. */
  out?: NodeJS.WriteStream;
  /** Milliseconds before the first draw. */
  delayMs?: number;
}

/** A pass-through stage that counts the input's bytes and draws the progress line. */
export function progress(command: string, file: string | undefined, options: ProgressOptions = {}): Transform {
  const out = options.out ?? process.stderr;
  const stage = new PassThrough();
  if (!out.isTTY) return stage;
  const total = file && file !== "-" ? sizeOf(file) : undefined;
  const start = Date.now();
  let read = 0;
  let drawn = false;
  let last = 0;
  const draw = () => {
    const now = Date.now();
    if (now - start < (options.delayMs ?? DELAY_MS) || now - last < REDRAW_MS) return;
    last = now;
    drawn = true;
    const rate = read / ((now - start) / 1000);
    const text = total ? bar(read / total) : `${mib(read)} read`;
    out.write(`\r\x1b[K${command}: ${text} ${mib(rate)}/s`);
  };
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  stage.on("data", (chunk: Buffer) => {
    read += chunk.length;
  });
  const stop = () => {
    clearInterval(timer);
    if (drawn) out.write("\r\x1b[K");
  };
  stage.on("end", stop);
  stage.on("close", stop);
  stage.on("error", stop);
  return stage;
}

function sizeOf(file: string): number | undefined {
  try {
    const size = statSync(file).size;
    return size > 0 ? size : undefined;
  } catch {
    return undefined;
  }
}

function bar(fraction: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * BAR);
  return `[${"#".repeat(full)}${" ".repeat(BAR - full)}] ${(f * 100).toFixed(0).padStart(3)}%`;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
