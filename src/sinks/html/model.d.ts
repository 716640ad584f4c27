// Types of model.js, the HTML flame graph's model, for the tests that run it in Node.
import type { PageData, ProcessData, ViewName } from "./page-data";

export interface Choice {
  /** A process's index in data.processes, or -1 for all of them. */
  process: number;
  thread: number | null;
  view: ViewName;
  window: [number, number] | null;
  inverted: boolean;
  /** Every frame as recorded, or the app view (the default). */
  allFrames?: boolean;
}

export interface Tree {
  size: number;
  parent: Int32Array;
  label: Int32Array;
  depth: Int32Array;
  bytes: Float64Array;
  count: Float64Array;
  /** On a diff's page: BASE's bytes of the node and all it called (widths and `bytes` are NEW's); else null. */
  base: Float64Array | null;
  /** Node n's children, in label order: childList[childStart[n] .. childStart[n + 1]). */
  childStart: Int32Array;
  childList: Int32Array;
  /** Per process shown: the bucket whose moment the peak view shows (-1 for the other views). */
  moments: { process: number; bucket: number }[];
}

export interface Box {
  node: number;
  x: number;
  w: number;
  faded: boolean;
}

/** Decodes the tables' delta-coded rows, once (buildTree does it too). */
export function prepare(data: PageData): PageData;
export function span(data: PageData, window: [number, number] | null): [number, number];
export function peakBucket(proc: ProcessData, window: [number, number]): number;
export function rowValues(
  data: PageData,
  proc: ProcessData,
  view: ViewName,
  window: [number, number] | null,
): { bytes: Float64Array; count: Float64Array; moment: number; base?: Float64Array | null };
export function labelRanks(data: PageData): Int32Array;
export function buildTree(data: PageData, choice: Choice, ranks: Int32Array): Tree;
export function childrenOf(tree: Tree, node: number): number[];
export function pathOf(tree: Tree, node: number): number[];
export function nodeAt(tree: Tree, path: number[]): number;
export function layout(tree: Tree, zoom: number, minWidth: number): { boxes: Box[]; omitted: number; maxDepth: number };
export function search(data: PageData, tree: Tree, re: RegExp): { matched: Uint8Array; bytes: number };
export function formatBytes(bytes: number): string;
export function formatCount(n: number): string;
export function formatPercent(part: number, total: number): string;
export function formatDuration(ns: number): string;
export function plural(n: number, one: string, many?: string): string;
export function titleOf(data: PageData, choice: Choice, tree: Tree): string;
