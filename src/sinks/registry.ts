// Every report the CLI offers, in the order `memtrace --help` lists them. Adding a report: one file in src/sinks/
// exporting a SinkDefinition, and one line here.
import { collapsed } from "./collapsed";
import { csv } from "./csv";
import { dump } from "./dump";
import { flame } from "./flame";
import { heapprofile } from "./heapprofile";
import { pprof } from "./pprof";
import type { SinkDefinition } from "./sink";
import { speedscope } from "./speedscope";
import { stats } from "./stats";
import { summary } from "./summary";
import { table } from "./table-report";
import { tree } from "./tree";

export const SINKS: SinkDefinition<never>[] = [
  dump,
  flame,
  summary,
  table,
  tree,
  stats,
  collapsed,
  pprof,
  speedscope,
  heapprofile,
  csv,
];
