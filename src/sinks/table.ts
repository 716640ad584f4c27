// A plain-text table for the terminal: columns aligned by display width (wide CJK and emoji count as two cells),
// numbers right-aligned, one flexible column that gives up width (in the middle of its text) to fit the terminal,
// and colors only when asked.

export interface Column {
  header: string;
  align: "left" | "right";
  /** The column that shrinks to fit the width (at most one). */
  flexible?: boolean;
  /** Emphasised: the column the table is sorted by. */
  sorted?: boolean;
  /** May be left out when the table is too wide for the terminal; lower numbers go first. */
  droppable?: number;
}

/** A cell: its text, and optionally an SGR color code (e.g. "32" for green) used when colors are on. */
export type Cell = string | { text: string; color?: string };

export interface TableOptions {
  /** Fit the table to this many columns; undefined: no limit. */
  width?: number;
  color: boolean;
}

const GAP = "  ";
const MIN_FLEXIBLE = 20;
const ELLIPSIS = "…";

export interface Table {
  text: string;
  /** Headers of the columns left out to fit the width. */
  dropped: string[];
}

export function renderTable(allColumns: Column[], rows: Cell[][], options: TableOptions): Table {
  const text = (c: Cell) => printable(typeof c === "string" ? c : c.text);
  const widths = allColumns.map((col, i) =>
    Math.max(displayWidth(col.header), ...rows.map((r) => displayWidth(text(r[i])))),
  );
  let shown = allColumns.map((col, i) => ({ col, i }));
  const flex = allColumns.findIndex((c) => c.flexible);
  const dropped: string[] = [];
  if (flex >= 0 && options.width !== undefined) {
    const room = () =>
      options.width! -
      shown.reduce((sum, { i }) => (i === flex ? sum : sum + widths[i]), 0) -
      GAP.length * (shown.length - 1);
    // Too narrow: leave out the least useful columns before squeezing the flexible one below its minimum.
    const candidates = shown.filter(({ col }) => col.droppable !== undefined && !col.sorted);
    candidates.sort((a, b) => a.col.droppable! - b.col.droppable! || b.i - a.i);
    while (room() < Math.min(MIN_FLEXIBLE, widths[flex]) && candidates.length > 0) {
      const gone = candidates.shift()!;
      shown = shown.filter((c) => c !== gone);
      dropped.push(gone.col.header);
    }
    widths[flex] = Math.min(widths[flex], Math.max(MIN_FLEXIBLE, room()));
  }
  const sgr = (code: string, s: string) => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const line = (cells: Cell[], header: boolean) =>
    shown
      .map(({ col, i }, k) => {
        const cell = cells[i];
        const fitted = i === flex ? truncateMiddle(text(cell), widths[i]) : text(cell);
        const padded = pad(fitted, widths[i], col.align, k === shown.length - 1);
        if (header) return sgr(col.sorted ? "1;4" : "1", padded);
        return typeof cell !== "string" && cell.color ? sgr(cell.color, padded) : padded;
      })
      .join(GAP);
  const headers = allColumns.map((c) => c.header);
  const lines = [line(headers, true), ...rows.map((r) => line(r, false))];
  return { text: lines.join("\n") + "\n", dropped };
}

function pad(s: string, width: number, align: "left" | "right", last: boolean): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(s)));
  // No trailing spaces after the last column: they only make copied text and golden files noisy.
  if (align === "left") return last ? s : s + fill;
  return fill + s;
}

/** Keeps the start and the end of a text (a function's name and its file:line) and drops the middle. */
export function truncateMiddle(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  const points = Array.from(s);
  const room = width - 1;
  const headRoom = Math.ceil(room / 2);
  let head = "";
  let used = 0;
  for (const p of points) {
    if (used + cellWidth(p) > headRoom) break;
    head += p;
    used += cellWidth(p);
  }
  let tail = "";
  let tailUsed = 0;
  for (let i = points.length - 1; i >= 0; i--) {
    if (used + tailUsed + cellWidth(points[i]) > room) break;
    tail = points[i] + tail;
    tailUsed += cellWidth(points[i]);
  }
  return head + ELLIPSIS + tail;
}

/**
 * Text from a capture made safe for a terminal: control characters (an escape sequence in a hostile function name
 * could rewrite the screen) are shown as \\xNN escapes instead of being sent.
 */
export function printable(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
      // Bidirectional overrides and isolates reorder what the terminal shows (the "Trojan Source" trick): a
      // function name must not make another column, or another name, read differently from what it is.
      .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)
  );
}

/** Terminal cells a text takes. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const p of s) w += cellWidth(p);
  return w;
}

// East Asian wide and fullwidth ranges, and emoji: two cells each. Combining marks and zero-width characters: none.
// A short table rather than the full Unicode data: it covers the names a capture holds in practice.
const WIDE: [number, number][] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

function cellWidth(p: string): number {
  const c = p.codePointAt(0)!;
  if ((c >= 0x300 && c <= 0x36f) || c === 0x200b || c === 0x200d || (c >= 0xfe00 && c <= 0xfe0f)) return 0;
  for (const [lo, hi] of WIDE) if (c >= lo && c <= hi) return 2;
  return 1;
}
