// memtrace diff BASE NEW: folds both captures under one measure, compares them (sinks/diff/) and writes the
// report; with --fail-over, exits 3 when the growth is over the budget. BASE and NEW are files (one of them may
// be "-", stdin), raw captures or folded ones.
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { createDecodeStream } from "../codec/decoder";
import { UsageError } from "../errors";
import { ProfileBuilder, type Profile } from "../model/profile";
import { parsePositiveInt, parseSize } from "../options/values";
import { diffProfiles } from "../sinks/diff/compare";
import { renderDiffFlame } from "../sinks/diff/flame";
import { renderDiffHtml } from "../sinks/diff/html";
import { renderDiffJson } from "../sinks/diff/json";
import { budgetLine, overBudget, type Budget, type DiffReportOptions } from "../sinks/diff/report";
import { renderDiffText } from "../sinks/diff/text";
import { FRAMES_OPTION } from "../sinks/sink";
import { TERMINAL_OPTIONS, terminalSettings } from "../sinks/terminal";
import { framesView, type FramesView } from "../transforms/app-view/view";
import { fold } from "../transforms/fold";
import { resolveFoldOptions } from "./fold-stage";
import { EXIT_OK, checkInputFile, checkOutput, inputName, openInput, openOutput, report, run, warn } from "./io";
import { addMeasureOptions, commanderParser, foldOptionsOf, type MeasureCliOptions } from "./options";
import { progress } from "./progress";
import { addOptions, examples } from "./sink-command";

/** The exit status when the growth is over the budget of --fail-over: apart from 1 (bad input) and 2 (usage). */
export const EXIT_OVER_BUDGET = 3;

export const DEFAULT_DIFF_TOP = 10;

interface DiffCliOptions extends MeasureCliOptions {
  output?: string;
  json?: boolean;
  flame?: boolean;
  html?: boolean;
  title?: string;
  failOver?: Budget;
  matchLines?: boolean;
  top?: number;
  width?: number;
  color?: boolean;
  minwidth?: number;
  frames?: FramesView;
}

/** "1.5MiB", "4096", or "10%" of BASE's total. */
export function parseBudget(value: string): Budget {
  const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
  if (percent) return { percent: Number(percent[1]) };
  try {
    return { bytes: parseSize(value) };
  } catch {
    throw new UsageError(`expected a size such as 4096, 64k or 1.5MiB, or a share of BASE such as 10%, got "${value}"`);
  }
}

export function registerDiff(program: Command): void {
  const cmd = program
    .command("diff <base> <new>")
    .summary("what grew and what shrank between two captures, by location and by stack (for CI: --fail-over)")
    .description(
      "Folds both captures (raw or folded) under one measure and compares them: the total, then the locations " +
        "(own bytes) and the call stacks that grew and shrank most. Stacks are matched by the names of their " +
        "frames, since addresses differ between runs: JavaScript frames by function and file (and line with " +
        "--match-lines), native frames by symbol. --fail-over exits with status 3 when the total grew by more " +
        "than the budget.",
    )
    .option("-o, --output <file>", "write to this file instead of stdout")
    .option("--json", "the comparison as JSON, for scripts")
    .option("--flame", "a differential flame graph (SVG): widths are NEW's bytes; red grew, blue shrank")
    .option(
      "--html",
      "the differential flame graph as an interactive page (with or without --flame): search, zoom, both runs' " +
        "bytes in the tooltips, and every frame a click away",
    )
    .option("--title <text>", "the HTML page's title")
    .option(
      "--fail-over <size>",
      "exit with status 3 when the total grew by more than this: a size (64k, 1.5MiB) or a share of BASE (10%)",
      commanderParser(parseBudget),
    )
    .option("--match-lines", "match JavaScript frames by line too, so that two call sites of a function stay apart")
    .option("--top <n>", "rows in each table of the text report", commanderParser(parsePositiveInt), DEFAULT_DIFF_TOP);
  addOptions(cmd, [FRAMES_OPTION, ...TERMINAL_OPTIONS]);
  addMeasureOptions(cmd);
  cmd.addHelpText(
    "after",
    examples([
      "memtrace diff before.mtrace after.mtrace",
      "memtrace diff --leaks --fail-over 1MiB main.mtrace branch.mtrace",
      "memtrace diff --total --flame before.mtrace after.mtrace > diff.svg",
      "memtrace diff --html before.mtrace after.mtrace -o diff.html",
      "memtrace diff --json before.mtrace after.mtrace | jq '.locations[0]'",
    ]),
  );
  cmd.action(async (baseFile: string, nextFile: string, opts: DiffCliOptions) => {
    process.exitCode = await runDiff(baseFile, nextFile, opts);
  });
}

async function runDiff(baseFile: string, nextFile: string, opts: DiffCliOptions): Promise<number> {
  const command = "diff";
  try {
    // Every mistake of the command line first, before anything is read.
    if (opts.json && (opts.flame || opts.html)) throw new UsageError("choose one form: --json, --flame or --html");
    if (opts.title !== undefined && !opts.html) throw new UsageError("--title is the HTML page's: add --html");
    if (opts.splitProcesses || opts.splitThreads) {
      throw new UsageError(
        "process and thread ids differ between runs: leave out --split-processes and --split-threads",
      );
    }
    if (inputName(baseFile) === "stdin" && inputName(nextFile) === "stdin")
      throw new UsageError("stdin can be read once: give BASE or NEW as a file");
    foldOptionsOf(opts);
    for (const file of [baseFile, nextFile]) if (inputName(file) !== "stdin") checkInputFile(file);
    checkOutput(opts.output, false, command, `memtrace ${command}`);
  } catch (e) {
    return report(command, undefined, e);
  }

  const profiles: Profile[] = [];
  for (const file of [baseFile, nextFile]) {
    try {
      profiles.push(await loadProfile(file, opts));
    } catch (e) {
      return report(command, inputName(file), e);
    }
  }
  let text: string;
  let over: boolean;
  let budget: string | undefined;
  const reportOptions: DiffReportOptions = {
    baseName: inputName(baseFile),
    nextName: inputName(nextFile),
    matchLines: opts.matchLines,
    budget: opts.failOver,
  };
  try {
    const viewed = (frames: FramesView | undefined) =>
      diffProfiles(framesView(profiles[0], frames), framesView(profiles[1], frames), { matchLines: opts.matchLines });
    const diff = viewed(opts.frames);
    over = overBudget(diff, opts.failOver);
    budget = budgetLine(diff, reportOptions);
    if (opts.html) {
      // The page holds both views, and inverts the stacks itself (they were folded from the root).
      if (profiles.some((p) => p.info.inverted))
        throw new UsageError("the HTML page inverts stacks itself: give it captures folded without --inverted");
      const views = { all: viewed("all"), app: viewed("app") };
      const page = { title: opts.title, inverted: opts.inverted, allFrames: opts.frames === "all" };
      text = renderDiffHtml(views, { ...reportOptions, ...page });
    } else if (opts.json) text = renderDiffJson(diff, reportOptions);
    else if (opts.flame) text = renderDiffFlame(diff, reportOptions);
    else {
      text = renderDiffText(diff, {
        ...reportOptions,
        top: opts.top ?? DEFAULT_DIFF_TOP,
        ...terminalSettings(opts),
      });
    }
  } catch (e) {
    return report(command, undefined, e);
  }
  const output = openOutput(opts.output, false, command, `memtrace ${command}`);
  const status = await run(command, undefined, [Readable.from([text]), output.stream]);
  if (status !== EXIT_OK) return status;
  if (over) {
    process.stderr.write(`memtrace ${command}: ${budget}\n`);
    return EXIT_OVER_BUDGET;
  }
  return EXIT_OK;
}

/** One capture, folded by the command line's measure, as a Profile with every frame. */
async function loadProfile(file: string, opts: DiffCliOptions): Promise<Profile> {
  const name = inputName(file);
  const onWarning = (message: string) => warn("diff", name, message);
  // The HTML page inverts stacks itself: --inverted only sets its first view.
  const foldOptions = await resolveFoldOptions(file, opts.html ? { ...opts, inverted: false } : opts, onWarning);
  const input = openInput(file, "diff");
  const builder = new ProfileBuilder();
  const collect = new Writable({
    objectMode: true,
    write(m, _encoding, done) {
      try {
        builder.push(m);
        done();
      } catch (e) {
        done(e as Error);
      }
    },
  });
  await pipeline(
    input.stream,
    progress("diff", file),
    createDecodeStream({ onWarning: (w) => onWarning(w.message), paired: true }),
    fold(foldOptions),
    collect,
  );
  return builder.finish();
}
