// The `memtrace live` command: options and help. The work is in src/live/watch.ts.
import type { Command } from "commander";
import { UsageError } from "../errors";
import { NoTerminal } from "../live/terminal";
import { watchCapture, watchRemote } from "../live/watch";
import { report } from "./io";

/** A port, or host:port ([v6]:port); undefined when `target` is neither (then it is a file). */
export function parseLiveAddress(target: string): { host: string; port: number } | undefined {
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(target);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new UsageError(`expected a port from 1 to 65535, got "${m[2]}"`);
  return { host: m[1] ? m[1].replace(/^\[|\]$/g, "") : "127.0.0.1", port };
}

export function registerLiveCommand(program: Command): void {
  program
    .command("live")
    .summary("watch memory live: a recorder's --live-port, a capture as it grows, or a pipe")
    .description(
      "Shows the live view (memtrace record --live) of a recording made elsewhere: PORT or HOST:PORT connects to " +
        "a `memtrace record --live-port PORT`; a file is read and followed as it grows; with no argument (or -) " +
        "a capture is read from stdin, and keys from the terminal. Keys: t, o, a sort by total bytes, own bytes, " +
        "allocations; < and > switch threads (and processes); m merges threads; l, p, r show what is live now, " +
        "what was live at the peak, what was allocated in the last 10 s; space pauses; q quits.",
    )
    .argument("[target]", "PORT, HOST:PORT, a capture file, or - for stdin")
    .option("--no-color", "no colors (NO_COLOR in the environment does the same)")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  $ memtrace record --live-port 9001 app.js      # then, in another terminal:\n" +
        "  $ memtrace live 9001\n" +
        "  $ memtrace live server.example:9001\n" +
        "  $ memtrace live app.mtrace\n" +
        "  $ memtrace record app.js | memtrace live\n",
    )
    .action(async (target: string | undefined, opts: { color: boolean }) => {
      const color = opts.color && !process.env.NO_COLOR && process.env.TERM !== "dumb";
      try {
        const address = target === undefined ? undefined : parseLiveAddress(target);
        if (address) await watchRemote(address.host, address.port, { color });
        else {
          if ((target === undefined || target === "-") && process.stdin.isTTY) {
            throw new UsageError(
              "nothing to watch: give a port (memtrace live 9001), a capture file, or pipe a recording in",
            );
          }
          await watchCapture(target, { color });
        }
      } catch (e) {
        process.exitCode = report("live", undefined, e instanceof NoTerminal ? new UsageError(e.message) : e);
      }
    });
}
