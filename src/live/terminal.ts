// The terminal under the live view: the alternate screen (what was on the terminal comes back at the end), no
// cursor, keys one by one without echo, the size as it changes, and everything put back however memtrace ends.
// A frame is drawn in one write, each line cleared to its end: no flicker, no scrolling. Only the lines that
// changed since the last frame are written (a few hundred bytes a frame instead of the screen), and the whole
// screen after a resize and once a second, which also wipes what another process wrote to the terminal.
import { openSync } from "node:fs";
import { ReadStream, WriteStream } from "node:tty";

export interface TerminalIO {
  output: NodeJS.WriteStream;
  input: NodeJS.ReadStream;
  /**
   * Other processes share this terminal (`memtrace record app.js | memtrace live`): a node process puts back the
   * terminal's modes as it found them when it exits, which ends raw mode under the view.
   */
  shared?: boolean;
}

/** No terminal to show the view on: the one line memtrace says instead. */
export class NoTerminal extends Error {}

/**
 * The terminal to draw on (stdout) and to read keys from: stdin, or /dev/tty when stdin carries a capture
 * (`memtrace record app.js | memtrace live`).
 */
export function openTerminal(keysFromTty: boolean): TerminalIO {
  if (!process.stdout.isTTY) {
    throw new NoTerminal("the live view needs a terminal, and stdout is not one");
  }
  if (!keysFromTty && process.stdin.isTTY) return { output: process.stdout, input: process.stdin };
  let fd: number;
  try {
    fd = openSync("/dev/tty", "r");
  } catch {
    throw new NoTerminal("the live view needs a terminal to read keys from, and /dev/tty cannot be opened");
  }
  return { output: process.stdout, input: new ReadStream(fd), shared: true };
}

const WHOLE_SCREEN_MS = 1000;

export class TerminalScreen {
  private started = false;
  private readonly restore = () => this.stop();
  private reassert: NodeJS.Timeout | undefined;
  /** The lines on the terminal now, at the size they were drawn for, and when the whole screen was last drawn. */
  private shown: string[] = [];
  private shownSize = "";
  private wholeAt = 0;

  constructor(private readonly io: TerminalIO) {}

  get width(): number {
    return Math.max(20, this.io.output.columns || 80);
  }

  get height(): number {
    return Math.max(5, this.io.output.rows || 24);
  }

  start(onKey: (key: string) => void, onResize: () => void): void {
    this.started = true;
    this.shown = [];
    const input = this.io.input as ReadStream;
    if (input.isTTY) input.setRawMode(true);
    input.setEncoding("utf8");
    input.on("data", (data: string) => {
      // Several keys may come in one read (a paste, tmux's send-keys): each is handled.
      for (const key of splitKeys(data)) onKey(key);
    });
    input.resume();
    (this.io.output as WriteStream).on("resize", onResize);
    process.on("exit", this.restore);
    this.io.output.write("\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J");
    if (this.io.shared && input.isTTY) {
      // libuv remembers the mode it set and would not set it again: off and on, once a second.
      this.reassert = setInterval(() => input.setRawMode(false).setRawMode(true), 1000);
      this.reassert.unref();
    }
  }

  draw(lines: string[]): void {
    if (!this.started) return;
    const size = `${this.width}x${this.height}`;
    const now = Date.now();
    if (size !== this.shownSize || lines.length !== this.shown.length || now - this.wholeAt >= WHOLE_SCREEN_MS) {
      this.io.output.write("\x1b[H" + lines.map((l) => l + "\x1b[K").join("\r\n") + "\x1b[J");
      this.wholeAt = now;
    } else {
      let changed = "";
      for (let i = 0; i < lines.length; i++) {
        if (lines[i] !== this.shown[i]) changed += `\x1b[${i + 1};1H${lines[i]}\x1b[K`;
      }
      if (changed) this.io.output.write(changed);
    }
    this.shown = lines;
    this.shownSize = size;
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    process.off("exit", this.restore);
    clearInterval(this.reassert);
    const input = this.io.input as ReadStream;
    try {
      if (input.isTTY) input.setRawMode(false);
    } catch {
      // The terminal went away.
    }
    input.pause();
    if (input !== (process.stdin as unknown)) input.destroy();
    this.io.output.write("\x1b[?25h\x1b[?1049l");
  }
}

/** Keys in a read: escape sequences (arrows) stay whole, other characters one by one. */
export function splitKeys(data: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < data.length;) {
    // eslint-disable-next-line no-control-regex -- an escape sequence starts with ESC
    const m = /^\x1b\[[0-9;]*[A-Za-z~]/.exec(data.slice(i));
    const key = m ? m[0] : String.fromCodePoint(data.codePointAt(i)!);
    keys.push(key);
    i += key.length;
  }
  return keys;
}
