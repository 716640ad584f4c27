// Memory limits as people write them: "24 MB", "1.5GiB", "512 KB", or a number of bytes.
//
// Units are powers of 1024 whether written KB or KiB, as pytest-memray reads them and as memtrace's reports print
// sizes: a limit of "24 MB" is the figure a report shows as 24.0 MiB.

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** Bytes for a limit; throws RangeError naming what it could not read. */
export function parseByteLimit(limit: string | number, what = "limit"): number {
  if (typeof limit === "number") {
    if (Number.isFinite(limit) && limit >= 0) return Math.floor(limit);
    throw new RangeError(`${what}: expected a number of bytes of 0 or more, got ${limit}`);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(limit));
  const scale = m ? UNITS[m[2] === "" ? "b" : m[2].toLowerCase()] : undefined;
  if (!m || scale === undefined) {
    throw new RangeError(`${what}: expected a size such as "24 MB", "512 KiB" or a number of bytes, got "${limit}"`);
  }
  return Math.floor(Number(m[1]) * scale);
}
