// Each process's run length, read from a capture file before folding it: a time given as a percentage of the
// run (--at 40%) can only be resolved once the run's end is known, and a capture is read front to back.
import { createReadStream } from "node:fs";
import { decode } from "../codec/decoder";
import { UsageError } from "../errors";
import { checkInputFile } from "./io";

export async function scanDurations(file: string | undefined): Promise<Map<number, number>> {
  if (file === undefined || file === "-") {
    throw new UsageError(
      "a time given as a percentage needs a capture file (stdin can be read only once): give a file, or times in seconds",
    );
  }
  checkInputFile(file);
  const ends = new Map<number, number>();
  // For fold, which reads paired captures (format version 2) too.
  for await (const m of decode(createReadStream(file, { highWaterMark: 256 * 1024 }), { paired: true })) {
    if ((m.type === "events" || m.type === "paired") && m.batch.length > 0) {
      const last = m.batch.time[m.batch.length - 1];
      if (last > (ends.get(m.pid) ?? 0)) ends.set(m.pid, last);
    } else if (m.type === "trailer" && m.pid !== 0) {
      ends.set(m.pid, Math.max(ends.get(m.pid) ?? 0, m.trailer.timeNs));
    } else if (m.type === "header" && !ends.has(m.pid)) ends.set(m.pid, 0);
  }
  return ends;
}
