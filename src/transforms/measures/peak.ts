// --peak: what was live when the process's live bytes were highest (its high-water mark), per process.
import { Measure } from "../../codec/model";
import type { MeasureDefinition } from "./measure";

export const peak: MeasureDefinition = {
  name: "peak",
  measure: Measure.PEAK,
  title: "Peak memory (live at the high-water mark)",
  flags: "--peak",
  help: "what was live when live bytes were highest, per process (the default)",
  live: true,
  onePass: true,
  headline: (h) => [`Peak memory: ${h.bytes} live${h.moment((p) => p.peakTimeNs, "each process's own peak")}`, ""],
  create: (rows) => ({
    value(p, key, out) {
      // A row untouched since the latest mark still holds its value at the mark.
      const atPeak = rows.snapEpoch.data[key] === p.epoch;
      out[0] = atPeak ? rows.snap.data[key] : rows.cur.data[key];
      out[1] = atPeak ? rows.snapCount.data[key] : rows.curCount.data[key];
    },
  }),
};
