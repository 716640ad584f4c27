// The `memtrace record` command: options and help. The work is in record.ts.
import { InvalidArgumentError, Option, type Command } from "commander";
import { EXIT_USAGE } from "../cli/io";
import { UsageError } from "../errors";
import { NativeBuildMissing } from "./native";
import { PAIRED_BY_DEFAULT } from "./paired";
import type { Compressor } from "./capture-output";
import { AppNotFound, record } from "./record";

/** A parser of whole numbers from `min` to `max` for an option (attach's options are record's). */
export function intIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

// V8's sampling heap profiler's mean bytes between samples: V8's and Node's (--heap-prof) default. Each sample
// costs V8 a few microseconds (a stack walk, a weak handle): on a JS-allocation-heavy workload, sampling every
// 512 KiB added 3-6% to a recording's time, every 128 KiB 10-11%, every 32 KiB 44-45%
// (bench/record/js-sampling.ts). A finer interval places small heaps better: --js-interval 32768 for a few MiB
// of objects.
const DEFAULT_JS_INTERVAL = 512 * 1024;

interface RecordCliOptions {
  output?: string;
  compress?: boolean;
  compressor?: Compressor;
  stackDepth: number;
  memoryInterval: number;
  exactTimes?: boolean;
  children: boolean;
  nativeOnly?: boolean;
  completeNames?: boolean;
  inlining?: boolean;
  allTiers?: boolean;
  jsInterval: number;
  jsPoll: number;
  jsAll?: boolean;
  paired?: boolean;
  sourceMaps: boolean;
  live?: boolean;
  livePort?: number;
  liveHost: string;
  color: boolean;
}

/**
 * --live and --live-port stay unpaired by default: the writer's pairing runs in the app's process, and on a busy
 * machine it cost the app more than the live fold's pairing saved (docs/live.md).
 */
const LIVE_PAIRED_BY_DEFAULT = false;

/** --paired or --no-paired; else MEMTRACE_PAIRED when set (the tests'), else the default. */
function pairedOf(opts: RecordCliOptions, byDefault: boolean): boolean | undefined {
  return opts.paired ?? (process.env.MEMTRACE_PAIRED === undefined ? byDefault : undefined);
}

export function registerRecordCommand(program: Command): void {
  // Options after the script are the script's own (`memtrace record app.js --port 80`): commander passes them
  // through only when the program parses options by position.
  program.enablePositionalOptions();
  program
    .command("record")
    .summary("run a Node.js app and record every native allocation, with JS and native stacks")
    .description(
      "Runs the app with every native allocation (malloc and friends, operator new, mmap) of every process it " +
        "starts recorded with its call stack: JavaScript functions with their file and line, and native functions " +
        "by name. Child processes and worker threads go into the same capture. The capture goes to stdout when it " +
        "is a pipe or a file, and to memtrace-<script>.<pid>.mtrace when stdout is a terminal. The app's stdout " +
        "goes to stderr when the capture takes stdout; its exit code becomes memtrace's.",
    )
    .argument("<script|command...>", "script.js [args], or -- node [node-options] script.js [args]")
    .option("-o, --output <file>", "write the capture to this file")
    .option("--compress", "compress the capture (zstd: 5-15x smaller), also when it goes to a pipe")
    .option("--no-compress", "do not compress the capture, also when it goes to a file")
    .addOption(
      new Option(
        "--compressor <name>",
        "the compressor: zstd (the default) or lz4 (what earlier memtrace wrote)",
      ).choices(["zstd", "lz4"]),
    )
    .option("--stack-depth <n>", "the most frames recorded per stack", intIn(1, 512), 128)
    .option(
      "--memory-interval <ms>",
      "sample RSS and the V8 heap every <ms> milliseconds (0: never)",
      intIn(0, 60000),
      10,
    )
    .option(
      "--exact-times",
      "read the clock at every allocation and free (2-12 ns an event more, by machine) rather than on a thread's " +
        "every 64th, the others taking the latest time any thread read",
    )
    .option("--no-children", "record only the app's own process, not the processes it starts")
    .option(
      "--paired",
      "pair each free with its allocation as it records (format version 4, the default but with --live and " +
        "--live-port): fold and the reports read it faster",
    )
    .option(
      "--no-paired",
      "write every event as it came, with its address, for fold to pair (format version 1): for tools that read " +
        "raw events",
    )
    .option(
      "--native-only",
      "do not load memtrace's agent into the app: JS frames stay unnamed, the V8 heap is not sampled, and the " +
        "app's end is not marked (--leaks then takes the end, after node's teardown)",
    )
    .option(
      "--js-interval <bytes>",
      "sample the V8 heap about every <bytes> allocated bytes (0: do not sample the JS heap)",
      intIn(0, 1 << 30),
      DEFAULT_JS_INTERVAL,
    )
    .option("--js-poll <hz>", "collect the V8 heap's samples <hz> times a second", intIn(1, 1000), 10)
    .option(
      "--js-all",
      "keep samples of collected objects too: every JS allocation (the total view), but no frees of JS objects",
    )
    .option(
      "--complete-names",
      "run node with --no-node-snapshot, so that Node's own internals get names too (slower start-up)",
    )
    .option(
      "--inlining",
      "let V8 inline JS functions into their callers as it does without memtrace (faster optimised code, but an " +
        "inlined function has no frame of its own and optimised frames show their function's first line)",
    )
    .option(
      "--all-tiers",
      "keep V8's Sparkplug and Maglev tiers (faster warm-up, but their frames show their function's first line " +
        "instead of the line executing in it)",
    )
    .option(
      "--no-source-maps",
      "show JS frames in the code V8 ran, not in the sources their source maps name (TypeScript, bundles)",
    )
    .option(
      "--live",
      "show memory live in this terminal while the app runs (the app's output goes to a log file named on screen)",
    )
    .option(
      "--live-port <port>",
      "serve the live view to `memtrace live PORT` on this port (0: any free one)",
      intIn(0, 65535),
    )
    .option("--live-host <address>", "the address --live-port listens on", "127.0.0.1")
    .option("--no-color", "no colors in the live view (NO_COLOR in the environment does the same)")
    .passThroughOptions()
    .addHelpText(
      "after",
      "\nBy default stacks have up to 128 frames, a thread reads the clock on one allocation or free in 64 (the\n" +
        "others take the latest time any thread read, at most 10 ms old), RSS and the V8 heap's figures are sampled\n" +
        `every 10 ms, V8's sampling heap profiler takes a sample about every ${DEFAULT_JS_INTERVAL / 1024} KiB of JS allocations,\n` +
        "collected 10 times a second (the JS heap's bytes and counts are estimates from those samples), children\n" +
        "and workers are recorded, a capture that goes to a file is compressed with zstd (one that goes to a pipe\n" +
        "is not: its reader takes it as it comes), V8 does not inline JS functions, so that each has its frame\n" +
        "(loops of small helpers run slower), and V8 runs JS in its interpreter and TurboFan only (no Sparkplug,\n" +
        "no Maglev: a server warms up slower, most on Node 24 and later), so that every JS frame carries the line\n" +
        "executing in it; --inlining and --all-tiers keep V8 as it is (bench/results/js-frames.md has the costs).\n" +
        "The recorder pairs each free with its allocation as it records; --no-paired writes events as they came.\n" +
        "\nExamples:\n" +
        "  $ memtrace record --js-interval 0 app.js > native-only-heap.mtrace\n" +
        "  $ memtrace record app.js | memtrace fold | memtrace flame > flame.svg\n" +
        "  $ memtrace record -o app.mtrace app.js --port 8080\n" +
        "  $ memtrace record -- node --max-old-space-size=200 app.js > app.mtrace\n" +
        "  $ memtrace record --live app.js\n" +
        "  $ memtrace record --live-port 9001 -o app.mtrace app.js   # and: memtrace live 9001\n",
    )
    .action(async (words: string[], opts: RecordCliOptions, cmd: Command) => {
      const live = opts.live || opts.livePort !== undefined;
      try {
        const settings = {
          output: opts.output,
          compress: opts.compress,
          compressor: opts.compressor,
          stackDepth: opts.stackDepth,
          memoryIntervalMs: opts.memoryInterval,
          exactTimes: opts.exactTimes ?? false,
          children: opts.children,
          nativeOnly: opts.nativeOnly ?? false,
          completeNames: opts.completeNames ?? false,
          inlining: opts.inlining ?? false,
          allTiers: opts.allTiers ?? false,
          jsInterval: opts.jsInterval,
          jsPollHz: opts.jsPoll,
          jsAll: opts.jsAll ?? false,
          paired: pairedOf(opts, live ? LIVE_PAIRED_BY_DEFAULT : PAIRED_BY_DEFAULT),
          sourceMaps: opts.sourceMaps,
        };
        if (live) {
          // The view's code (the fold, the renderer) loads only when asked for: recording starts the app sooner.
          const { recordLive } = require("./live-record") as typeof import("./live-record");
          await recordLive(words, settings, {
            view: opts.live ?? false,
            port: opts.livePort,
            host: opts.liveHost,
            color: opts.color && !process.env.NO_COLOR && process.env.TERM !== "dumb",
          });
        } else await record(words, settings);
      } catch (e) {
        if (e instanceof UsageError || e instanceof AppNotFound || e instanceof NativeBuildMissing) {
          cmd.error(e.message, { exitCode: EXIT_USAGE, code: "memtrace.record" });
        }
        throw e;
      }
    });
}
