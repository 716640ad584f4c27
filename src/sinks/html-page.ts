// What makes a report's HTML page self-contained and safe to open, whatever the capture holds. A capture is
// untrusted: a function may be named `</script><script>alert(1)`.
//
// - The data goes in as JSON in a <script type="application/json"> element, which the page's own script parses
//   and puts on the page with textContent. In that element the HTML parser looks only for `</script` (and `<!--`,
//   which changes how it looks for it), so `<` never appears raw; `>` and `&` are escaped too, so that the text
//   means the same to any reader, and U+2028 and U+2029, which older JavaScript engines read as line breaks. Every
//   escape is a JSON \u escape: JSON.parse gives back exactly the original strings.
// - A Content-Security-Policy allows the page's one script and one style sheet, by their SHA-256, and nothing else:
//   no request leaves the page, and a script that got past the escaping would not run.
import { createHash } from "node:crypto";

const ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** JSON text safe to place between <script type="application/json"> and </script>. */
export function embedJson(value: unknown): string {
  // JSON.stringify writes lone surrogates as \ud800-style escapes already, so the output is well-formed UTF-16.
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c]);
}

function sha256(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/** The Content-Security-Policy of a page whose only script and style sheet are these (inline, as they are). */
export function pagePolicy(script: string, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}
