// The commands whose output is a capture (binary): fold and filter.
import type { Command } from "commander";
import { createDecodeStream } from "../codec/decoder";
import { createEncodeStream } from "../codec/encoder";
import { foldStage } from "./fold-stage";
import { progress } from "./progress";
import { ScriptMaps } from "../record/script-maps";
import { filter, type FilterOptions } from "../transforms/filter";
import { UsageError } from "../errors";
import { inputName, openInputOutput, report, run, warn, type Stage } from "./io";
import { addMeasureOptions, commanderParser, type MeasureCliOptions } from "./options";
import { collect, parseAllocators, parsePositiveInt, parseSize, parseTime } from "../options/values";
import { examples } from "./sink-command";
import type { Transform } from "node:stream";

interface CaptureCommand {
  name: string;
  file: string | undefined;
  opts: { output?: string; compress?: boolean };
  /** Whether the stage reads paired events (versions 2 and 3): fold ("raw": their bytes too) and filter do. */
  paired?: boolean | "raw";
  stage: (onWarning: (message: string) => void) => Transform | Promise<Transform>;
}

async function runCaptureCommand(c: CaptureCommand): Promise<number> {
  try {
    const onWarning = (message: string) => warn(c.name, inputName(c.file), message);
    // The options first: a mistake in them is reported before any file is opened.
    const stage = await c.stage(onWarning);
    const { input, output } = openInputOutput(c.file, c.opts.output, true, c.name);
    const stages: Stage[] = [
      input.stream,
      progress(c.name, c.file),
      createDecodeStream({ onWarning: (w) => onWarning(w.message), paired: c.paired }),
      stage,
      createEncodeStream({ compress: c.opts.compress }),
      output.stream,
    ];
    return await run(c.name, input, stages);
  } catch (e) {
    return report(c.name, undefined, e);
  }
}

export function registerFold(program: Command): void {
  const cmd = program
    .command("fold [file]")
    .summary("aggregate a capture by stack: bytes and counts under a measure (a folded capture)")
    .description(
      "Pairs every free with its allocation, per process, and aggregates allocations by (stack, thread, allocator). " +
        "The output is a folded capture in the same format, which every report reads as it reads a raw capture.",
    )
    .option("-o, --output <file>", "write to this file instead of stdout")
    .option("--compress", "compress the output with LZ4")
    .option(
      "--timeline",
      "keep each process's memory over time, for flame --html's memory chart and time window (the default)",
    )
    .option("--no-timeline", "leave each process's memory over time out of the output");
  addMeasureOptions(cmd);
  cmd.addHelpText(
    "after",
    examples([
      "memtrace fold app.mtrace -o peak.mtrace",
      "memtrace record app.js | memtrace fold --leaks | memtrace flame > leaks.svg",
      "memtrace fold --total app.mtrace | memtrace summary",
      "memtrace fold --between 2s 5s --leaks app.mtrace | memtrace flame > grew-between-2s-and-5s.svg",
      "memtrace fold --temporary --inverted app.mtrace | memtrace summary",
      "memtrace fold app.mtrace -o folded.mtrace && memtrace flame --html folded.mtrace > flame.html",
    ]),
  );
  type FoldCliOptions = MeasureCliOptions & { output?: string; compress?: boolean; timeline?: boolean };
  cmd.action(async (file: string | undefined, opts: FoldCliOptions) => {
    process.exitCode = await runCaptureCommand({
      name: "fold",
      file,
      opts,
      paired: "raw",
      stage: (onWarning) => foldStage(file, opts, onWarning, { timeline: opts.timeline ?? true }),
    });
  });
}

interface FilterCliOptions {
  output?: string;
  compress?: boolean;
  pid?: number[];
  thread?: number[];
  from?: number;
  to?: number;
  minSize?: number;
  maxSize?: number;
  allocator?: number[];
  frame?: string[];
  excludeFrame?: string[];
  sourceMaps?: boolean;
}

export function registerFilter(program: Command): void {
  const cmd = program
    .command("filter [file]")
    .summary("keep the allocations that match: by process, thread, time, size, allocator or stack")
    .description(
      "Keeps the allocations that match every given condition. A free is kept exactly when it frees a kept " +
        "allocation, so `filter | fold --leaks` is right even when another thread frees. The output is a capture.",
    )
    .option("-o, --output <file>", "write to this file instead of stdout")
    .option("--compress", "compress the output with LZ4")
    .option("--pid <pid>", "only this process (repeatable)", commanderParser(collect(parsePositiveInt)))
    .option(
      "--thread <tid>",
      "only allocations by this thread (repeatable)",
      commanderParser(collect(parsePositiveInt)),
    )
    .option(
      "--from <time>",
      "only allocations at or after this time since the process started (2.5s, 150ms)",
      commanderParser(parseTime),
    )
    .option(
      "--to <time>",
      "only allocations at or before this time since the process started",
      commanderParser(parseTime),
    )
    .option(
      "--min-size <bytes>",
      "only allocations of at least this size (4096, 64k, 1MiB)",
      commanderParser(parseSize),
    )
    .option("--max-size <bytes>", "only allocations of at most this size", commanderParser(parseSize))
    .option(
      "--allocator <names>",
      "only these allocators, comma-separated (malloc,calloc,realloc,new,new[],mmap,js,...)",
      commanderParser(parseAllocators),
    )
    .option(
      "--frame <regex>",
      "only stacks with a frame matching this regular expression (repeatable: all must match)",
      collect(String),
    )
    .option(
      "--exclude-frame <regex>",
      "drop stacks with a frame matching this regular expression (repeatable)",
      collect(String),
    )
    .option(
      "--source-maps",
      "place JS frames in the sources their scripts' source maps name, reading the maps on this machine (for " +
        "captures of track(); memtrace record and attach do it as they record)",
    );
  cmd.addHelpText(
    "after",
    examples([
      "memtrace filter --frame 'deflate' app.mtrace | memtrace summary",
      "memtrace filter --from 2s --to 5s --min-size 1MiB app.mtrace -o window.mtrace",
      "memtrace filter --thread 1234 app.mtrace | memtrace fold --leaks | memtrace flame > thread-leaks.svg",
      "memtrace filter --source-maps tracked.mtrace | memtrace summary",
    ]),
  );
  cmd.action(async (file: string | undefined, opts: FilterCliOptions) => {
    process.exitCode = await runCaptureCommand({
      name: "filter",
      file,
      opts,
      paired: true,
      stage: (onWarning) => filter(filterOptions(opts, onWarning)),
    });
  });
}

function filterOptions(opts: FilterCliOptions, onWarning: (message: string) => void): FilterOptions {
  return {
    pids: opts.pid,
    tids: opts.thread,
    from: opts.from,
    to: opts.to,
    minSize: opts.minSize,
    maxSize: opts.maxSize,
    kinds: opts.allocator,
    frames: opts.frame?.map(regex),
    excludeFrames: opts.excludeFrame?.map(regex),
    sourceMaps: opts.sourceMaps ? new ScriptMaps(onWarning) : undefined,
    onWarning,
  };
}

function regex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (e) {
    throw new UsageError(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`);
  }
}
