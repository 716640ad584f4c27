// --leaks: what the app kept to its end. Each thread's rows are taken when its app code ended (the APP_ENDED
// marker, before node's teardown frees what the app kept: FoldRows' `kept`, frozen by AppEnd), or at the end of the
// input for threads and processes that did not record it; with --after-teardown, at the end of the input in every
// process (`cur`). This file's value() is where the moment is chosen.
import { Measure } from "../../codec/model";
import type { MeasureDefinition } from "./measure";

export const leaks: MeasureDefinition = {
  name: "leaks",
  measure: Measure.LEAKS,
  title: "Leaked memory (live at exit)",
  titleOf(info) {
    if (!info.afterTeardown && info.processes.some((p) => p.appEndedNs > 0))
      return "Leaked memory (live at the app's end, before node's teardown)";
    return info.afterTeardown ? "Leaked memory (live at exit, after node's teardown)" : "Leaked memory (live at exit)";
  },
  flags: "--leaks",
  help:
    "what the app kept to its end: live when its code ended (its 'exit' listeners ran), before node's " +
    "teardown, per thread (at exit for captures that did not record it); with --between, at the window's end",
  modifiers: [
    {
      flags: "--after-teardown",
      help:
        "with --leaks: what was still live when each process ended, after node's teardown (what even teardown " +
        "did not free)",
    },
  ],
  live: true,
  onePass: true,
  headline(h) {
    const info = h.info;
    const end = info.truncated ? "the end of the capture" : "exit";
    const ended = info.processes.filter((p) => p.appEndedNs > 0).length;
    if (info.afterTeardown) return [`Leaked memory: ${h.bytes} still live at ${end}`, ", after node's teardown"];
    if (ended === 0) return [`Leaked memory: ${h.bytes} still live at ${end}`, ""];
    const others = info.processes.length - ended;
    return [
      `Leaked memory: ${h.bytes} still live at the app's end`,
      others === 0
        ? ", before node's teardown"
        : `, before node's teardown (at ${end} in ${h.plural(others, "process", "processes")} that did not record its end)`,
    ];
  },
  create: (rows, settings) => ({
    value(_p, key, out) {
      const after = settings.afterTeardown ?? false;
      out[0] = after ? rows.cur.data[key] : rows.kept.data[key];
      out[1] = after ? rows.curCount.data[key] : rows.keptCount.data[key];
    },
  }),
};
