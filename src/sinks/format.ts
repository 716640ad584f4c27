// Numbers as every report prints them. Deterministic on purpose: no locale, no Intl, so that golden files are the
// same on every machine. The HTML pages print numbers with these same functions (format-script.ts hands their text
// to the browser), so each function reads only its arguments, the constants of FORMAT_CONSTANTS and the other
// functions here. (An exported constant would be read as `exports.NAME`, which the browser does not have.)

const BYTE_UNITS = ["KiB", "MiB", "GiB", "TiB", "PiB"];

/** Bytes in binary units: "512 B", "9.2 KiB", "1.5 MiB" (one decimal from 1 KiB up, as memray prints them). */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? "-" : "";
  let n = Math.abs(bytes);
  if (n < 1024) return `${sign}${Math.round(n)} B`;
  let unit = -1;
  while (n >= 1024 && unit < BYTE_UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  // Rounding can carry over: 1,048,575 bytes is 1023.999 KiB, which prints as "1.0 MiB", not "1024.0 KiB".
  if (n.toFixed(1) === "1024.0" && unit < BYTE_UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${sign}${n.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** A whole number with thousands separators: "1,234,567". Fractions (estimated JS object counts) are rounded. */
export function formatCount(n: number): string {
  const rounded = Math.round(n);
  const digits = Math.abs(rounded).toString();
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return rounded < 0 ? `-${grouped}` : grouped;
}

/** "3 allocations", "1 allocation". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${Math.round(n) === 1 ? one : many}`;
}

/** A share of a total as a percentage with two decimals, "0.00%" for an empty total. */
export function formatPercent(part: number, total: number): string {
  return `${total > 0 ? ((part / total) * 100).toFixed(2) : "0.00"}%`;
}

const DURATION_UNITS: [number, string][] = [
  [60e9, "min"],
  [1e9, "s"],
  [1e6, "ms"],
  [1e3, "µs"],
];

/** A time in nanoseconds in the largest unit that keeps it at 1 or more: "40 ns", "1.5 ms", "2.25 s". */
export function formatDuration(ns: number): string {
  for (const [size, unit] of DURATION_UNITS) {
    if (ns >= size) return `${(ns / size).toFixed(2).replace(/\.?0+$/, "")} ${unit}`;
  }
  return `${Math.round(ns)} ns`;
}

/** The constants the functions above read, by name, for format-script.ts. */
export const FORMAT_CONSTANTS = { BYTE_UNITS, DURATION_UNITS };
