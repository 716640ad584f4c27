// The page's script and style sheet are real files beside this one (model.js, chart.js, app.js, style.css: linted
// and formatted like the rest), read once and inlined into every page. They are not compiled: from the build, this
// module runs in dist/src/sinks/html/ and finds them in src/sinks/html/, which package.json's "files" ships.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const PLACES = [__dirname, join(__dirname, "..", "..", "..", "..", "src", "sinks", "html")];

const cache = new Map<string, string>();

export function asset(name: "model.js" | "chart.js" | "app.js" | "style.css"): string {
  let text = cache.get(name);
  if (text === undefined) {
    const dir = PLACES.find((d) => existsSync(join(d, name)));
    if (!dir) throw new Error(`memtrace is missing its file src/sinks/html/${name}: reinstall it`);
    text = readFileSync(join(dir, name), "utf8");
    cache.set(name, text);
  }
  return text;
}
