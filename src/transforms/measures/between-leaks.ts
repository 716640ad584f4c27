// --between T1 T2 --leaks: what was allocated within a window and was still live at its end. A thread's allocations
// are numbered in time order, so those made in the window are one range of numbers per thread: a release before the
// window's end takes back a block whose tag is in its thread's range.
import { Measure } from "../../codec/model";
import { RowSums } from "../fold-rows";
import { betweenWindow } from "./between";
import type { MeasureDefinition } from "./measure";

export const betweenLeaks: MeasureDefinition = {
  name: "between-leaks",
  measure: Measure.BETWEEN_LEAKS,
  title: "Allocations within a time window, still live at its end",
  help: "with --between: what was allocated in the window and still live at its end",
  live: false,
  onePass: false,
  window: betweenWindow,
  headline: (h) => [`Leaked memory: ${h.bytes} allocated${h.window()}`, ", still live at its end"],
  create(rows) {
    const sums = new RowSums();
    /** Per process and thread: the numbers of its first and last allocation in the window. */
    const ranges = new Map<number, Map<number, [number, number]>>();
    return {
      grow: (n) => sums.grow(n),
      allocate(p, key, size, count, time, tag) {
        if (time < p.windowStart || time > p.windowEnd) return;
        sums.add(key, size, count);
        let threads = ranges.get(p.pid);
        if (!threads) ranges.set(p.pid, (threads = new Map()));
        const tid = rows.tid.data[key];
        const range = threads.get(tid);
        if (range) range[1] = tag;
        else threads.set(tid, [tag, tag]);
      },
      release(p, key, bytes, count, tag) {
        if (p.windowDone) return;
        const range = ranges.get(p.pid)?.get(rows.tid.data[key]);
        if (range && tag >= range[0] && tag <= range[1]) sums.add(key, -bytes, -count);
      },
      value: (_p, key, out) => sums.value(key, out),
    };
  },
};
