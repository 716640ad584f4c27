// `memtrace tree`: the biggest paths of the call tree. The worked example's tree is written out by hand below; the
// rules (threshold, --top, --depth, the "more" lines) are checked on small captures whose sums are easy to follow.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { summary } from "../../src/sinks/summary";
import { tree } from "../../src/sinks/tree";
import { displayWidth } from "../../src/sinks/table";
import { handComputed, multiProcess } from "../fixtures/captures";
import { capture, js, native, runReport, workedExample, type Step } from "./capture";
import { GOLDEN } from "./golden";

const plain = { color: false };

/** The tree's lines, after the headline and the blank lines. */
function treeLines(out: string): string[] {
  const lines = out.split("\n");
  return lines.slice(lines.findIndex((l) => /\ball$/.test(l))).filter((l) => l !== "");
}

t.test("given the worked example under --total, when drawn, then the tree is the one worked out by hand", async (t) => {
  const out = await runReport(tree, workedExample(), plain, "total");
  t.match(out, /^Total memory: 2\.0 KiB allocated in 5 allocations, freed or not\n/);
  t.match(
    out,
    /\nThe biggest paths: frames holding 1% of 2\.0 KiB or more, at most 10 callees per frame, largest first\.\n/,
  );
  // main holds 2000 of 2050 bytes; parse 1500 (1000 through malloc, 500 its own); recurse 500 (its own 200, and the
  // 300 allocated three calls deep). A frame's only callee stays in its column: a chain reads down.
  t.same(treeLines(out), [
    "2.0 KiB  100.00%  all",
    "2.0 KiB   97.56%  ├─ main (app.js:1)",
    "1.5 KiB   73.17%  │  ├─ parse (app.js:10)  (own 500 B)",
    " 1000 B   48.78%  │  │  malloc",
    "  500 B   24.39%  │  └─ recurse (app.js:20)  (own 200 B)",
    "  300 B   14.63%  │     recurse (app.js:20)",
    "  300 B   14.63%  │     recurse (app.js:20)",
    "  300 B   14.63%  │     malloc",
    "   50 B    2.44%  └─ (no stack)",
  ]);
});

/** Five callees of main: 4000, 3000, 2000, 600 and 400 bytes (10000 in all). */
const fan = (): Uint8Array =>
  capture([4000, 3000, 2000, 600, 400].map((size, i): Step => ({ frames: [js("main", 1), native(`f${i}`)], size })));

t.test("given --threshold and --top, when drawn, then the rest are summed on one line", async (t) => {
  t.same(treeLines(await runReport(tree, fan(), { ...plain, threshold: 5 }, "total")), [
    "9.8 KiB  100.00%  all",
    "9.8 KiB  100.00%  main (app.js:1)",
    "3.9 KiB   40.00%  ├─ f0",
    "2.9 KiB   30.00%  ├─ f1",
    "2.0 KiB   20.00%  ├─ f2",
    "  600 B    6.00%  ├─ f3",
    "  400 B    4.00%  └─ … 1 more",
  ]);
  t.same(treeLines(await runReport(tree, fan(), { ...plain, top: 2 }, "total")).slice(2), [
    "3.9 KiB   40.00%  ├─ f0",
    "2.9 KiB   30.00%  ├─ f1",
    "2.9 KiB   30.00%  └─ … 3 more",
  ]);
  const none = treeLines(await runReport(tree, fan(), { ...plain, threshold: 50 }, "total"));
  t.same(none.slice(1), ["9.8 KiB  100.00%  main (app.js:1)", "9.8 KiB  100.00%  └─ … 5 callees"], "all under it");
  const every = treeLines(await runReport(tree, fan(), { ...plain, threshold: 0 }, "total"));
  t.equal(every.length, 7, "--threshold 0 leaves nothing out");
});

t.test("given --depth, when drawn, then frames below it are counted, not shown", async (t) => {
  const out = treeLines(await runReport(tree, workedExample(), { ...plain, depth: 2 }, "total"));
  t.same(out, [
    "2.0 KiB  100.00%  all",
    "2.0 KiB   97.56%  ├─ main (app.js:1)",
    "1.5 KiB   73.17%  │  ├─ parse (app.js:10)  (own 500 B; 1 callee below --depth 2)",
    "  500 B   24.39%  │  └─ recurse (app.js:20)  (own 200 B; 1 callee below --depth 2)",
    "   50 B    2.44%  └─ (no stack)",
  ]);
  t.match(
    await runReport(tree, workedExample(), { ...plain, depth: 2 }, "total"),
    /frames holding 1% of 2\.0 KiB or more, at most 10 callees per frame, down to depth 2, largest first/,
  );
});

t.test("given --ascii, when drawn, then branches use ASCII characters only", async (t) => {
  const out = await runReport(tree, fan(), { ...plain, ascii: true, top: 2 }, "total");
  t.same(treeLines(out).slice(2), [
    "3.9 KiB   40.00%  |- f0",
    "2.9 KiB   30.00%  |- f1",
    "2.9 KiB   30.00%  `- ... 3 more",
  ]);
  t.notMatch(treeLines(out).join("\n"), /[^\x20-\x7e\n]/, "nothing but printable ASCII");
});

t.test("given a stack 300 calls deep, when drawn, then the chain does not drift to the right", async (t) => {
  const walk = js("walk", 12);
  const deep: Step[] = [{ frames: [js("main", 1), ...Array<typeof walk>(300).fill(walk), native("malloc")], size: 64 }];
  const lines = treeLines(await runReport(tree, capture(deep), plain, "total"));
  t.equal(lines.length, 303, "the root, main, 300 calls of walk and malloc");
  t.ok(
    lines.every((l) => displayWidth(l) < 40),
    "every line as narrow as the first ones",
  );
  t.equal(lines.at(-1), "64 B  100.00%  malloc");
});

t.test(
  "given the realistic capture, when drawn, then only the frames over the threshold have lines of their own",
  async (t) => {
    const lines = treeLines(
      await runReport(tree, multiProcess().bytes(), { ...plain, ascii: true, threshold: 3, top: 4 }, "total"),
    );
    t.ok(lines.length > 5, "a tree");
    for (const line of lines) {
      const m = /^ *[\d.]+ (?:B|KiB|MiB) {2,}(\d+\.\d\d)% {2}(.*)$/.exec(line);
      t.ok(m, `bytes and a percentage first: ${line}`);
      if (m && !m[2].includes("... ")) t.ok(Number(m[1]) >= 3, `over 3%: ${line}`);
    }
  },
);

t.test("given a narrow terminal, when drawn, then long labels are cut in the middle to fit", async (t) => {
  const long = js(`handle${"Very".repeat(30)}LongRequest`, 7, "/srv/app/lib/handlers/requests.js");
  const out = await runReport(
    tree,
    capture([{ frames: [js("main", 1), long], size: 64 }]),
    { ...plain, width: 60 },
    "total",
  );
  const lines = treeLines(out);
  t.ok(
    lines.every((l) => displayWidth(l) <= 60),
    "fits 60 columns",
  );
  t.match(lines[2], /handleVery.*….*requests\.js:7\)$/, "keeps the start and the file:line");
});

t.test("given colors asked for, when drawn, then percentages are colored by share", async (t) => {
  const out = await runReport(tree, workedExample(), { color: true }, "total");
  t.ok(out.includes("\x1b[31m100.00%\x1b[0m  all"), "the root in red");
  t.ok(out.includes("\x1b[32m  2.44%\x1b[0m"), "a small share in green");
});

t.test("given names with terminal escapes, when drawn, then they are shown, not sent", async (t) => {
  const out = await runReport(tree, capture([{ frames: [native("evil\x1b[2J\x07")], size: 10 }]), plain, "total");
  t.notOk(out.includes("\x1b") || out.includes("\x07"), "no control character reaches the terminal");
  t.ok(out.includes("evil\\x1b[2J\\x07"));
});

t.test("given nothing under the measure, when drawn, then it says so", async (t) => {
  const out = await runReport(tree, capture([{ frames: [js("f", 1)], size: 8 }, { free: 0 }]), plain, "leaks");
  t.match(out, /\nNo allocations under this measure\.\n$/);
});

t.test("given inverted stacks, when drawn, then the allocating frames are at the root", async (t) => {
  const out = treeLines(await runReport(tree, workedExample(), plain, { measure: "total", inverted: true }));
  t.same(out.slice(0, 3), [
    "2.0 KiB  100.00%  all",
    "1.3 KiB   63.41%  ├─ malloc",
    " 1000 B   48.78%  │  ├─ parse (app.js:10)",
  ]);
});

t.test("given a recorded app in the app view, when drawn, then a frame's own bytes are summary's", async (t) => {
  const recorded = readFileSync(join(__dirname, "..", "golden", "compress-app.mtrace"));
  const lines = treeLines(await runReport(tree, recorded, { ...plain, frames: "app" }));
  const rows = (await runReport(summary, recorded, { ...plain, frames: "app", wide: true })).split("\n");
  /** summary's own column of a location, as printed. */
  const summaryOwn = (label: string) =>
    rows
      .find((r) => r.startsWith(label))!
      .slice(label.length)
      .trim()
      .split(/ {2,}/)[0];
  for (const label of ["compressAll (/tmp/app/compress.js:13)", "keepBuffers (/tmp/app/compress.js:22)"]) {
    const line = lines.find((l) => l.includes(label))!;
    // The Buffers under node's API and the runtime frame are the app frame's own, as summary counts them.
    t.equal(/\(own ([^)]+)\)$/.exec(line)?.[1], summaryOwn(label), `${label}: (own ...) is summary's own column`);
  }
  const detail = lines.filter((l) => /Buffer backing store|\(node:buffer:\d+\)/.test(l));
  t.ok(detail.length > 0, "node's API and the runtime frame are drawn under the app frame");
  t.same(
    detail.filter((l) => l.includes("(own ")),
    [],
    "and own nothing",
  );
});

t.test("given --threshold as typed, when parsed, then a percentage from 0 to 100 is taken", async (t) => {
  const parse = tree.options.find((o) => o.flags.startsWith("--threshold"))!.parse!;
  t.same(
    ["1", "0.5", "5%", "0", "100"].map((v) => parse(v, undefined)),
    [1, 0.5, 5, 0, 100],
  );
  for (const bad of ["", "abc", "101", "-1", "5%%"]) {
    t.throws(() => parse(bad, undefined), /expected a percentage from 0 to 100/, JSON.stringify(bad));
  }
});

t.test("given the worked example, when drawn, then the output matches its golden file", GOLDEN, async (t) => {
  t.matchSnapshot(await runReport(tree, workedExample(), plain, "total"), "tree/worked-total.txt");
  t.matchSnapshot(
    await runReport(tree, handComputed().bytes(), { ...plain, ascii: true }, "peak"),
    "tree/numbers-peak-ascii.txt",
  );
});
