// The measures fold can aggregate by (one file each in measures/, listed in measures/registry.ts), and the times
// some of them take.
import { Heap, type FoldInfo, type Measure } from "../codec/model";
import { MEASURE_DEFINITIONS, definitionOf } from "./measures/registry";

export { MEASURE_DEFINITIONS, ONE_PASS_MEASURES, definitionOf } from "./measures/registry";
export type {
  MeasureAggregator,
  MeasureDefinition,
  FoldProcess,
  FoldSettings,
  NativeMeasure,
} from "./measures/measure";
export * from "./measures/times";

export type MeasureName = "peak" | "leaks" | "total" | "temporary" | "at" | "between" | "between-leaks";

export const MEASURES = Object.fromEntries(MEASURE_DEFINITIONS.map((d) => [d.name, d.measure])) as Record<
  MeasureName,
  Measure
>;

export function measureName(m: Measure): MeasureName {
  return (definitionOf(m)?.name ?? "peak") as MeasureName;
}

/** How reports describe a measure in their titles (for leaks, the moment it took by `info`, when given). */
export function measureTitle(m: Measure, info?: FoldInfo): string {
  const d = definitionOf(m) ?? definitionOf(MEASURES.peak)!;
  return (info && d.titleOf?.(info)) || d.title;
}

/** Whether a measure is what was live at one moment (pprof's inuse_*): peak, leaks and at. */
export function isLiveMeasure(m: Measure): boolean {
  return definitionOf(m)?.live ?? false;
}

export type HeapName = "all" | "native" | "js";

export const HEAPS: Record<HeapName, Heap> = { all: Heap.ALL, native: Heap.NATIVE, js: Heap.JS };
