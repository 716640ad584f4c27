// Options shared by several commands, and the parsers that turn option text into values (or one clear error).
import { InvalidArgumentError, Option, type Command } from "commander";
import { ALLOCATORS_BY_NAME } from "../model/allocators";
import type { FoldOptions } from "../transforms/fold";
import {
  MEASURE_DEFINITIONS,
  needsDuration,
  parseTimeSpec,
  type HeapName,
  type MeasureName,
  type TimeSpec,
} from "../transforms/measures";
import { UsageError } from "./io";

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
    if (parse) option.argParser(parse);
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

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`);
  }
  return n;
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** A byte size: "4096", "64k", "1.5MiB". */
export function parseSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new InvalidArgumentError(`expected a size such as 4096, 64k or 1.5MiB, got "${value}"`);
  return Math.round(Number(m[1]) * unit);
}

function parseTimeOption(value: string): TimeSpec {
  const t = parseTimeSpec(value);
  if (!t) throw new InvalidArgumentError(`expected a time such as 2.5s, 150ms, 3000000ns or 40%, got "${value}"`);
  return t;
}

function collectTimes(value: string, previous: TimeSpec[] | undefined): TimeSpec[] {
  return [...(previous ?? []), parseTimeOption(value)];
}

/** A time since the process started, in nanoseconds: "2.5s", "150ms", "3000000ns"; a bare number is seconds. */
export function parseTime(value: string): number {
  const t = parseTimeSpec(value);
  if (!t || !("ns" in t))
    throw new InvalidArgumentError(`expected a time such as 2.5s, 150ms or 3000000ns, got "${value}"`);
  return t.ns;
}

/** Collects a repeatable option into an array. */
export function collect<T>(parse: (v: string) => T) {
  return (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];
}

/** A comma-separated list of allocator names: "malloc,new,mmap". */
export function parseAllocators(value: string, previous: number[] | undefined): number[] {
  const kinds = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((name) => {
      const kind = ALLOCATORS_BY_NAME[name];
      if (kind === undefined) {
        throw new InvalidArgumentError(
          `unknown allocator "${name}" (known: ${Object.keys(ALLOCATORS_BY_NAME).join(", ")})`,
        );
      }
      return kind;
    });
  return [...(previous ?? []), ...kinds];
}
