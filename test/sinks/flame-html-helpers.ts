// Runs `flame --html` in-process as the CLI runs it (the report reads the capture and folds it itself), reads the
// page's embedded data back, and puts the page's re-folded graphs and fold's call trees in one comparable form:
// every node as its path of labels, with its bytes and count.
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createDecodeStream } from "../../src/codec/decoder";
import { createEncodeStream } from "../../src/codec/encoder";
import type { Message } from "../../src/codec/model";
import { buildCallTree, ROOT, type CallTree } from "../../src/model/calltree";
import { ProfileBuilder } from "../../src/model/profile";
import { flame } from "../../src/sinks/flame";
import * as model from "../../src/sinks/html/model";
import type { Choice } from "../../src/sinks/html/model";
import type { PageData } from "../../src/sinks/html/page-data";
import { filter, type FilterOptions } from "../../src/transforms/filter";
import { fold, type FoldOptions, type MeasureName } from "../../src/transforms/fold";
import { appView } from "../../src/transforms/app-view/view";

async function collect(stages: NodeJS.ReadWriteStream[], bytes: Uint8Array): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(
    Readable.from([bytes]),
    createDecodeStream(),
    ...(stages as [NodeJS.ReadWriteStream]),
    new Writable({
      objectMode: true,
      write(chunk: Buffer | string, _encoding, callback) {
        chunks.push(Buffer.from(chunk));
        callback();
      },
    }),
  );
  return Buffer.concat(chunks);
}

/**
 * `memtrace flame --html [measure options]` on a capture (raw or folded). Every frame first (`--frames all`), as the
 * small captures of these tests are read, unless `frames` says otherwise.
 */
export async function htmlOf(
  bytes: Uint8Array,
  foldOptions: FoldOptions = {},
  title?: string,
  frames: "app" | "all" = "all",
): Promise<string> {
  return (await collect([flame.create({ html: true, fold: foldOptions, title, frames })], bytes)).toString("utf8");
}

/** The data a page embeds, as its script reads it. */
export function pageData(html: string): PageData {
  const m = /<script type="application\/json" id="data">(.*?)<\/script>/s.exec(html);
  if (!m) throw new Error("no data element in the page");
  return JSON.parse(m[1]) as PageData;
}

export type Paths = Map<string, [bytes: number, count: number]>;

function pathsOf(
  size: number,
  parent: (n: number) => number,
  label: (n: number) => string,
  value: (n: number) => [number, number],
): Paths {
  const out: Paths = new Map();
  for (let n = 0; n < size; n++) {
    const [bytes, count] = value(n);
    if (bytes === 0 && count === 0) continue;
    const path: string[] = [];
    for (let x = n; x >= 0; x = parent(x)) path.unshift(label(x));
    const key = JSON.stringify(path);
    const old = out.get(key) ?? [0, 0];
    out.set(key, [old[0] + bytes, old[1] + count]);
  }
  return out;
}

/** The page's graph for a choice, re-folded by the page's own model. */
export function pagePaths(data: PageData, choice: Partial<Choice> = {}): Paths {
  const tree = model.buildTree(
    data,
    { process: -1, thread: null, view: data.view, window: null, inverted: false, ...choice },
    model.labelRanks(data),
  );
  return pathsOf(
    tree.size,
    (n) => tree.parent[n],
    (n) => data.labels[tree.label[n]],
    (n) => [tree.bytes[n], tree.count[n]],
  );
}

/** fold's call tree of a capture (after a filter, if given): what the SVG draws. */
export async function foldPaths(
  bytes: Uint8Array,
  foldOptions: FoldOptions,
  keep?: FilterOptions,
  frames: "app" | "all" = "all",
): Promise<Paths> {
  const builder = new ProfileBuilder();
  const stages = [...(keep ? [filter(keep)] : []), fold(foldOptions)];
  const stream = (stages as NodeJS.ReadWriteStream[]).reduce<NodeJS.ReadableStream>(
    (s, stage) => s.pipe(stage),
    Readable.from([bytes]).pipe(createDecodeStream()),
  );
  for await (const m of stream) builder.push(m as unknown as Message);
  const profile = builder.finish();
  const tree: CallTree = buildCallTree(frames === "app" ? appView(profile) : profile);
  return pathsOf(
    tree.size,
    (n) => (n === ROOT ? -1 : tree.parent[n]),
    (n) => tree.labelOf(n),
    (n) => [tree.bytes[n], tree.count[n]],
  );
}

/** Paths as sorted [path, bytes, count] rows, for t.same with a readable diff. */
export function rows(paths: Paths): [string, number, number][] {
  return [...paths.entries()]
    .map(([k, [b, c]]): [string, number, number] => [k, b, c])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** `memtrace fold [--measure] [--inverted]` of a capture, as bytes. */
export async function foldedBytes(
  bytes: Uint8Array,
  measure: MeasureName,
  inverted = false,
  timeline = false,
): Promise<Uint8Array> {
  return collect([fold({ measure, inverted, timeline }), createEncodeStream()], bytes);
}

/** The labels of fold's call tree (every node's, the root's too). */
export async function foldLabels(bytes: Uint8Array, frames: "all" | "both" = "all"): Promise<string[]> {
  const builder = new ProfileBuilder();
  for await (const m of Readable.from([bytes])
    .pipe(createDecodeStream())
    .pipe(fold({ measure: "total" }))) {
    builder.push(m);
  }
  const profile = builder.finish();
  if (frames === "both")
    return [...new Set([...treeLabels(buildCallTree(profile)), ...treeLabels(buildCallTree(appView(profile)))])];
  return treeLabels(buildCallTree(profile));
}

function treeLabels(tree: CallTree): string[] {
  return [...new Set(Array.from({ length: tree.size }, (_, n) => tree.labelOf(n)))];
}

/** The title line of an SVG flame graph, as text. */
export function svgTitle(svg: string): string {
  const escaped = /<text id="title" [^>]*>(.*?)<\/text>/.exec(svg)![1];
  return escaped.replace(
    /&(lt|gt|quot|#39|amp);/g,
    (_, e: string) => ({ lt: "<", gt: ">", quot: '"', "#39": "'", amp: "&" })[e]!,
  );
}
