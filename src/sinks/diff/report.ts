// What every form of the diff report says alike: the runs' names, how frames were matched, the budget.
import { formatBytes } from "../format";
import { headline } from "../headline";
import { change, type ProfileDiff } from "./compare";
import { signedBytes } from "./rank";

/** A growth budget: bytes, or a share of BASE's total. */
export type Budget = { bytes: number } | { percent: number };

export interface DiffReportOptions {
  /** How the report names the runs: their files. */
  baseName: string;
  nextName: string;
  matchLines?: boolean;
  /** --fail-over: the growth allowed. */
  budget?: Budget;
}

export function matchWords(options: { matchLines?: boolean }): string {
  return options.matchLines
    ? "Frames matched by function, file and line (JavaScript) and by symbol (native)."
    : "Frames matched by function and file (JavaScript) and by symbol (native); lines are not compared.";
}

/** The budget in bytes for these runs. */
export function budgetBytes(diff: ProfileDiff, budget: Budget): number {
  return "bytes" in budget ? budget.bytes : (diff.totals.base.bytes * budget.percent) / 100;
}

export function overBudget(diff: ProfileDiff, budget: Budget | undefined): boolean {
  return budget !== undefined && change(diff.totals).bytes > budgetBytes(diff, budget);
}

export function describeBudget(budget: Budget, diff: ProfileDiff): string {
  return "bytes" in budget
    ? formatBytes(budget.bytes)
    : `${budget.percent}% of BASE (${formatBytes(budgetBytes(diff, budget))})`;
}

/** "Growth +8.6 MiB is over the budget of 1.0 MiB (--fail-over)." */
export function budgetLine(diff: ProfileDiff, options: DiffReportOptions): string | undefined {
  if (!options.budget) return undefined;
  const growth = signedBytes(change(diff.totals).bytes, formatBytes);
  const over = overBudget(diff, options.budget);
  return `Growth ${growth} is ${over ? "over" : "within"} the budget of ${describeBudget(options.budget, diff)} (--fail-over).`;
}

/** What the bytes are, in the words of the reports' titles: "Peak memory (native and JS heaps)". */
export function measureWords(diff: ProfileDiff): string {
  const title = headline(diff.next).title;
  return title.slice(0, title.indexOf(":"));
}
