// The times some measures take (--at, --between): nanoseconds since a process started, or a share of its run.

/** A moment of a run: nanoseconds since the process's time 0, or a percentage of the process's run. */
export type TimeSpec = { ns: number } | { percent: number };

/** Resolves a TimeSpec for a process that ran for `durationNs` (undefined when the duration is not known). */
export function resolveTime(t: TimeSpec, durationNs: number | undefined): number | undefined {
  if ("ns" in t) return t.ns;
  if (durationNs === undefined) return undefined;
  return Math.round((durationNs * t.percent) / 100);
}

export function describeTime(t: TimeSpec): string {
  return "ns" in t ? `${t.ns / 1e9}s` : `${t.percent}%`;
}

const TIME_UNITS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, min: 60e9 };

/**
 * Parses "2.5s", "150ms", "3000000ns", "40%"; a bare number is seconds. Returns undefined if the text is not a
 * time (the caller reports it).
 */
export function parseTimeSpec(text: string): TimeSpec | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z%]*)$/i.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]);
  const unit = m[2].toLowerCase();
  if (unit === "%") return value <= 100 ? { percent: value } : undefined;
  const scale = unit === "" ? 1e9 : TIME_UNITS[unit];
  const ns = scale === undefined ? NaN : Math.round(value * scale);
  // Beyond 2^53 ns (104 days) a time is no longer exact, nor a uint64 the format can hold once multiplied.
  return Number.isSafeInteger(ns) ? { ns } : undefined;
}

/** Whether any of these times is a percentage (fold then needs each process's duration first). */
export function needsDuration(...times: (TimeSpec | undefined)[]): boolean {
  return times.some((t) => t !== undefined && "percent" in t);
}
