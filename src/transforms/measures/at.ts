// --at T: what was live at one moment: the rows as they stood at the first event after it, copied once.
import { Measure } from "../../codec/model";
import { RowSums } from "../fold-rows";
import type { MeasureDefinition } from "./measure";
import { resolveTime } from "./times";

export const at: MeasureDefinition = {
  name: "at",
  measure: Measure.AT,
  title: "Live memory at a moment",
  flags: "--at <time>",
  help: "what was live at a moment: 2.5s, 150ms, or 40% of the run",
  live: true,
  onePass: false,
  window(settings, duration) {
    const end = settings.at && resolveTime(settings.at, duration);
    return end === undefined ? undefined : [0, end];
  },
  headline: (h) => [`Live memory: ${h.bytes} live${h.moment((p) => p.windowEndNs, "each process's own moment")}`, ""],
  create(rows) {
    const sums = new RowSums();
    return {
      grow: (n) => sums.grow(n),
      closeWindow(p) {
        for (const key of p.keys) {
          sums.bytes.data[key] = rows.cur.data[key];
          sums.count.data[key] = rows.curCount.data[key];
        }
      },
      value: (_p, key, out) => sums.value(key, out),
    };
  },
};
