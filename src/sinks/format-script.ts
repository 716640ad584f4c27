// The reports' number formats (format.ts) as a browser script, so that every HTML page prints numbers as the text
// reports do from one source: the functions' own compiled text, with the constants they read. The script defines
// one global, MemtraceFormat; test/sinks/format.test.ts runs it and compares it with format.ts.
import { FORMAT_CONSTANTS, formatBytes, formatCount, formatDuration, formatPercent, plural } from "./format";

const FUNCTIONS = [formatBytes, formatCount, formatDuration, formatPercent, plural];

let cached: string | undefined;

export function formatScript(): string {
  cached ??= [
    "var MemtraceFormat = (function () {",
    '"use strict";',
    ...Object.entries(FORMAT_CONSTANTS).map(([name, value]) => `var ${name} = ${JSON.stringify(value)};`),
    ...FUNCTIONS.map(String),
    `return { ${FUNCTIONS.map((f) => `${f.name}: ${f.name}`).join(", ")} };`,
    "})();",
    "",
  ].join("\n");
  return cached;
}
