// Runs test/record/apps/http-keep.js, the server of the names tests, under `memtrace record` with node's map of its
// code beside (--perf-basic-prof), and reads what it kept.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { APPS, Capture, collapsedStacks, memtrace, shell, type Run } from "./capture";

export const app = join(APPS, "http-keep.js");
const source = readFileSync(app, "utf8").split("\n");
export const keepLine = source.findIndex((l) => l.includes("Buffer.from(body")) + 1;
/** The block the app keeps just before it serves: its time is the end of start-up. */
export const MARKER_SIZE = 77777;

/**
 * Folded stacks of what was live at the end among allocations since `fromNs`: [frames, bytes] pairs. `filters`:
 * more of `memtrace filter`'s options.
 */
export async function leaksSince(file: string, fromNs: number, filters = ""): Promise<[string[], number][]> {
  const bin = `"${process.execPath}" bin/memtrace.js`;
  const run = await shell(
    `${bin} filter --from ${fromNs}ns ${filters} "${file}" | ${bin} fold --leaks --heap native | ${bin} collapsed --frames all`,
  );
  return collapsedStacks(run.stdout.toString("utf8"));
}

/** The server recorded with node's map of its code beside (run by `node`, the tests' own by default). */
export async function recordServer(
  dir: string,
  where: "main" | "workers",
  node = process.execPath,
): Promise<{ run: Run; file: string; capture: Capture }> {
  const file = join(dir, `${where}.mtrace`);
  const run = await memtrace(
    [
      "record",
      "--no-paired",
      "--no-children",
      "--exact-times",
      "-o",
      file,
      "--",
      node,
      "--expose-gc",
      "--perf-basic-prof",
      // The map comes with V8's log, which would otherwise go to files in the working directory (and V8 takes
      // /dev/null for the console).
      `--logfile=${join(dir, "v8.log")}`,
      "--no-logfile-per-isolate",
      app,
      "120",
      "3",
      where,
    ],
    { withoutTestHooks: true },
  );
  return { run, file, capture: new Capture(readFileSync(file)) };
}
