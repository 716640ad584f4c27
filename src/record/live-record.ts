// `memtrace record --live` and `--live-port`: the recording as `record` makes it, written to a file that a fold
// worker follows (src/live/). The file is -o's, or a temporary one, unlinked at once, that only this process
// can still read: the recorder writes at its own pace and never waits for the fold or for a viewer.
//
// --live: this terminal shows the view; the app's stdout and stderr go to a log file named on screen (the
// view has the terminal), its stdin is /dev/null. Ctrl-C is sent to the app as the terminal would send it; q
// stops the app the same way, waits for its end and exits with its exit code; after the app's end, the view
// stays until q.
// --live-port: a viewer connects over TCP (memtrace live PORT) as often as it likes; the app keeps its stdio.
import { closeSync, createWriteStream, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { UsageError } from "../errors";
import { FoldThread } from "../live/fold-thread";
import { LiveServer } from "../live/remote";
import type { AppStatus } from "../live/snapshot";
import { NoTerminal, TerminalScreen, openTerminal } from "../live/terminal";
import { Viewer } from "../live/viewer";
import { appCommand, exitLikeApp, type AppStdio } from "./launcher";
import { CAPTURE_HIGH_WATER_MARK, appEnded, startRecording, type AppEnd, type RecordOptions } from "./record";

export interface LiveOptions {
  /** Show the view in this terminal. */
  view: boolean;
  /** Serve the view to `memtrace live` on this port (0: any free one). */
  port?: number;
  host: string;
  /** NO_COLOR and --no-color: false. */
  color: boolean;
}

/** Opens the capture's file for writing and for the fold to read: -o's, or an unlinked temporary file. */
function openLiveCapture(output: string | undefined): number {
  if (output !== undefined) {
    try {
      return openSync(output, "w+");
    } catch (e) {
      throw new UsageError(`cannot write ${output}: ${(e as Error).message}`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "memtrace-live-"));
  try {
    return openSync(join(dir, "capture.mtrace"), "w+");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function recordLive(words: string[], options: RecordOptions, live: LiveOptions): Promise<void> {
  const command = appCommand(words);
  let terminal;
  try {
    terminal = live.view ? openTerminal(false) : undefined;
  } catch (e) {
    if (e instanceof NoTerminal) {
      throw new UsageError(`--live: ${e.message}; record with -o FILE, or serve the view with --live-port PORT`);
    }
    throw e;
  }
  const fd = openLiveCapture(options.output);
  const logFile = live.view ? `memtrace-${command.label}.${process.pid}.log` : undefined;
  let logFd: number | undefined;
  if (logFile) {
    try {
      logFd = openSync(logFile, "a");
    } catch (e) {
      throw new UsageError(`cannot write the app's log ${logFile}: ${(e as Error).message}`);
    }
  }
  const fold = new FoldThread({ fd, kind: "file", follow: true });
  let server: LiveServer | undefined;
  if (live.port !== undefined) {
    server = new LiveServer(fold, live.host, live.port);
    const where = await server.listen();
    const scope = where.loopback
      ? "on the loopback address only (--live-host 0.0.0.0 serves other machines)"
      : "to other machines too";
    process.stderr.write(
      `memtrace: serving the live view on ${where.host}:${where.port}, ${scope}; watch it with\n` +
        `  memtrace live ${where.loopback ? where.port : `${where.host}:${where.port}`}\n`,
    );
  }

  const stdio: AppStdio = logFd !== undefined ? ["ignore", logFd, logFd] : "inherit";
  // Compressed by default, as any capture written to a regular file (the temporary one is one too).
  const compress = options.compress ?? true;
  const r = await startRecording(
    command,
    options,
    () => createWriteStream("", { fd, highWaterMark: CAPTURE_HIGH_WATER_MARK, autoClose: false }),
    () => options.output ?? "the live view's capture",
    stdio,
    compress,
    // At the view, the terminal's Ctrl-C is a key (raw mode): the view sends it on.
    !live.view && (process.stdin.isTTY === true || process.stderr.isTTY === true),
  );
  if (logFd !== undefined) closeSync(logFd);
  const appPid = r.child.pid;
  const status: AppStatus = { running: true, logFile: logFile && resolve(logFile) };
  server?.setApp(status);

  let viewer: Viewer | undefined;
  const interrupt = () => {
    if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGINT");
  };
  if (terminal) {
    viewer = new Viewer(new TerminalScreen(terminal), {
      color: live.color,
      onInterrupt: interrupt,
      quitWords: "q stops the app (SIGINT, as Ctrl-C) and quits.",
    });
    viewer.start();
    viewer.attach(fold.source());
    viewer.setApp(status);
  }

  let end: AppEnd | undefined;
  const appDone = (async () => {
    try {
      end = await appEnded(r);
    } finally {
      await r.finish();
      fold.complete();
    }
  })();
  try {
    await untilTheEnd();
  } finally {
    viewer?.stop();
  }
  async function untilTheEnd(): Promise<void> {
    if (viewer) {
      // q before the app's end stops the app as Ctrl-C would, and memtrace waits for it.
      const quitFirst = await Promise.race([viewer.quit.then(() => true), appDone.then(() => false)]);
      if (quitFirst) {
        viewer.stop();
        process.stderr.write(`memtrace: stopping the app (pid ${appPid}) with SIGINT, as Ctrl-C would…\n`);
        interrupt();
        await appDone;
      } else {
        const ended = { ...status, running: false, code: end!.code, signal: end!.signal };
        viewer.setApp(ended);
        server?.setApp(ended);
        await viewer.quit;
        viewer.stop();
      }
    } else {
      await appDone;
      server?.setApp({ ...status, running: false, code: end!.code, signal: end!.signal });
    }
  }
  // The fold reads what is left (a second at most for what the view shows), then the viewers get the last of it.
  await Promise.race([fold.done, new Promise((r) => setTimeout(r, 2000))]);
  await server?.close();
  await fold.terminate();
  closeSync(fd);
  if (logFile) process.stderr.write(`memtrace: the app's output is in ${logFile}\n`);
  if (options.output) process.stderr.write(`memtrace: wrote ${options.output}\n`);
  exitLikeApp(end!.code, end!.signal);
}
