// speedscope: speedscope's own JSON file format (file-format-schema.json in the speedscope package), which
// speedscope opens at once, whatever the file is called.
//
// Two "sampled" profiles over one table of frames: the bytes under the measure (unit "bytes") and the number of
// allocations (unit "none"), each named after the measure. A sample is a unique call path, root first, weighted by
// what it holds; rows of one stack in other threads or allocators are one sample, as in a flame graph (--split-threads
// puts threads into the stacks). Frames are functions at a position: name, file (the module for native code), and
// 1-based line and column, the frame's own position as in every report's labels.
//
// Samples are in call-path order, so that speedscope's time-ordered view reads like a flame graph; the file has one
// frame and one sample per line, so that a diff of two exports (and of the golden files) reads line by line.
import { NO_STACK_LABEL, compareLabels } from "../model/calltree";
import type { Profile } from "../model/profile";
import { measureTitle } from "../transforms/measures";
import { EXPORTER } from "./export/exporter";
import { ExportFrames, syntheticFrame, type ExportFrame } from "./export/frames";
import { headline } from "./headline";
import { FRAMES_OPTION, profileSink, type FramesOptions, type SinkDefinition } from "./sink";

export const SPEEDSCOPE_SCHEMA = "https://www.speedscope.app/file-format-schema.json";

/** A frame of speedscope's format: only the name is required. */
export interface SpeedscopeFrame {
  name: string;
  file?: string;
  line?: number;
  col?: number;
}

interface Path {
  labels: string[];
  frames: number[];
  bytes: number;
  count: number;
}

function speedscopeFrame(f: ExportFrame): SpeedscopeFrame {
  const frame: SpeedscopeFrame = { name: f.name };
  const file = f.file || f.module;
  if (file) frame.file = file;
  if (f.line) frame.line = f.line;
  if (f.column) frame.col = f.column;
  return frame;
}

/** Element by element in code-unit order; a path before its own extensions. */
function comparePaths(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareLabels(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** The profile's call paths with their weights, each unique stack once, in call-path order. */
function pathsOf(profile: Profile): Path[] {
  const byStack = new Map<number, Path>();
  for (let i = 0; i < profile.rows; i++) {
    const stack = profile.stack.data[i];
    let path = byStack.get(stack);
    if (!path) {
      const frames = profile.framesRootFirst(stack);
      path = { labels: frames.map((f) => profile.label(f)), frames, bytes: 0, count: 0 };
      byStack.set(stack, path);
    }
    path.bytes += profile.bytes.data[i];
    path.count += profile.count.data[i];
  }
  return [...byStack.values()].sort((a, b) => comparePaths(a.labels, b.labels));
}

function* renderSpeedscope(profile: Profile): Generator<string> {
  const paths = pathsOf(profile);
  const exportFrames = new ExportFrames();
  const frames: SpeedscopeFrame[] = [];
  const indexOfKey = new Map<string, number>();
  const index = (f: SpeedscopeFrame): number => {
    const key = JSON.stringify([f.name, f.file, f.line, f.col]);
    let i = indexOfKey.get(key);
    if (i === undefined) {
      i = frames.length;
      indexOfKey.set(key, i);
      frames.push(f);
    }
    return i;
  };
  const noStack = speedscopeFrame(syntheticFrame(NO_STACK_LABEL));
  const samples = paths.map((p) =>
    p.frames.length > 0
      ? p.frames.map((f) => index(speedscopeFrame(exportFrames.get(profile.scope, f))))
      : [index(noStack)],
  );

  const title = measureTitle(profile.measure, profile.info);
  const who = headline(profile).who;
  const head = {
    $schema: SPEEDSCOPE_SCHEMA,
    exporter: EXPORTER,
    name: who ? `${who}: ${title}` : title,
    activeProfileIndex: 0,
  };
  const j = JSON.stringify;
  yield `${j(head).slice(0, -1)},\n"shared":{"frames":[\n`;
  yield frames.map((f) => j(f)).join(",\n");
  yield `\n]},\n"profiles":[\n`;
  yield* sampled(
    `${title}: bytes`,
    "bytes",
    samples,
    paths.map((p) => p.bytes),
  );
  yield ",\n";
  yield* sampled(
    `${title}: allocations`,
    "none",
    samples,
    paths.map((p) => p.count),
  );
  yield "\n]}\n";
}

/** One sampled profile; samples of weight 0 (a count of 0 for a stack that holds bytes) are left out. */
function* sampled(name: string, unit: string, samples: number[][], weights: number[]): Generator<string> {
  const kept = weights.map((_w, i) => i).filter((i) => weights[i] > 0);
  const total = kept.reduce((sum, i) => sum + weights[i], 0);
  const j = JSON.stringify;
  yield `{"type":"sampled","name":${j(name)},"unit":"${unit}","startValue":0,"endValue":${total},"samples":[\n`;
  yield kept.map((i) => j(samples[i])).join(",\n");
  yield `\n],"weights":${j(kept.map((i) => weights[i]))}}`;
}

export const speedscope: SinkDefinition<FramesOptions> = {
  name: "speedscope",
  summary: "speedscope's JSON file: the profile weighted by bytes and by allocation count",
  description:
    "Writes speedscope's own file format with two profiles of the same call paths under the measure: one " +
    "weighted by bytes and one by allocation count (switch between them in speedscope's profile menu). Open it " +
    "at https://www.speedscope.app or with the speedscope command.",
  examples: [
    "memtrace speedscope app.mtrace > app.speedscope.json && speedscope app.speedscope.json",
    "memtrace speedscope --leaks --inverted app.mtrace -o leaks.speedscope.json",
  ],
  options: [FRAMES_OPTION],
  input: "profile",
  create(options) {
    return profileSink(renderSpeedscope, { frames: options.frames });
  },
};
