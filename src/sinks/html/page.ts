// The HTML flame graph as one self-contained file: markup written here, the style sheet and the script inlined
// (assets.ts), and the data as JSON in a <script type="application/json"> element (never run, only parsed by the
// script). No text from the capture is in the markup: the script puts every name on the page with textContent.
//
// The JSON's escaping and the Content-Security-Policy (which allows that one script and that one style sheet, by
// their SHA-256, and nothing else) are every memtrace page's (../html-page.ts). The page holds no time- or
// machine-dependent text, so the same capture gives the same bytes (golden files).
import { embedJson, pagePolicy } from "../html-page";
import { inlineScript } from "../assets";
import { formatScript } from "../format-script";
import { colorScript } from "../diff/color";
import { asset } from "./assets";
import type { PageData } from "./page-data";

/** The page's script: the number formats, the model, the chart, the rest of the page, in one function so that nothing leaks out. */
export function pageScript(): string {
  const parts = [formatScript(), colorScript(), asset("model.js"), asset("chart.js"), asset("app.js")];
  const script = `(function () {\n${parts.join("\n")}\n})();\n`;
  return inlineScript(script);
}

const VIEWS: [string, string][] = [
  ["peak", "Live at the window's high-water mark"],
  ["leaks", "Allocated in the window, still live at its end"],
  ["total", "Allocated in the window, freed or not"],
];

export function renderPage(data: PageData): string {
  const style = asset("style.css");
  const script = pageScript();
  const policy = pagePolicy(script, style);
  const options = VIEWS.map(([value, text]) => `<option value="${value}">${text}</option>`).join("");
  // A diff's page (memtrace diff --html) has no time axis, and one set of rows summed over processes and threads.
  const diff = data.diff !== undefined;
  const chart = `<section class="panel" aria-label="Memory over time">
<div class="bar"><span id="legend" class="grow"></span><span id="window"></span><button id="reset-window" type="button">Whole run</button></div>
<svg id="chart" tabindex="0" role="img" aria-label="Memory over time: drag across it to choose a time window; the arrow keys move its end, Shift and the arrow keys its start" xmlns="http://www.w3.org/2000/svg"></svg>
<p id="note"></p>
</section>
`;
  const menus = `<label>Process <select id="process"></select></label>
<label>Thread <select id="thread"></select></label>
<label>Show <select id="view">${options}</select></label>
`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${diff ? "memtrace diff --html" : "memtrace flame --html"}">
<title>${diff ? "memtrace differential flame graph" : "memtrace flame graph"}</title>
<style>${style}</style>
</head>
<body>
<header>
<h1 id="title"></h1>
<p id="subtitle"></p>
<details><summary>${diff ? "Runs" : "Processes"}</summary><ul id="process-lines"></ul></details>
</header>
${diff ? "" : chart}<nav class="panel bar" aria-label="What the graph shows">
${diff ? "" : menus}<span class="segmented"><button id="flame" type="button">Flame</button><button id="icicle" type="button">Icicle</button></span>
<label><input id="inverted" type="checkbox"> Inverted</label>
<label title="node's start-up and the runtime's frames, which the app view folds into a frame each"><input id="all-frames" type="checkbox"> Every frame</label>
<button id="reset-zoom" type="button">Reset zoom</button>
<span class="grow"></span>
<label>Search <input id="search" type="search" placeholder="a regular expression" autocomplete="off" spellcheck="false"></label>
<span id="matched" aria-live="polite"></span>
</nav>
<div id="graph-scroll">
<div id="graph" tabindex="0" role="group" aria-label="Flame graph: the arrow keys move between frames, Enter zooms, Escape resets the zoom"></div>
</div>
<footer><span id="details" aria-live="polite"></span><span id="omitted"></span><span id="kinds"></span></footer>
<div id="tooltip" role="tooltip" hidden></div>
<noscript>This flame graph is drawn by its script: open it in a browser with JavaScript on.</noscript>
<script type="application/json" id="data">${embedJson(data)}</script>
<script>${script}</script>
</body>
</html>
`;
}
