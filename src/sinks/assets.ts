// The pages' scripts and style sheets are real files under src/sinks/ (html/model.js, svg/flame.js, ...: linted and
// formatted like the rest), read once and inlined into every page. They are not compiled: from the build, this
// module runs in dist/src/sinks/ and finds them in src/sinks/, which package.json's "files" ships.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const PLACES = [__dirname, join(__dirname, "..", "..", "..", "src", "sinks")];

const cache = new Map<string, string>();

/** The text of a file under src/sinks/, by its path there ("svg/flame.js"). */
export function readAsset(path: string): string {
  let text = cache.get(path);
  if (text === undefined) {
    const dir = PLACES.find((d) => existsSync(join(d, path)));
    if (!dir) throw new Error(`memtrace is missing its file src/sinks/${path}: reinstall it`);
    text = readFileSync(join(dir, path), "utf8");
    cache.set(path, text);
  }
  return text;
}

/** A page's script, checked: it is inlined as it is, so a `</script`, `<!--` or `]]>` in it would end it early. */
export function inlineScript(script: string): string {
  if (/<\/script|<!--|\]\]>/i.test(script)) throw new Error("a page's script holds </script, <!-- or ]]>");
  return script;
}
