// --between T1 T2: everything allocated within a window of time, freed or not.
import { Measure } from "../../codec/model";
import { RowSums } from "../fold-rows";
import type { FoldSettings, MeasureDefinition } from "./measure";
import { resolveTime } from "./times";

/** The window of the between measures, in a process's time. */
export function betweenWindow(settings: FoldSettings, duration: number | undefined): [number, number] | undefined {
  if (!settings.window) return undefined;
  const start = resolveTime(settings.window[0], duration);
  const end = resolveTime(settings.window[1], duration);
  return start === undefined || end === undefined ? undefined : [start, end];
}

export const between: MeasureDefinition = {
  name: "between",
  measure: Measure.BETWEEN,
  title: "Allocations within a time window",
  flags: "--between <t1> <t2>",
  help: "what was allocated between two moments (2s 5s, or 10% 50%)",
  live: false,
  onePass: false,
  window: betweenWindow,
  headline: (h) => [`Allocated memory: ${h.bytes} allocated${h.window()}`, ", freed or not"],
  create() {
    const sums = new RowSums();
    return {
      grow: (n) => sums.grow(n),
      allocate(p, key, size, count, time) {
        if (time >= p.windowStart && time <= p.windowEnd) sums.add(key, size, count);
      },
      value: (_p, key, out) => sums.value(key, out),
    };
  },
};
