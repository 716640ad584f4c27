// Finding and reading a script's source map: the comment's forms, where a map may be, what is left as it is, and
// the original positions and names a map gives.
import { encode } from "@jridgewell/sourcemap-codec";
import { TraceMap } from "@jridgewell/trace-mapping";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import t from "tap";
import { ScriptMap, ScriptMaps, scriptFile, sourceMappingUrl } from "../../src/record/script-maps";

t.test("given scripts' ends, when the sourceMappingURL is read, then it is the last comment's", async (t) => {
  t.equal(sourceMappingUrl("x();\n//# sourceMappingURL=app.js.map\n"), "app.js.map");
  t.equal(sourceMappingUrl("x();\n//@ sourceMappingURL=old.js.map"), "old.js.map", "the old //@ form");
  t.equal(sourceMappingUrl("a{}\n/*# sourceMappingURL=style.css.map */\n"), "style.css.map", "a block comment");
  t.equal(sourceMappingUrl("/*# sourceMappingURL=tight.map*/"), "tight.map", "a block comment without a space");
  t.equal(sourceMappingUrl("//# sourceMappingURL=first.map\nx();\n//# sourceMappingURL=last.map\n"), "last.map");
  t.equal(
    sourceMappingUrl('//# sourceMappingURL=real.map\nconst s = "sourceMappingURL=not-a-comment";\n'),
    "real.map",
    "a string that holds the words is not a comment",
  );
  t.equal(sourceMappingUrl("sourceMappingURL=at-the-start"), undefined, "not a comment at the file's start");
  t.equal(sourceMappingUrl("x();\n"), undefined, "no comment");
  const inline = `//# sourceMappingURL=data:application/json;base64,${"A".repeat(200_000)}`;
  t.equal(sourceMappingUrl(`x();\n${inline}`)?.length, inline.length - "//# sourceMappingURL=".length);
});

t.test("given V8's script names, when the file is asked for, then paths and file URLs have one", async (t) => {
  t.equal(scriptFile("/app/a.js"), "/app/a.js");
  t.equal(scriptFile("file:///app/m%20x.mjs"), "/app/m x.mjs", "an ES module's URL");
  t.equal(scriptFile("file://host/app/a.js"), undefined, "a file URL of another host");
  t.equal(scriptFile("node:internal/main"), undefined);
  t.equal(scriptFile("evalmachine.<anonymous>"), undefined);
  t.equal(scriptFile(""), undefined);
});

/** A map of one generated line to the lines and columns of `src/app.ts`: [generated column, line, column]. */
function mapOf(segments: [number, number, number, number?][][], names: string[] = [], source = "src/app.ts") {
  return JSON.stringify({
    version: 3,
    sources: [source],
    names,
    mappings: encode(
      segments.map((line) => line.map(([g, l, c, n]) => (n === undefined ? [g, 0, l, c] : [g, 0, l, c, n]))),
    ),
  });
}

t.test("given maps in every place a script may name, when they are read, then each script finds its own", async (t) => {
  const dir = t.testdir({ maps: {} });
  const map = mapOf([[[0, 9, 4]]]);
  const files: Record<string, string> = {
    "relative.js": "x();\n//# sourceMappingURL=maps/relative.js.map\n",
    "maps/relative.js.map": map,
    "absolute.js": `x();\n//# sourceMappingURL=${dir}/absolute.map\n`,
    "absolute.map": map,
    "url.js": `x();\n//# sourceMappingURL=${pathToFileURL(join(dir, "url.map")).href}\n`,
    "url.map": map,
    "percent.js": `x();\n//# sourceMappingURL=data:application/json,${encodeURIComponent(map)}\n`,
    "beside.js": "x();\n",
    "beside.js.map": map,
    "remote.js": "x();\n//# sourceMappingURL=https://example.com/remote.js.map\n",
    "missing.js": "x();\n//# sourceMappingURL=missing.js.map\n",
    "plain.js": "x();\n",
    "comma.js": "x();\n//# sourceMappingURL=data:application/json;base64\n",
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const warnings: string[] = [];
  const maps = new ScriptMaps((w) => warnings.push(w));
  t.same(maps.get(join(dir, "relative.js"))?.original(1, 1), {
    source: join(dir, "maps/src/app.ts"),
    line: 10,
    column: 5,
  });
  t.same(maps.get(join(dir, "absolute.js"))?.original(1, 1), { source: join(dir, "src/app.ts"), line: 10, column: 5 });
  t.same(maps.get(pathToFileURL(join(dir, "url.js")).href)?.original(1, 1)?.line, 10, "an ES module's script");
  t.same(
    maps.get(join(dir, "percent.js"))?.original(1, 1)?.source,
    join(dir, "src/app.ts"),
    "a percent-encoded data: URL",
  );
  t.same(maps.get(join(dir, "beside.js"))?.original(1, 1)?.line, 10, "a map beside a script without a comment");
  t.equal(maps.get(join(dir, "remote.js")), undefined, "a map on the network is not fetched");
  t.equal(maps.get(join(dir, "missing.js")), undefined, "a missing map leaves the script as it is");
  t.equal(maps.get(join(dir, "plain.js")), undefined, "no map");
  t.equal(maps.get(join(dir, "gone.js")), undefined, "a script no longer there");
  t.equal(maps.get("node:internal/main"), undefined);
  t.same(warnings, [], "none of those is worth a warning");
  t.equal(maps.get(join(dir, "comma.js")), undefined, "a data: URL without data");
  t.equal(maps.get(join(dir, "comma.js")), undefined, "read once");
  t.equal(warnings.length, 1, "is said once");
  t.match(warnings[0], `${join(dir, "comma.js")}: source map cannot be read (a data: URL without a comma)`);
});

t.test("given a map, when positions are looked up, then each is its mapping's or the next on its line", async (t) => {
  // Line 1: "  call();" mapped from column 2; line 2 unmapped.
  const map = new ScriptMap(new TraceMap(mapOf([[[2, 4, 6]], []], [], "file:///src/app.ts")), "  call();\nx();\n");
  t.same(map.original(1, 5), { source: "/src/app.ts", line: 5, column: 7 }, "within the mapping");
  t.same(map.original(1, 1), { source: "/src/app.ts", line: 5, column: 7 }, "in the indentation: the line's first");
  t.equal(map.original(2, 1), undefined, "an unmapped line");
  t.equal(map.original(9, 1), undefined, "past the end");
  t.equal(map.original(0, 1), undefined, "no line");
  t.equal(map.soleSource(), "/src/app.ts");
  const bundle = new ScriptMap(
    new TraceMap({ version: 3, sources: ["webpack://app/a.ts", "b.ts"], names: [], mappings: "AAAA,CCAA" }),
    "ab",
  );
  t.equal(bundle.soleSource(), undefined, "a bundle has no one source");
  t.equal(bundle.original(1, 1)?.source, "webpack://app/a.ts", "a source that is not a file keeps its URL");
});

t.test("given a minified script with names, when a function's name is asked, then the map's is given", async (t) => {
  const code = "function a(b){return b}exports.c=function(){};";
  // "a" at column 9 is handleRequest's name; "(" at 10; "exports.c" at 23.
  const segments: [number, number, number, number?][] = [
    [0, 0, 0],
    [9, 0, 9, 0],
    [10, 0, 22],
    [23, 3, 0, 1],
    [33, 3, 14],
  ];
  const map = new ScriptMap(new TraceMap(mapOf([segments], ["handleRequest", "exported"])), code);
  t.equal(map.originalName("a", 1, 11), "handleRequest", "V8's a, at its parameter list");
  t.equal(map.originalName("exports.c", 1, 42), undefined, "a name V8 made up is no identifier in the code");
  t.equal(map.originalName("c", 1, 42), undefined, "a name that is not the one at the mapping");
  t.equal(map.originalName("a", 2, 1), undefined, "a line the map does not have");
  const unnamed = new ScriptMap(new TraceMap(mapOf([[[9, 0, 9]]])), code);
  t.equal(unnamed.originalName("a", 1, 11), undefined, "a map without names");
});
