// memtrace diff --json: the whole comparison for scripts. Bytes and counts are numbers; every location and stack
// that changed is listed, largest growth first, then largest shrinkage.
import { measureName } from "../../transforms/measures";
import { headline } from "../headline";
import { change, type Amount, type ProfileDiff } from "./compare";
import { rank } from "./rank";
import { budgetBytes, overBudget, type DiffReportOptions } from "./report";

function run(name: string, diff: ProfileDiff, which: "base" | "next") {
  const profile = diff[which];
  return { file: name, title: headline(profile).title, ...diff.totals[which] };
}

function amounts<T extends { base: Amount; next: Amount }>(row: T) {
  return { base: row.base, new: row.next, change: change(row) };
}

export function renderDiffJson(diff: ProfileDiff, options: DiffReportOptions): string {
  const locations = rank(diff.locations, (l) => l.label);
  const stacks = rank(diff.stacks, (s) => s.frames.join(";"));
  const report = {
    measure: measureName(diff.next.measure),
    matchLines: options.matchLines ?? false,
    base: run(options.baseName, diff, "base"),
    new: run(options.nextName, diff, "next"),
    change: change(diff.totals),
    ...(options.budget
      ? { budget: { bytes: budgetBytes(diff, options.budget), over: overBudget(diff, options.budget) } }
      : {}),
    locations: [...locations.grew, ...locations.shrank].map((l) => ({
      location: l.label,
      ...amounts(l),
      total: { base: l.baseTotal, new: l.nextTotal, change: change({ base: l.baseTotal, next: l.nextTotal }) },
    })),
    stacks: [...stacks.grew, ...stacks.shrank].map((s) => ({ frames: s.frames, ...amounts(s) })),
  };
  return JSON.stringify(report, null, 2) + "\n";
}
