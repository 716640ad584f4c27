// Small hand-built captures for the reports' tests, and a way to run a report on one in-process exactly as the CLI
// does (decode, fold, sink). Each step of a capture is an allocation (with its stack, root first) or the free of an
// earlier one; step i happens at (i + 1) * 100 ns, so that every figure can be computed by hand.
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createDecodeStream } from "../../src/codec/decoder";
import { EventKind, FunctionKind } from "../../src/codec/model";
import type { FrameSpec } from "../../src/model/interner";
import type { SinkDefinition } from "../../src/sinks/sink";
import { fold, type FoldOptions, type MeasureName } from "../../src/transforms/fold";
import { CaptureBuilder, type ThreadBuilder } from "../fixtures/builder";

export type Step =
  | { frames: FrameSpec[]; size: number; kind?: EventKind; count?: number; tid?: number }
  /** Frees the allocation made at this step index. */
  | { free: number };

export const js = (name: string, line: number, file = "app.js"): FrameSpec => ({
  name,
  file,
  line,
  kind: FunctionKind.KIND_JS,
});
export const native = (name: string, module = "/usr/bin/node"): FrameSpec => ({
  name,
  module,
  kind: FunctionKind.KIND_NATIVE,
});
export const builtin = (name: string, file = "node:internal/x"): FrameSpec => ({
  name,
  file,
  kind: FunctionKind.KIND_BUILTIN,
});

export interface CaptureOptions {
  pid?: number;
  argv?: string[];
  /** Write the process's trailer (default true); without it the capture is cut short. */
  trailer?: boolean;
}

/** A capture of one process, written by the test fixtures' CaptureBuilder as a recorder writes. */
export function capture(steps: Step[], options: CaptureOptions = {}): Uint8Array {
  const pid = options.pid ?? 100;
  const c = new CaptureBuilder();
  const p = c.process(pid, { argv: options.argv ?? ["node", "app.js"] });
  const threads = new Map<number, ThreadBuilder>();
  const thread = (tid: number) => {
    if (!threads.has(tid)) threads.set(tid, p.thread(tid));
    return threads.get(tid)!;
  };
  const address = (step: number) => (step + 1) * 0x1000;
  steps.forEach((step, i) => {
    p.at((i + 1) * 100);
    if ("free" in step) thread(pid).free(address(step.free));
    else {
      const stack = p.stack(...step.frames);
      thread(step.tid ?? pid).event(step.kind ?? EventKind.MALLOC, address(i), step.size, stack, step.count ?? 1);
    }
  });
  if (options.trailer === false) p.flush();
  else p.end();
  return c.bytes();
}

/**
 * Runs a report on a capture as `memtrace <report> [--measure]` does, and returns its output. The reports' own
 * tests read every frame of their small captures (`--frames all`) unless the options say otherwise; the app view
 * has tests of its own (test/transforms/app-view.test.ts) and golden files.
 */
export async function runReport<O>(
  sink: SinkDefinition<O>,
  bytes: Uint8Array,
  options: O,
  foldBy?: MeasureName | FoldOptions,
): Promise<string> {
  const chunks: Buffer[] = [];
  await pipeline(
    Readable.from([bytes]),
    createDecodeStream(),
    fold(typeof foldBy === "string" ? { measure: foldBy } : foldBy),
    sink.create({ frames: "all", ...options }),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(Buffer.from(chunk));
        callback();
      },
    }),
  );
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The worked example of the tests: five allocations, one of them under recursion and one without a stack.
 *
 *   step  stack (root first)                                    bytes
 *   0     main > parse > malloc                                  1000
 *   1     main > parse                                            500
 *   2     main > recurse > recurse > recurse > malloc             300
 *   3     main > recurse                                          200
 *   4     (no stack)                                               50
 *   5     free step 0
 *
 * total 2050 B in 5 allocations; peak 2050 B live at t=500 ns; leaks 1050 B in 4 allocations.
 * By location, under --total:   own   total   own allocs   total allocs
 *   malloc                      1300   1300    2            2
 *   parse (app.js:10)            500   1500    1            2
 *   recurse (app.js:20)          200    500    1            2         (step 2 counted once, not three times)
 *   main (app.js:1)                0   2000    0            4
 *   (no stack)                    50     50    1            1
 */
export function workedExample(options: CaptureOptions = {}): Uint8Array {
  const main = js("main", 1);
  const parse = js("parse", 10);
  const recurse = js("recurse", 20);
  const malloc = native("malloc", "/usr/lib/libc.so.6");
  return capture(
    [
      { frames: [main, parse, malloc], size: 1000 },
      { frames: [main, parse], size: 500 },
      { frames: [main, recurse, recurse, recurse, malloc], size: 300 },
      { frames: [main, recurse], size: 200 },
      { frames: [], size: 50 },
      { free: 0 },
    ],
    options,
  );
}
