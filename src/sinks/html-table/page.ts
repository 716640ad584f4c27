// The HTML form of `memtrace table`: one self-contained page (no network, no external file) whose columns sort and
// whose rows can be searched, as memray's table reporter offers, without a framework.
//
// The page holds markup written here, the rows as JSON, and its own script (table.js), which draws every piece of
// text from the capture with textContent; its Content-Security-Policy allows that script and that style sheet alone
// (see ../html-page.ts for both rules).
import { inlineScript, readAsset } from "../assets";
import { formatScript } from "../format-script";
import { embedJson, pagePolicy } from "../html-page";
import { PAGE_COLUMNS, PAGE_ROWS, ROW_WIDTH } from "./columns";

export interface TablePageData {
  /** The headline: what the bytes are. */
  title: string;
  /** Lines under the title: the processes, the stacks' shape, a warning. */
  lines: string[];
  totalBytes: number;
  totalCount: number;
  /** Every text of the rows, once. */
  strings: string[];
  /** ROW_WIDTH numbers per row: pid, tid, thread, allocator, bytes, count, location (texts as indexes in strings). */
  rows: number[];
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1em 2em; color: #222; background: #fff; }
h1 { font-size: 1.25em; margin: 0 0 0.25em; }
#lines { list-style: none; padding: 0; margin: 0 0 1em; color: #555; }
.controls { display: flex; gap: 1em; align-items: center; margin-bottom: 0.5em; position: sticky; top: 0;
  background: #fff; padding: 0.5em 0; }
#search { width: 28em; max-width: 60vw; font: inherit; padding: 0.25em 0.5em; }
#status { color: #555; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 0.2em 0.6em; text-align: left; vertical-align: top; border-bottom: 1px solid #e4e4e4; }
th { position: sticky; top: 2.9em; background: #f4f4f4; white-space: nowrap; }
th button { font: inherit; font-weight: bold; border: 0; background: none; cursor: pointer; padding: 0; }
th[aria-sort="descending"] button::after { content: " \\25bc"; }
th[aria-sort="ascending"] button::after { content: " \\25b2"; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.name { white-space: pre-wrap; unicode-bidi: plaintext; }
td.location { word-break: break-all; font-family: ui-monospace, monospace; font-size: 0.95em; }
tbody tr:nth-child(even) { background: #fafafa; }
tbody tr:hover { background: #eef4ff; }
#more { margin: 1em 0; font: inherit; }
`;

export function renderTablePage(data: TablePageData): string {
  const script = inlineScript(`${formatScript()}${readAsset("html-table/table.js")}`);
  const policy = pagePolicy(script, STYLE);
  const headers = PAGE_COLUMNS.map(
    (c) =>
      `<th data-key="${c.key}"${c.numeric ? ' class="num"' : ""}${c.key === "bytes" ? ' aria-sort="descending"' : ""}>` +
      `<button type="button">${c.header}</button></th>`,
  ).join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>memtrace table</title>
<style>${STYLE}</style>
</head>
<body>
<h1 id="title"></h1>
<ul id="lines"></ul>
<div class="controls">
<input id="search" type="search" placeholder="Search locations, threads, allocators" aria-label="Search" autocomplete="off">
<span id="status" role="status"></span>
</div>
<noscript><p>This page draws its table with JavaScript; <code>memtrace table --format text</code> prints it without.</p></noscript>
<table id="table">
<thead><tr>${headers}</tr></thead>
<tbody></tbody>
</table>
<button id="more" type="button" hidden>Show more</button>
<script type="application/json" id="data">${embedJson({ ...data, columns: PAGE_COLUMNS, pageRows: PAGE_ROWS, rowWidth: ROW_WIDTH })}</script>
<script>${script}</script>
</body>
</html>
`;
}
