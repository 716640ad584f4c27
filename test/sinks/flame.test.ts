import t from "tap";
import { flame } from "../../src/sinks/flame";
import { frameColor } from "../../src/sinks/svg/palette";
import { fitText } from "../../src/sinks/svg/script";
import { xml } from "../../src/sinks/svg/xml";
import { FunctionKind } from "../../src/codec/model";
import { builtin, capture, js, native, runReport, workedExample } from "./capture";
import { GOLDEN } from "./golden";
import { hasXmllint, needs, xmllint } from "./tools";

interface Box {
  x: number;
  w: number;
  title: string;
  rectX: number;
  rectWidth: number;
  y: number;
  fill: string;
  text: string;
}

/** The frame boxes of a memtrace flame graph, as the renderer writes them (one per line). */
function boxes(svg: string): Box[] {
  const re =
    /<g data-x="(\d+)" data-w="(\d+)"><title>(.*?)<\/title><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" [^>]*fill="([^"]+)"\/><text [^>]*>(.*?)<\/text><\/g>/g;
  return [...svg.matchAll(re)].map((m) => ({
    x: Number(m[1]),
    w: Number(m[2]),
    title: m[3],
    rectX: Number(m[4]),
    y: Number(m[5]),
    rectWidth: Number(m[6]),
    fill: m[7],
    text: m[8],
  }));
}

const box = (svg: string, label: string) => boxes(svg).find((b) => b.title.startsWith(`${label} (`))!;

t.test("given the worked example, when drawn, then widths, tooltips and the title follow the bytes", async (t) => {
  const svg = await runReport(flame, workedExample(), {}, "total");
  t.match(svg, /<text id="title" [^>]*>Total memory: 2\.0 KiB allocated in 5 allocations, freed or not<\/text>/);
  t.match(svg, /<text id="subtitle" [^>]*>node app\.js \(pid 100\)<\/text>/);
  const all = box(svg, "all");
  t.same([all.x, all.w, all.rectX, all.rectWidth], [0, 2050, 10, 1180], "the root spans the width");
  t.equal(all.title, "all (2.0 KiB, 2,050 bytes, 5 allocations, 100.00%)");
  const parse = box(svg, "parse (app.js:10)");
  t.equal(parse.title, "parse (app.js:10) (1.5 KiB, 1,500 bytes, 2 allocations, 73.17%)");
  t.equal(parse.rectWidth, Number(((1500 / 2050) * 1180).toFixed(1)));
  const noStack = box(svg, "(no stack)");
  t.equal(noStack.title, "(no stack) (50 bytes, 1 allocation, 2.44%)");
  t.equal(noStack.x, 0, "siblings in label order: '(' sorts before 'm'");
  t.equal(box(svg, "main (app.js:1)").x, 50);
  t.ok(box(svg, "main (app.js:1)").y < all.y, "callees above callers: the root is at the bottom");
  // recurse > recurse > recurse: three boxes on top of each other, each with the same 300 B path below.
  t.equal(boxes(svg).filter((b) => b.title.startsWith("recurse (app.js:20) (")).length, 3);
  t.equal(boxes(svg).length, 9, "all, (no stack), main, parse, malloc, 3 × recurse, malloc");
});

t.test("given each measure, when drawn, then the title says what the widths mean", async (t) => {
  const title = async (measure: "peak" | "leaks" | "total") =>
    /<text id="title" [^>]*>(.*?)<\/text>/.exec(await runReport(flame, workedExample(), {}, measure))![1];
  t.equal(await title("peak"), "Peak memory: 2.0 KiB live at 500 ns in 5 allocations");
  t.equal(await title("leaks"), "Leaked memory: 1.0 KiB still live at exit in 4 allocations");
  const svg = await runReport(flame, workedExample({ trailer: false }), { title: "My <app> & co" }, "leaks");
  t.match(svg, /<text id="title" [^>]*>My &lt;app&gt; &amp; co<\/text>/, "--title replaces the title");
  t.match(
    svg,
    /<text id="subtitle" [^>]*>Leaked memory: 1\.0 KiB still live at the end of the capture in 4 allocations · node app\.js \(pid 100\) · the capture was cut short/,
    "and the measure moves to the subtitle, with the warning",
  );
});

t.test("given frames narrower than --minwidth, when drawn, then they are left out and counted", async (t) => {
  const steps = [
    { frames: [js("big", 1)], size: 1_000_000 },
    ...Array.from({ length: 5 }, (_, i) => ({ frames: [js("tiny", 2 + i), native("malloc")], size: 1 })),
  ];
  const svg = await runReport(flame, capture(steps), {}, "total");
  t.same(
    boxes(svg).map((b) => b.title.replace(/ \(.*/, "")),
    ["all", "big"],
  );
  t.match(svg, /<text id="omitted" [^>]*>10 frames narrower than 0\.1 px not drawn<\/text>/);
  t.equal(box(svg, "all").w, 1_000_005, "the root still holds what was left out");
  const all = await runReport(flame, capture(steps), { minwidth: 0 }, "total");
  t.equal(boxes(all).length, 12);
  t.notMatch(all, /id="omitted"/);
});

t.test("given --width, when drawn, then the image and the root take that width", async (t) => {
  const svg = await runReport(flame, workedExample(), { width: 600 }, "total");
  t.match(svg, /^<\?xml [^>]*\?>\n<svg version="1\.1" width="600" height="\d+" viewBox="0 0 600 \d+"/);
  t.equal(box(svg, "all").rectWidth, 580);
});

t.test(
  "given labels wider than their boxes, when drawn, then text is cut with '..' as flamegraph.pl does",
  async (t) => {
    t.equal(fitText("abcdefghij", 10 * 7.08, 7.08), "abcdefghij");
    t.equal(fitText("abcdefghijk", 10 * 7.08, 7.08), "abcdefgh..");
    t.equal(fitText("abc", 2.9 * 7.08, 7.08), "", "fewer than 3 characters of room: no text");
    t.equal(fitText("💥💥💥💥💥", 4 * 7.08, 7.08), "💥💥..", "never half a character");
    const svg = await runReport(flame, workedExample(), { width: 200 }, "total");
    t.equal(box(svg, "(no stack)").text, "", "a 7 px box has no text");
  },
);

t.test(
  "given the same function in two graphs, when colored, then it has the same color; kinds differ in hue",
  async (t) => {
    const a = await runReport(flame, workedExample(), {}, "total");
    const b = await runReport(flame, workedExample(), {}, "leaks");
    t.equal(box(a, "main (app.js:1)").fill, box(b, "main (app.js:1)").fill);
    const rgb = (s: string) => s.match(/\d+/g)!.map(Number);
    for (const label of ["main", "parse", "x", "handleRequest (/app/server.js:42)"]) {
      const [r, g, bl] = rgb(frameColor(FunctionKind.KIND_JS, label));
      t.ok(g > r && g > bl, `JS is green: ${label}`);
      const [nr, ng, nb] = rgb(frameColor(FunctionKind.KIND_NATIVE, label));
      t.ok(nr > ng && ng > nb, `native is orange-yellow: ${label}`);
      const [br, bg, bb] = rgb(frameColor(FunctionKind.KIND_BUILTIN, label));
      t.ok(bb > br && bg > br, `builtin is aqua: ${label}`);
      const [or, og, ob] = rgb(frameColor(FunctionKind.KIND_OTHER, label));
      t.ok(Math.max(or, og, ob) - Math.min(or, og, ob) <= 15, `other is grey: ${label}`);
    }
  },
);

t.test(
  "given text with markup, quotes and forbidden characters, when escaped, then XML holds it as text",
  async (t) => {
    t.equal(xml(`<script>"a" & 'b'</script>`), "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;");
    t.equal(xml("]]>"), "]]&gt;");
    t.equal(xml("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
    t.equal(xml("nul\u0000 esc\u001b del\u007f"), "nul\ufffd esc\ufffd del\u007f");
    t.equal(xml("lone \ud800 pair \ud83d\udca5"), "lone \ufffd pair 💥");
    t.equal(xml("内存 שלום"), "内存 שלום", "unicode stays as it is");
  },
);

const HOSTILE = [
  "<script>alert(1)</script>",
  "say \"hi\" & 'bye'",
  "]]> <![CDATA[ x",
  "a;b;c",
  "line\nbreak",
  "nul\u0000byte",
  "💥 内存分配器 שלום",
  '</text></g><g onload="alert(1)">',
];

t.test(
  "given hostile function names, when drawn, then the SVG is well-formed and has no markup of theirs",
  needs(hasXmllint(), "xmllint"),
  async (t) => {
    const steps = HOSTILE.map((name, i) => ({
      frames: [js("main", 1, "/app/<dir>/&file.js"), i % 2 ? native(name) : builtin(name)],
      size: 1000 + i,
    }));
    const svg = await runReport(flame, capture(steps, { argv: ["node", "<script>.js", '--x="y"'] }), {}, "total");
    const check = xmllint(t, svg, "--noout");
    t.equal(check.stderr, "", "xmllint finds nothing wrong");
    t.equal(check.status, 0);
    const count = (xpath: string) => xmllint(t, svg, "--xpath", xpath).stdout.trim();
    t.equal(count("count(//*[local-name()='script'])"), "1", "one script: the graph's own");
    t.equal(count("count(//*[@onload])"), "0", "no event handler attributes");
    t.equal(count("count(//*[local-name()='g'][@data-w])"), String(2 + HOSTILE.length), "one box per frame");
    t.equal(
      count("string(//*[local-name()='title'][starts-with(., '<script>')])"),
      "<script>alert(1)</script> (node:internal/x) (1,000 bytes, 1 allocation, 12.46%)",
    );
    t.equal(
      count("string(//*[local-name()='title'][starts-with(., 'say')])"),
      `say "hi" & 'bye' (1,001 bytes, 1 allocation, 12.47%)`,
    );
    t.equal(count("string(//*[@id='subtitle'])"), 'node <script>.js --x="y" (pid 100)');
    t.notMatch(svg, /<script>alert/);
    t.notOk(svg.includes("\u0000"), "no NUL: XML cannot hold it");
  },
);

t.test("given a graph, when checked for outside references, then it has none", async (t) => {
  const svg = await runReport(flame, workedExample(), {}, "total");
  const urls = svg.match(/(?:https?|file|ftp):\/\/[^\s"'<>]*/g) ?? [];
  t.same(urls, ["http://www.w3.org/2000/svg"], "only the SVG namespace, which is a name, not a fetch");
  t.notMatch(svg, /<!DOCTYPE/, "no DTD to fetch");
  t.notMatch(svg, /\b(?:href|src)=/);
  t.notMatch(svg, /@import|url\((?!#)/, "CSS refers to nothing outside");
});

t.test("given the same profile twice, when drawn, then the output is byte for byte the same", async (t) => {
  t.equal(await runReport(flame, workedExample(), {}, "peak"), await runReport(flame, workedExample(), {}));
});

t.test(
  "given a profile with nothing in it, when drawn, then the root spans the width and the title says 0 B",
  async (t) => {
    const svg = await runReport(flame, capture([{ frames: [js("f", 1)], size: 8 }, { free: 0 }]), {}, "leaks");
    t.match(svg, /<text id="title" [^>]*>Leaked memory: 0 B still live at exit in 0 allocations<\/text>/);
    t.same(
      boxes(svg).map((b) => [b.title, b.rectWidth]),
      [["all (0 bytes, 0 allocations, 0.00%)", 1180]],
    );
  },
);

t.test("given small captures, when drawn, then the graphs match their golden files", GOLDEN, async (t) => {
  t.matchSnapshot(await runReport(flame, workedExample(), {}, "peak"), "flame/worked-peak.svg");
  const steps = [
    { frames: [builtin("processTicksAndRejections"), js("handler", 3), native("node::Buffer::New")], size: 4096 },
    { frames: [builtin("processTicksAndRejections"), js("handler", 3)], size: 100, count: 3 },
    { frames: [native("start_thread"), native("uv__fs_work"), native("operator new")], size: 65536 },
    { frames: [native("start_thread"), { name: "0x7f00dead", kind: FunctionKind.KIND_OTHER }], size: 512 },
  ];
  t.matchSnapshot(await runReport(flame, capture(steps), { title: "Mixed kinds" }, "total"), "flame/mixed-total.svg");
});
