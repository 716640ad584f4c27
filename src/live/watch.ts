// `memtrace live`: the view of a recording made elsewhere, in this terminal. From a recorder's port (another
// terminal, another machine), from a capture file as it grows, or from a pipe (`memtrace record app.js |
// memtrace live`, keys then come from /dev/tty).
import { closeSync, createReadStream, fstatSync, openSync } from "node:fs";
import { InputError } from "../errors";
import { FoldThread } from "./fold-thread";
import { RemoteSource } from "./remote";
import { TerminalScreen, openTerminal } from "./terminal";
import { Viewer } from "./viewer";

export interface WatchOptions {
  color: boolean;
}

/** Watches a recorder's live view; resolves when the viewer quits. */
export async function watchRemote(host: string, port: number, options: WatchOptions): Promise<void> {
  const viewer = new Viewer(new TerminalScreen(openTerminal(false)), { color: options.color });
  const where = `${host}:${port}`;
  let connected = false;
  const source = new RemoteSource(host, port, (state, detail) => {
    if (state === "connected") {
      connected = true;
      viewer.setNotice("");
    } else if (state === "refused" && !connected) {
      viewer.setNotice(`Nothing serves a live view on ${where} (yet): trying again. q quits.`);
      setTimeout(() => source.connect(), 1000);
    } else {
      const ended = viewer.current?.app?.running === false;
      viewer.setNotice(
        ended
          ? `The recording on ${where} ended; this is its last state. q quits.`
          : `The connection to ${where} closed${detail ? ` (${detail})` : ""}. q quits.`,
      );
    }
  });
  viewer.start();
  viewer.setNotice(`Connecting to ${where}…`);
  viewer.attach(source);
  source.connect();
  await viewer.quit;
  viewer.stop();
}

/** Watches a capture: a file (followed as it grows) or stdin (a pipe); resolves when the viewer quits. */
export async function watchCapture(file: string | undefined, options: WatchOptions): Promise<void> {
  let fd: number;
  if (file === undefined || file === "-") fd = 0;
  else {
    try {
      fd = openSync(file, "r");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new InputError(code === "ENOENT" ? `no such file: ${file}` : `${file}: ${(e as Error).message}`);
    }
  }
  const stats = fstatSync(fd);
  if (stats.isDirectory()) throw new InputError(`${file} is a directory, not a capture file`);
  const terminal = openTerminal(fd === 0);
  const fold = new FoldThread(stats.isFile() ? { fd, kind: "file", follow: true } : { kind: "chunks", follow: true });
  if (!stats.isFile()) fold.feed(fd === 0 ? process.stdin : createReadStream("", { fd }));
  const viewer = new Viewer(new TerminalScreen(terminal), { color: options.color });
  viewer.start();
  viewer.attach(fold.source());
  const name = fd === 0 ? "stdin" : file!;
  viewer.setNotice(stats.isFile() ? `Following ${name} as it grows. q quits.` : `Reading ${name}. q quits.`);
  void fold.done.then(() => {
    if (!stats.isFile()) viewer.setNotice(`${name} ended; this is its last state. q quits.`);
  });
  await viewer.quit;
  viewer.stop();
  await fold.terminate();
  if (fd !== 0) closeSync(fd);
}
