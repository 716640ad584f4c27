// stats: a capture at a glance, as memray's `stats` reporter gives it: totals (allocations, bytes, frees, peak,
// leaks), a histogram of allocation sizes, bytes and counts by allocator, the top locations by bytes and by count,
// and a line per process and per thread. --json writes the same figures as JSON (stats-data.ts has its shape).
//
// Like memray's, the figures are about everything allocated: the allocator, location and thread tables count by
// --total unless another measure is given (--leaks gives the top leakers), or the input was folded by another.
// It reads the capture itself (input "capture") to fold it by total unless told otherwise; the sizes of single
// allocations are counted by fold as events pass (src/model/histogram.ts) and kept in the folded capture, so a
// capture folded before gives the same figures. One folded before the sizes were kept has no histogram: stats says
// so rather than draw one.
import type { Transform } from "node:stream";
import { Content, type Message } from "../codec/model";
import { parsePositiveInt } from "../options/values";
import { ProfileBuilder } from "../model/profile";
import { stageTransform } from "../streams/stage";
import { Folder, type FoldOptions } from "../transforms/fold";
import { SizeHistogram } from "../model/histogram";
import type { SinkDefinition } from "./sink";
import { statsOf } from "./stats-data";
import { renderStatsText } from "./stats-text";
import { TERMINAL_OPTIONS, terminalSettings, type TerminalOptions } from "./terminal";

export interface StatsOptions extends TerminalOptions {
  /** How to fold the capture (the CLI fills it from the measure options). */
  fold?: FoldOptions;
  json?: boolean;
  top?: number;
  ascii?: boolean;
}

interface RenderOptions {
  json: boolean;
  top: number;
  ascii: boolean;
  color: boolean;
  width: number | undefined;
}

export const DEFAULT_TOP = 5;

/** The Transform: every Message into fold; the histogram is the one fold counted (or a folded input kept). */
function statsSink(fold: FoldOptions, options: RenderOptions): Transform {
  return stageTransform<Message, string>(
    (emit) => {
      const builder = new ProfileBuilder();
      // Figures about everything allocated, unless a measure is asked for (or the input was folded by one).
      const folder = new Folder((m) => builder.push(m), { ...fold, defaultMeasure: "total" });
      let folded = false;
      return {
        push(m) {
          if (m.type === "header" && m.header.content === Content.FOLDED) folded = true;
          folder.push(m);
        },
        end() {
          folder.end();
          const profile = builder.finish();
          const histogram = new SizeHistogram();
          // A capture folded before the sizes were kept has none to show.
          const known = histogram.addFolded(profile.info) || !folded;
          const data = statsOf(profile, known ? histogram : undefined, options.top);
          emit(options.json ? `${JSON.stringify(data, null, 2)}\n` : renderStatsText(data, options));
        },
      };
    },
    { objectInput: true, objectOutput: false },
  );
}

export const stats: SinkDefinition<StatsOptions> = {
  name: "stats",
  summary: "totals, a histogram of allocation sizes, allocators, top locations, processes and threads",
  description:
    "Summarises a capture: allocations and bytes, frees (and those whose allocation was not seen), peak live " +
    "memory and when, what leaked; a histogram of native allocation sizes by powers of two; bytes and counts by " +
    "allocator; the --top locations by bytes and by allocation count (allocated by the location itself); and a " +
    "line per process and per thread. Allocators, locations and threads count everything allocated (--total) " +
    "unless another measure is given. A capture folded before has no histogram (a folded stream keeps sums, not " +
    "sizes). --json writes the same figures as one JSON object: version, measure, title, truncated, totals, " +
    "histogram (buckets of min..max bytes, both included, with count and bytes; or null), allocators, " +
    "topByBytes, topByCount, processes and threads; bytes in bytes, times in nanoseconds.",
  examples: [
    "memtrace stats app.mtrace",
    "memtrace stats --leaks --top 10 app.mtrace",
    "memtrace stats --json app.mtrace | jq '.histogram.buckets'",
  ],
  options: [
    { flags: "--json", description: "write the figures as JSON" },
    {
      flags: "--top <n>",
      description: "list this many locations by bytes and by count",
      defaultValue: DEFAULT_TOP,
      parse: parsePositiveInt,
    },
    { flags: "--ascii", description: "draw the histogram's bars with # instead of blocks" },
    ...TERMINAL_OPTIONS,
  ],
  input: "capture",
  create(options) {
    const settings = options.json ? { color: false, width: undefined } : terminalSettings(options);
    return statsSink(options.fold ?? {}, {
      json: options.json ?? false,
      top: options.top ?? DEFAULT_TOP,
      ascii: options.ascii ?? false,
      ...settings,
    });
  },
};
