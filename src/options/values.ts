// Parsers that turn an option's text into a value, or throw one UsageError that says what was expected. They know
// nothing of the command line: the CLI hands them to commander (which names the option), the library's callers
// may use them on text of their own.
import { UsageError } from "../errors";
import { ALLOCATORS_BY_NAME } from "../model/allocators";
import { parseTimeSpec } from "../transforms/measures/times";

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
    throw new UsageError(`expected a positive whole number, got "${value}"`);
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
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** A byte size: "4096", "64k", "1.5MiB". */
export function parseSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.round(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new UsageError(`expected a size such as 4096, 64k or 1.5MiB, got "${value}"`);
  }
  return bytes;
}

/** A time since the process started, in nanoseconds: "2.5s", "150ms", "3000000ns"; a bare number is seconds. */
export function parseTime(value: string): number {
  const t = parseTimeSpec(value);
  if (!t || !("ns" in t)) throw new UsageError(`expected a time such as 2.5s, 150ms or 3000000ns, got "${value}"`);
  return t.ns;
}

/** Collects a repeatable option into an array. */
export function collect<T>(parse: (v: string) => T) {
  return (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];
}

/** A comma-separated list of allocator names: "malloc,new,mmap". */
export function parseAllocators(value: string, previous: number[] | undefined): number[] {
  const names = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (names.length === 0) throw new UsageError(`expected allocator names such as malloc,new,mmap, got "${value}"`);
  const kinds = names.map((name) => {
    const kind = Object.hasOwn(ALLOCATORS_BY_NAME, name) ? ALLOCATORS_BY_NAME[name] : undefined;
    if (kind === undefined) {
      throw new UsageError(`unknown allocator "${name}" (known: ${Object.keys(ALLOCATORS_BY_NAME).join(", ")})`);
    }
    return kind;
  });
  return [...(previous ?? []), ...kinds];
}
