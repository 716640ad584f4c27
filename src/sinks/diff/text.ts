// The terminal report of memtrace diff: the change of the whole, then the locations and the call stacks that grew
// and shrank most, each with BASE's and NEW's bytes.
import { formatBytes, formatCount, formatPercent, plural } from "../format";
import { headline } from "../headline";
import { printable, renderTable, type Cell, type Column } from "../table";
import { change, type Amount, type ProfileDiff } from "./compare";
import { rank, signedBytes } from "./rank";
import { budgetLine, matchWords, measureWords, type DiffReportOptions } from "./report";

export interface DiffTextOptions extends DiffReportOptions {
  /** Rows in each section. */
  top: number;
  color: boolean;
  width: number | undefined;
}

const GREW = "31";
const SHRANK = "34";

function signedShare(delta: number, base: number): string {
  if (base === 0) return delta === 0 ? "0.00%" : "new";
  return `${delta > 0 ? "+" : delta < 0 ? "-" : ""}${formatPercent(Math.abs(delta), base)}`;
}

function signedCount(n: number): string {
  return n > 0 ? `+${formatCount(n)}` : formatCount(n);
}

export function renderDiffText(diff: ProfileDiff, options: DiffTextOptions): string {
  const { base, next } = diff.totals;
  const delta = change(diff.totals);
  const out: string[] = [
    `${measureWords(diff)}, BASE to NEW: ${signedBytes(delta.bytes, formatBytes)} ` +
      `(${formatBytes(base.bytes)} to ${formatBytes(next.bytes)}, ${signedShare(delta.bytes, base.bytes)}), ` +
      `${signedCount(delta.count)} allocations (${formatCount(base.count)} to ${formatCount(next.count)})`,
    printable(`BASE ${options.baseName}: ${headline(diff.base).title}`),
    printable(`NEW  ${options.nextName}: ${headline(diff.next).title}`),
    matchWords(options),
  ];
  const budget = budgetLine(diff, options);
  if (budget) out.push(budget);
  out.push("");

  const section = <T extends { base: Amount; next: Amount }>(
    what: string,
    rows: T[],
    name: (row: T) => string,
    header: string,
  ) => {
    const { grew, shrank } = rank(rows, name);
    for (const [words, list, color] of [
      ["grew", grew, GREW],
      ["shrank", shrank, SHRANK],
    ] as const) {
      if (list.length === 0) {
        out.push(`No ${what} ${words}.`, "");
        continue;
      }
      const shown = list.slice(0, options.top);
      const more = list.length > shown.length ? ` (the first ${shown.length})` : "";
      out.push(`${plural(list.length, what.replace(/s$/, ""), what)} ${words}${more}:`);
      const columns: Column[] = [
        { header: "Change", align: "right", sorted: true },
        { header: "Base", align: "right", droppable: 2 },
        { header: "New", align: "right", droppable: 2 },
        { header: "Allocs", align: "right", droppable: 1 },
        { header, align: "left", flexible: true },
      ];
      const cells = shown.map((row): Cell[] => {
        const d = change(row);
        return [
          { text: signedBytes(d.bytes, formatBytes), color },
          formatBytes(row.base.bytes),
          formatBytes(row.next.bytes),
          signedCount(d.count),
          name(row),
        ];
      });
      const table = renderTable(columns, cells, { color: options.color, width: options.width });
      out.push(table.text);
    }
  };
  section("locations", diff.locations, (l) => l.label, "Location (own bytes)");
  // Innermost first: where a stack allocates and what called it come first, node's start-up last.
  section("stacks", diff.stacks, (s) => [...s.frames].reverse().join(" ← "), "Stack (innermost first)");
  return out.join("\n");
}
