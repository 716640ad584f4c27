// Every report the CLI offers, in the order `memtrace --help` lists them. Adding a report: one file in src/sinks/
// exporting a SinkDefinition, and one line here. Each report's module is loaded when it is asked for: the CLI loads
// only the report it runs.
import type { SinkDefinition } from "./sink";

export const SINK_LOADERS: Record<string, () => SinkDefinition<never>> = {
  dump: () => (require("./dump") as typeof import("./dump")).dump,
  flame: () => (require("./flame") as typeof import("./flame")).flame,
  summary: () => (require("./summary") as typeof import("./summary")).summary,
  table: () => (require("./table-report") as typeof import("./table-report")).table,
  tree: () => (require("./tree") as typeof import("./tree")).tree,
  stats: () => (require("./stats") as typeof import("./stats")).stats,
  collapsed: () => (require("./collapsed") as typeof import("./collapsed")).collapsed,
  pprof: () => (require("./pprof") as typeof import("./pprof")).pprof,
  speedscope: () => (require("./speedscope") as typeof import("./speedscope")).speedscope,
  heapprofile: () => (require("./heapprofile") as typeof import("./heapprofile")).heapprofile,
  csv: () => (require("./csv") as typeof import("./csv")).csv,
};

/** Every report's definition, in the registry's order (this loads them all). */
export function allSinks(): SinkDefinition<never>[] {
  return Object.values(SINK_LOADERS).map((load) => load());
}
