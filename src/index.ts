// memtrace as a library: every stage of the command-line pipeline, as typed Node streams.
//
//   import { pipeline } from "node:stream/promises";
//   import { createReadStream, createWriteStream } from "node:fs";
//   import * as memtrace from "memtrace";
//
//   await pipeline(
//     createReadStream("app.mtrace"),
//     memtrace.decode(),                        // bytes -> Messages (LZ4, zstd detected by itself)
//     memtrace.filter({ minSize: 1 << 20 }),    // Messages -> Messages
//     memtrace.fold({ measure: "leaks" }),      // Messages -> folded Messages
//     memtrace.report("flame", { title: "Big leaks" }),
//     createWriteStream("leaks.svg"),
//   );
//
// A script adds its own stage by writing an object-mode Transform of Messages (see Message in the codec's model)
// and putting it between two of these.
import type { Transform } from "node:stream";
import { createDecodeStream, type DecodeOptions } from "./codec/decoder";
import { createEncodeStream, type EncodeOptions } from "./codec/encoder";
import type { SinkDefinition } from "./sinks/sink";
import { allSinks } from "./sinks/registry";
import { UsageError } from "./errors";

export { CaptureError, InputError, UsageError, type CaptureWarning } from "./errors";
export * from "./codec/model";
export { decode as readMessages, decodeAll, Decoder, type DecodeOptions, type ByteSource } from "./codec/decoder";
export { encode as writeMessages, encodeAll, type EncodeOptions } from "./codec/encoder";
export { fold, foldMessages, Folder, type FoldOptions, type MeasureName } from "./transforms/fold";
export { filter, filterMessages, Filter, type FilterOptions } from "./transforms/filter";
export { EventOrderer } from "./transforms/order";
export { LiveHeap } from "./transforms/live";
export { Interner, type FrameSpec, type FunctionSpec } from "./model/interner";
export { Scope, Scopes, frameLabel, type FrameDetails } from "./model/scope";
export { Profile, ProfileBuilder, type ProcessInfo, type MemorySeries } from "./model/profile";
export { allocatorName } from "./model/allocators";
export { profileSink, messageSink, type SinkDefinition, type OptionSpec, type Rendered } from "./sinks/sink";
/** Every report the CLI offers. */
export const SINKS: SinkDefinition<never>[] = allSinks();
export { diffProfiles, type DiffOptions, type ProfileDiff } from "./sinks/diff/compare";
export { renderDiffText } from "./sinks/diff/text";
export { renderDiffJson } from "./sinks/diff/json";
export { renderDiffFlame } from "./sinks/diff/flame";
export { renderDiffHtml } from "./sinks/diff/html";
export { track, Tracker, TrackError, type TrackOptions } from "./track/tracker";

/** Bytes of a capture (plain, LZ4 or zstd) -> Messages. */
export function decode(options: DecodeOptions = {}): Transform {
  return createDecodeStream(options);
}

/** Messages -> the capture format's bytes (LZ4 frames with `compress`). */
export function encode(options: EncodeOptions = {}): Transform {
  return createEncodeStream(options);
}

/**
 * A report by name ("flame", "summary", "collapsed", "dump", ...): Messages in, the report's bytes out. Reports
 * that read a profile expect a folded stream: put fold() before them.
 */
export function report(name: string, options: Record<string, unknown> = {}): Transform {
  const def = SINKS.find((s) => s.name === name) as SinkDefinition<Record<string, unknown>> | undefined;
  if (!def) throw new UsageError(`no report named "${name}" (reports: ${SINKS.map((s) => s.name).join(", ")})`);
  return def.create({ ...optionDefaults(def), ...options });
}

/** The defaults a report's options have on the command line, keyed as commander names them ("--min-width" -> minWidth). */
export function optionDefaults(def: SinkDefinition<never>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of def.options) {
    const long = /--([a-z0-9-]+)/i.exec(spec.flags)?.[1];
    if (!long) continue;
    const negated = long.startsWith("no-");
    const key = (negated ? long.slice(3) : long).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (spec.defaultValue !== undefined) out[key] = spec.defaultValue;
    else if (negated) out[key] = true;
  }
  return out;
}
