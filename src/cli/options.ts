// Options shared by several commands, and the parsers that turn option text into values (or one clear error).
import { InvalidArgumentError, type Command } from "commander";
import { ALLOCATORS_BY_NAME } from "../model/allocators";
import type { MeasureName } from "../transforms/fold";
import { UsageError } from "./io";

/** --peak, --leaks, --total: the measure of fold and of every report that folds. */
export function addMeasureOptions(cmd: Command): Command {
  return cmd
    .option("--peak", "what was live when live bytes were highest, per process (the default)")
    .option("--leaks", "what was still live at the end (at exit, for a complete capture)")
    .option("--total", "everything allocated, freed or not");
}

/** The measure chosen by the options, or undefined for "the input's, else peak". */
export function measureOf(opts: { peak?: boolean; leaks?: boolean; total?: boolean }): MeasureName | undefined {
  const chosen = (["peak", "leaks", "total"] as const).filter((m) => opts[m]);
  if (chosen.length > 1)
    throw new UsageError(`choose one measure: ${chosen.map((m) => `--${m}`).join(" and ")} were both given`);
  return chosen[0];
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

const TIME_UNITS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, min: 60e9 };

/** A time since the process started, in nanoseconds: "2.5s", "150ms", "3000000ns"; a bare number is seconds. */
export function parseTime(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m ? (m[2] === "" ? 1e9 : TIME_UNITS[m[2].toLowerCase()]) : undefined;
  if (!m || unit === undefined)
    throw new InvalidArgumentError(`expected a time such as 2.5s, 150ms or 3000000ns, got "${value}"`);
  return Math.round(Number(m[1]) * unit);
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
