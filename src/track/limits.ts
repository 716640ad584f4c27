// Memory budgets for tests (pytest-memray's limit_memory and limit_leaks): run a function under track(), fold the
// capture with memtrace's own fold, and reject when its peak, or what it left allocated, is over the limit. The
// message names the function and where the memory went, in the app view (src/transforms/app-view/): each allocation
// under the innermost frame of the app's own code.
//
// Plain promises: node:test, tap, jest and vitest all fail a test whose promise rejects.
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { isMainThread, threadId } from "node:worker_threads";
// memtrace's public API, so that the helpers read captures as any script would.
import { filterMessages, foldMessages, ProfileBuilder, readMessages, type Profile } from "../index";
import type { HeapName } from "../transforms/measures";
import { formatBytes } from "../sinks/format";
import { appLocations, type AppLocation } from "../transforms/app-view/locations";
import { parseByteLimit } from "./sizes";
import { track, type TrackOptions } from "./tracker";

export interface LimitOptions extends TrackOptions {
  /** Count only the allocations of the thread that calls the helper ("current"), or of every thread ("all", default). */
  thread?: "current" | "all";
  /**
   * Which heaps count: "native" (malloc, new and mmap, V8's own heap pages among them; the default), "js" (V8's
   * sampled estimate of the JS objects allocated), or "all" (both: V8's pages and the objects in them count twice).
   */
  heap?: HeapName;
  /** Locations named in the error message (default 5). */
  top?: number;
  /** Keep the capture at this path (by default it is written to a temporary folder, kept only when over the limit). */
  capture?: string;
}

/** The function went over its budget. `locations` says where the memory went. */
export class MemoryLimitError extends Error {
  override name = "MemoryLimitError";
  constructor(
    message: string,
    readonly bytes: number,
    readonly limit: number,
    readonly locations: AppLocation[],
    readonly capture: string,
  ) {
    super(message);
  }
}

type Measure = "peak" | "leaks";

const WHAT: Record<Measure, { helper: string; verb: (bytes: string) => string }> = {
  peak: { helper: "limitMemory", verb: (bytes) => `peaked at ${bytes}` },
  leaks: { helper: "limitLeaks", verb: (bytes) => `left ${bytes} allocated` },
};

/** Rejects when `fn`'s peak memory is over `limit` ("24 MB" or bytes); resolves with `fn`'s result otherwise. */
export function limitMemory<T>(
  limit: string | number,
  fn: () => T | Promise<T>,
  options: LimitOptions = {},
): Promise<T> {
  return runWithin("peak", limit, fn, options);
}

/**
 * Rejects when what `fn` left allocated when it settled is over `limit`. A full garbage collection runs first, so
 * that objects `fn` dropped are not counted.
 */
export function limitLeaks<T>(
  limit: string | number,
  fn: () => T | Promise<T>,
  options: LimitOptions = {},
): Promise<T> {
  return runWithin("leaks", limit, fn, options);
}

async function runWithin<T>(
  measure: Measure,
  limit: string | number,
  fn: () => T | Promise<T>,
  options: LimitOptions,
): Promise<T> {
  const { helper, verb } = WHAT[measure];
  const bytesAllowed = parseByteLimit(limit, `${helper}()`);
  if (typeof fn !== "function") throw new TypeError(`${helper}(): the second argument must be a function`);
  const dir = options.capture ? undefined : mkdtempSync(join(tmpdir(), "memtrace-limit-"));
  const capture = options.capture ?? join(dir!, `${fn.name || "anonymous"}.mtrace`);
  const result = await track(
    capture,
    async () => {
      const value = await fn();
      if (measure === "leaks") await collectGarbage();
      return value;
    },
    options,
  );
  const tids = options.thread === "current" ? await currentThread(capture) : undefined;
  const profile = await foldCapture(capture, measure, options.heap ?? "native", tids);
  const bytes = profile.totalBytes();
  if (bytes <= bytesAllowed) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    return result;
  }
  const locations = appLocations(profile, options.top ?? 5);
  const scope = `${options.heap ?? "native"} heap${options.heap === "all" ? "s" : ""}, ${
    options.thread === "current" ? "this thread" : "all threads"
  }`;
  const lines = [
    `${helper}: ${fn.name || "the function"} ${verb(formatBytes(bytes))}, over its limit of ${formatBytes(bytesAllowed)} (${scope}).`,
    "Where it went (each allocation under the innermost frame of the app's own code):",
    ...locations.map((l) => `  ${formatBytes(l.bytes).padStart(10)}  ${shorten(l.label)}`),
    `The capture is kept: memtrace summary${measure === "leaks" ? " --leaks" : ""} ${capture}`,
  ];
  throw new MemoryLimitError(lines.join("\n"), bytes, bytesAllowed, locations, capture);
}

/** C++ names run long (templates); a message line keeps their start and end. */
function shorten(label: string, max = 120): string {
  return label.length <= max ? label : `${label.slice(0, max - 41)}…${label.slice(-40)}`;
}

/** Runs a full garbage collection twice, with a turn of the event loop between (finalizers free native memory). */
async function collectGarbage(): Promise<void> {
  const gc = gcFunction();
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((done) => setImmediate(done));
  }
}

let cachedGc: (() => void) | undefined;

/** V8's gc(), without --expose-gc on node's command line: a context made while the flag is on has it. */
function gcFunction(): () => void {
  if (cachedGc) return cachedGc;
  const global = (globalThis as { gc?: () => void }).gc;
  if (typeof global === "function") return (cachedGc = global);
  setFlagsFromString("--expose-gc");
  cachedGc = runInNewContext("gc") as () => void;
  setFlagsFromString("--no-expose-gc");
  return cachedGc;
}

/** The calling thread's id in the capture: the main thread's is the pid; a worker's, the thread its agent named. */
async function currentThread(capture: string): Promise<number[]> {
  if (isMainThread) return [process.pid];
  for await (const m of readMessages(createReadStream(capture), { paired: true })) {
    if (m.type === "thread" && m.thread.workerId === threadId) return [m.thread.tid];
  }
  return [-1];
}

async function foldCapture(capture: string, measure: Measure, heap: HeapName, tids?: number[]): Promise<Profile> {
  // Paired by default, as track() records (format version 4); unpaired when the options say `paired: false`.
  const messages = readMessages(createReadStream(capture), { paired: true });
  const builder = new ProfileBuilder();
  const filtered = tids ? filterMessages(messages, { tids }) : messages;
  for await (const m of foldMessages(filtered, { measure, heap })) builder.push(m);
  return builder.finish();
}
