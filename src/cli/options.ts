// Options shared by several commands, and the parsers that turn option text into values (or one clear error).
import { InvalidArgumentError, Option, type Command } from "commander";
import { UsageError } from "../errors";
import { parsePositiveInt } from "../options/values";
import type { FoldOptions } from "../transforms/fold";
import {
  MEASURE_DEFINITIONS,
  describeTime,
  needsDuration,
  parseTimeSpec,
  type HeapName,
  type MeasureName,
  type TimeSpec,
} from "../transforms/measures";

/** How the value of a measure's option is read, for measures whose option takes one. */
const MEASURE_VALUE_PARSERS: Record<string, (value: string, previous: never) => never> = {
  temporary: parsePositiveInt as never,
  at: parseTimeOption as never,
  between: collectTimes as never,
};

/** The options of fold and of every report that folds: a measure (from the registry) and the shape of the stacks. */
export function addMeasureOptions(cmd: Command): Command {
  for (const d of MEASURE_DEFINITIONS) {
    if (!d.flags) continue;
    const option = new Option(d.flags, d.help);
    const parse = MEASURE_VALUE_PARSERS[d.name];
    if (parse) option.argParser(commanderParser(parse));
    cmd.addOption(option);
    for (const extra of d.modifiers ?? []) cmd.option(extra.flags, extra.help);
  }
  return cmd
    .option("--inverted", "stacks from the allocating function outwards: all calls into one allocator sum in one place")
    .option("--split-processes", "a root frame per process, to show processes apart")
    .option("--split-threads", "a root frame per thread, to show threads apart")
    .addOption(
      new Option("--heap <heap>", "the native heap, the JS heap (V8's samples: estimates), or both").choices([
        "all",
        "native",
        "js",
      ]),
    );
}

export interface MeasureCliOptions {
  peak?: boolean;
  leaks?: boolean;
  afterTeardown?: boolean;
  total?: boolean;
  temporary?: boolean | number;
  at?: TimeSpec;
  between?: TimeSpec[];
  inverted?: boolean;
  splitProcesses?: boolean;
  splitThreads?: boolean;
  heap?: HeapName;
}

/** The fold options chosen by the command line (measure undefined: the input's, else peak). */
export function foldOptionsOf(opts: MeasureCliOptions): FoldOptions {
  const chosen: string[] = [];
  if (opts.peak) chosen.push("--peak");
  if (opts.total) chosen.push("--total");
  if (opts.temporary !== undefined) chosen.push("--temporary");
  if (opts.at) chosen.push("--at");
  if (opts.leaks && !opts.between) chosen.push("--leaks");
  if (opts.between) chosen.push("--between");
  if (chosen.length > 1) throw new UsageError(`choose one measure: ${chosen.join(" and ")} were both given`);
  let measure: MeasureName | undefined;
  if (opts.between) {
    if (opts.between.length !== 2)
      throw new UsageError(`--between takes two times (a start and an end), got ${opts.between.length}`);
    const [from, to] = opts.between;
    if (windowEndsFirst(from, to)) {
      throw new UsageError(`--between: the window ends (${describeTime(to)}) before it starts (${describeTime(from)})`);
    }
    measure = opts.leaks ? "between-leaks" : "between";
  } else if (opts.at) measure = "at";
  else if (opts.temporary !== undefined) measure = "temporary";
  else if (opts.peak) measure = "peak";
  else if (opts.leaks) measure = "leaks";
  else if (opts.total) measure = "total";
  if (opts.afterTeardown && measure !== "leaks") throw new UsageError("--after-teardown goes with --leaks");
  return {
    measure,
    afterTeardown: opts.afterTeardown,
    temporaryThreshold: typeof opts.temporary === "number" ? opts.temporary : undefined,
    at: opts.at,
    window: opts.between ? [opts.between[0], opts.between[1]] : undefined,
    inverted: opts.inverted,
    splitProcesses: opts.splitProcesses,
    splitThreads: opts.splitThreads,
    heap: opts.heap,
  };
}

/** Whether fold needs each process's run length first (a time given as a percentage). */
export function foldNeedsDurations(o: FoldOptions): boolean {
  return needsDuration(o.at, ...(o.window ?? []));
}

/** Whether a window surely ends before it starts (times of one kind; a second and a percentage compare per run). */
function windowEndsFirst(from: TimeSpec, to: TimeSpec): boolean {
  if ("ns" in from && "ns" in to) return to.ns < from.ns;
  if ("percent" in from && "percent" in to) return to.percent < from.percent;
  return false;
}

function parseTimeOption(value: string): TimeSpec {
  const t = parseTimeSpec(value);
  if (!t) throw new UsageError(`expected a time such as 2.5s, 150ms, 3000000ns or 40%, got "${value}"`);
  return t;
}

function collectTimes(value: string, previous: TimeSpec[] | undefined): TimeSpec[] {
  return [...(previous ?? []), parseTimeOption(value)];
}

/**
 * An option parser for commander: a UsageError from the parser becomes commander's InvalidArgumentError, which
 * names the option ("option '--top <n>' argument 'x' is invalid. expected ...") and exits 2.
 */
export function commanderParser<T, P>(parse: (value: string, previous: P) => T): (value: string, previous: P) => T {
  return (value, previous) => {
    try {
      return parse(value, previous);
    } catch (e) {
      if (e instanceof UsageError) throw new InvalidArgumentError(e.message);
      throw e;
    }
  };
}
