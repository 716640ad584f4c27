// --temporary N: allocations freed before N other allocations happened in their thread (1: freed before the
// thread's next allocation, as heaptrack and Memray define it). A block's tag is its number among its thread's
// allocations, so at its release the allocations made since are the thread's count less the tag.
import { Measure } from "../../codec/model";
import { RowSums } from "../fold-rows";
import type { MeasureDefinition } from "./measure";

export const temporary: MeasureDefinition = {
  name: "temporary",
  measure: Measure.TEMPORARY,
  title: "Temporary allocations",
  flags: "--temporary [n]",
  help: "allocations freed before n other allocations in their thread (default 1)",
  live: false,
  onePass: true,
  headline: (h) => [
    `Temporary memory: ${h.bytes} allocated`,
    h.temporaryThreshold > 1
      ? `, each freed within ${h.temporaryThreshold} allocations of its thread`
      : ", each freed before its thread's next allocation",
  ],
  create(rows, settings) {
    const sums = new RowSums();
    const threshold = settings.temporaryThreshold;
    return {
      grow: (n) => sums.grow(n),
      release(p, key, bytes, count, tag, overwritten) {
        // A block replaced at its address was never seen freed: not temporary.
        if (!overwritten && tag > 0 && p.allocationsOf(rows.tid.data[key]) - tag < threshold)
          sums.add(key, bytes, count);
      },
      value: (_p, key, out) => sums.value(key, out),
      native: { temporary: { threshold, sums } },
    };
  },
};
