// --total: everything allocated, freed or not.
import { Measure } from "../../codec/model";
import type { MeasureDefinition } from "./measure";

export const total: MeasureDefinition = {
  name: "total",
  measure: Measure.TOTAL,
  title: "Total allocations",
  flags: "--total",
  help: "everything allocated, freed or not",
  live: false,
  onePass: true,
  headline: (h) => [`Total memory: ${h.bytes} allocated`, ", freed or not"],
  create: (rows) => ({
    value(_p, key, out) {
      out[0] = rows.total.data[key];
      out[1] = rows.totalCount.data[key];
    },
  }),
};
