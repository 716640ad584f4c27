// What a measure is: one way of summing a capture's allocations by row (process, thread, allocator, stack), as a
// strategy that fold runs beside the others in one pass (memray keeps one aggregator class per measure, in
// snapshot.h). A measure is a file in this folder exporting a MeasureDefinition, and one line in registry.ts: the CLI's
// options, the reports' titles and pprof's sample names are read from there.
//
// Every fold keeps three columns per row whatever it is asked for, since they cost little and give every fold its
// totals (fold-rows.ts): `cur` (live now), its value at the latest high-water mark (`snap`, saved lazily), and
// `total` (everything allocated). Peak, leaks and total read them; the other measures keep columns of their own and
// are told of allocations, releases and their window through the hooks below.
import type { FoldInfo, Measure, ProcessTotals } from "../../codec/model";
import type { FoldRows, RowSums } from "../fold-rows";
import type { TimeSpec } from "./times";

/** The process side of a fold, as a measure sees it. */
export interface FoldProcess {
  readonly pid: number;
  /** The latest high-water mark's number: a row's `snap` is valid if taken in this epoch. */
  readonly epoch: number;
  /** Allocations made so far by a thread (its allocations are numbered from 1: a block's tag is its number). */
  allocationsOf(tid: number): number;
  /** The window of a windowed measure, in this process's time; Infinity when none. */
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Whether the fold has passed the window's end. */
  readonly windowDone: boolean;
  /** The rows of this process. */
  readonly keys: readonly number[];
}

export interface FoldSettings {
  temporaryThreshold: number;
  /** For leaks: what was live at the end of the input, after the runtime's teardown, also where the app's end was recorded. */
  afterTeardown?: boolean;
  at?: TimeSpec;
  window?: [TimeSpec, TimeSpec];
}

/** A measure's state in one fold. Hooks that a measure does not define cost nothing. */
export interface MeasureAggregator {
  /** A new row: the measure's own columns grow to `rows`. */
  grow?(rows: number): void;
  /** An allocation was added to row `key`; `tag` is its number in its thread. */
  allocate?(p: FoldProcess, key: number, size: number, count: number, time: number, tag: number): void;
  /** Bytes of row `key` were released: freed, or replaced by an allocation at the same address (`overwritten`). */
  release?(p: FoldProcess, key: number, bytes: number, count: number, tag: number, overwritten: boolean): void;
  /** The first event after the process's window (for windowed measures). */
  closeWindow?(p: FoldProcess): void;
  /** The row's bytes and count under this measure, written to out[0] and out[1]. */
  value(p: FoldProcess, key: number, out: [number, number]): void;
  /**
   * What fold's native kernel of paired batches (src/native/kernel.ts) computes for this measure in place of its
   * hooks. A fold in which a measure has hooks (allocate, release, closeWindow) and no `native` runs in TypeScript.
   */
  native?: NativeMeasure;
}

/** The sums the native kernel keeps for a measure (native/kernel/paired_fold.h). */
export interface NativeMeasure {
  /** Released blocks freed within `threshold` allocations of their thread, summed per row into `sums`. */
  temporary: { threshold: number; sums: RowSums };
}

export interface MeasureDefinition {
  /** The CLI's name: `--peak`, and the names in folded captures' dumps and JSON reports. */
  name: string;
  measure: Measure;
  /** How reports title it: "Peak memory (live at the high-water mark)". */
  title: string;
  /** The title for a folded stream's information, where it depends on it (which moment leaks took). */
  titleOf?(info: FoldInfo): string;
  /** The CLI option that asks for it (commander's syntax); none for a measure asked for by a combination. */
  flags?: string;
  /** The CLI option's help. */
  help: string;
  /** Options that change how the measure is taken (listed after its own). */
  modifiers?: { flags: string; help: string }[];
  /** What was live at one moment (pprof's inuse_*), rather than a sum of allocations. */
  live: boolean;
  /**
   * Computed by every fold and written to every folded capture. A measure that needs a moment or a window (at,
   * between) is computed when asked for.
   */
  onePass: boolean;
  /** For windowed measures: the process's window [start, end] in its time, from the settings (undefined: unknown). */
  window?(settings: FoldSettings, durationNs: number | undefined): [number, number] | undefined;
  /** The title's words around " in N allocations" (see sinks/headline.ts). */
  headline(h: HeadlineFacts): [string, string];
  create(rows: FoldRows, settings: FoldSettings): MeasureAggregator;
}

/** What a headline says of a measure's figures. */
export interface HeadlineFacts {
  bytes: string;
  info: FoldInfo;
  totals: ProcessTotals[];
  truncated: boolean;
  temporaryThreshold: number;
  /** "3 processes", "1 process": the reports' way of counting. */
  plural(n: number, one: string, many: string): string;
  /** " at 40 ms", or " at each process's own peak (3 processes)". */
  moment(ns: (p: ProcessTotals) => number, several: string): string;
  /** " between 2 s and 5 s". */
  window(): string;
}
