// memtrace diff on two synthetic runs of one app, written as two recorders would write them: other pids, other
// addresses for the same native functions, libz mapped elsewhere, a JavaScript function moved two lines down.
// The reports are golden files (test/sinks/golden/diff/); the command's options and exit statuses run in-process.
import t from "tap";
import { changeColor } from "../../src/sinks/diff/color";
import { renderDiffFlame } from "../../src/sinks/diff/flame";
import { renderDiffJson } from "../../src/sinks/diff/json";
import { renderDiffText } from "../../src/sinks/diff/text";
import { diffPageData } from "../../src/sinks/diff/html";
import * as model from "../../src/sinks/html/model";
import { staleBuild } from "../fixtures/cli";
import { runArgsInProcess } from "../fixtures/inprocess";
import { BASE, NAMES, NEW, diffOf, diffViews } from "./diff-runs";
import { GOLDEN } from "./golden";

t.test("given two runs, when compared, then frames match by name whatever their addresses", async (t) => {
  const diff = await diffOf();
  const byLabel = new Map(diff.locations.map((l) => [l.label, l]));
  t.same(diff.totals.base, { bytes: 12200, count: 5 });
  t.same(diff.totals.next, { bytes: 66700, count: 5 });
  t.same(byLabel.get("malloc")!.next.bytes, 5000, "malloc at another address is one location");
  t.same(
    byLabel.get("[libz.so.1+0xd113]"),
    {
      label: "[libz.so.1+0xd113]",
      kind: 0,
      base: { bytes: 8000, count: 1 },
      next: { bytes: 1000, count: 1 },
      baseTotal: { bytes: 8000, count: 1 },
      nextTotal: { bytes: 1000, count: 1 },
    },
    "an unresolved frame matches by its offset in the file, wherever the file was mapped",
  );
  t.same(byLabel.get("(unknown)")!.next.bytes, 700, "bare addresses, which differ, are one unknown frame");
  const grow = byLabel.get("grow (/app/app.js:10,12)");
  t.ok(grow, "grow moved from line 10 to 12: one location, with both lines");
  t.same(grow!.baseTotal.bytes, 1000);
  t.same(grow!.nextTotal.bytes, 60000);
  const gone = diff.stacks.find((s) => s.frames.includes("gone (/app/app.js:40)"))!;
  t.same([gone.base.bytes, gone.next.bytes], [500, 0], "a stack NEW no longer has");

  const lines = await diffOf({}, true);
  const labels = lines.locations.map((l) => l.label);
  t.ok(labels.includes("grow (/app/app.js:10)") && labels.includes("grow (/app/app.js:12)"), "--match-lines");
});

t.test("given two runs, when reported, then the reports match their golden files", GOLDEN, async (t) => {
  const diff = await diffOf();
  const text = renderDiffText(diff, { ...NAMES, top: 10, color: false, width: undefined });
  t.match(
    text.split("\n")[0],
    /^Peak memory \(native and JS heaps\), BASE to NEW: \+53\.2 KiB \(11\.9 KiB to 65\.1 KiB, \+446\.72%\)/,
  );
  t.match(text, /2 locations grew:\n.*\n *\+57\.6 KiB +1000 B +58\.6 KiB +0 +grow \(\/app\/app\.js:10,12\)\n/);
  t.matchSnapshot(text, "diff/peak.txt");
  t.matchSnapshot(
    renderDiffText(diff, { ...NAMES, top: 1, color: true, width: 60 }),
    "diff/peak.--top.1.--width.60.--color.txt",
  );
  const json = renderDiffJson(diff, { ...NAMES, budget: { percent: 100 } });
  const parsed = JSON.parse(json);
  t.equal(parsed.locations[0].location, "grow (/app/app.js:10,12)", "JSON: the largest growth first");
  t.same(parsed.budget, { bytes: 12200, over: true });
  t.matchSnapshot(json, "diff/peak.--fail-over.100%.json");
  t.matchSnapshot(renderDiffFlame(diff, NAMES), "diff/peak.flame.svg");
  t.matchSnapshot(
    renderDiffText(await diffOf({ measure: "total" }, true), {
      ...NAMES,
      top: 10,
      color: false,
      width: undefined,
      matchLines: true,
    }),
    "diff/total.--match-lines.txt",
  );
});

t.test("given two runs, when drawn as an HTML page, then its data holds both runs in both views", GOLDEN, async (t) => {
  const data = diffPageData(await diffViews(), NAMES);
  t.matchSnapshot(JSON.stringify(data, null, 1) + "\n", "diff/peak.html.json");
  // The page's model, run here as the browser runs it.
  const labels = data.labels;
  for (const allFrames of [false, true]) {
    for (const inverted of [false, true]) {
      const choice = { process: 0, thread: null, view: "total" as const, window: null, inverted, allFrames };
      const tree = model.buildTree(data, choice, model.labelRanks(data));
      t.same([tree.bytes[0], tree.base![0]], [66700, 12200], "the root: NEW's and BASE's totals");
      // The nodes of this view (the trie holds both views' nodes).
      const shown = (label: string) =>
        [...Array(tree.size).keys()].filter(
          (n) => labels[tree.label[n]] === label && tree.bytes[n] + tree.base![n] > 0,
        );
      const grow = shown("grow (/app/app.js:10,12)");
      t.same(
        grow.map((n) => [tree.bytes[n], tree.base![n]]),
        [[60000, 1000]],
        `grow, ${allFrames ? "every frame" : "app view"}${inverted ? ", inverted" : ""}`,
      );
      t.equal(shown("malloc").length > 0, allFrames, "malloc is a frame of its own only with every frame");
    }
  }
});

t.test("given changes, then the flame graph's colors are flamegraph.pl's", async (t) => {
  t.equal(changeColor(10, 10), "rgb(255,0,0)", "the largest growth: full red");
  t.equal(changeColor(-10, 10), "rgb(0,0,255)", "the largest shrinkage: full blue");
  t.equal(changeColor(5, 10), "rgb(255,105,105)");
  t.equal(changeColor(0, 10), "rgb(250,250,250)", "unchanged: white");
});

const stale = staleBuild();
if (stale) t.fail(stale);
else
  t.test("given the diff command, then its options and exit statuses", async (t) => {
    const files = { "base.mtrace": BASE, "new.mtrace": NEW };
    const diff = (...args: string[]) => runArgsInProcess(["diff", ...args], files);
    const plain = await diff("--frames", "all", "base.mtrace", "new.mtrace", "-o", "out");
    t.equal(plain.status, 0);
    t.equal(
      plain.stdout.toString(),
      renderDiffText(await diffOf(), { ...NAMES, top: 10, color: false, width: undefined }),
    );

    const app = await diff("base.mtrace", "new.mtrace", "-o", "out");
    t.equal(app.status, 0);
    t.match(app.stdout.toString(), /^\+57\.6 KiB .* grow \(\/app\/app\.js:10,12\)$/m, "the app view by default");

    const within = await diff("--fail-over", "64k", "base.mtrace", "new.mtrace", "-o", "out");
    t.equal(within.status, 0, "growth within the budget: exit 0");
    t.match(within.stdout.toString(), /Growth \+53\.2 KiB is within the budget of 64\.0 KiB/);
    for (const budget of ["50k", "100%", "0"]) {
      const over = await diff("--fail-over", budget, "base.mtrace", "new.mtrace", "-o", "out");
      t.equal(over.status, 3, `--fail-over ${budget}: exit 3`);
      t.match(over.stderr, /^memtrace diff: Growth \+53\.2 KiB is over the budget of .* \(--fail-over\)\.\n$/);
      t.ok(over.stdout.length > 0, "the report is written all the same");
    }
    const back = await diff("--fail-over", "0", "new.mtrace", "base.mtrace", "-o", "out");
    t.equal(back.status, 0, "NEW smaller than BASE: within any budget");

    const json = JSON.parse((await diff("--json", "base.mtrace", "new.mtrace", "-o", "out")).stdout.toString());
    t.equal(json.locations[0].location, "grow (/app/app.js:10,12)");
    const svg = (await diff("--flame", "base.mtrace", "new.mtrace", "-o", "out")).stdout.toString();
    t.match(svg, /^<\?xml/);
    t.match(svg, /grow \(\/app\/app\.js:10,12\) \(NEW 58\.6 KiB, BASE 1000 B, \+57\.6 KiB, \+5900\.00%\)/);
    const html = (await diff("--html", "--inverted", "base.mtrace", "new.mtrace", "-o", "out")).stdout.toString();
    const page = JSON.parse(/<script type="application\/json" id="data">(.*?)<\/script>/s.exec(html)![1]);
    t.same(page, diffPageData(await diffViews(), { ...NAMES, inverted: true }), "--html: the page of both views");

    const usage: [string[], RegExp][] = [
      [["--json", "--flame", "base.mtrace", "new.mtrace"], /choose one form: --json, --flame or --html/],
      [["--json", "--html", "base.mtrace", "new.mtrace"], /choose one form: --json, --flame or --html/],
      [["--title", "x", "base.mtrace", "new.mtrace"], /--title is the HTML page's: add --html/],
      [["--split-threads", "base.mtrace", "new.mtrace"], /process and thread ids differ between runs/],
      [["-", "-"], /stdin can be read once/],
      [
        ["--fail-over", "lots", "base.mtrace", "new.mtrace"],
        /expected a size such as 4096, 64k or 1\.5MiB, or a share/,
      ],
      [["base.mtrace"], /missing required argument 'new'/],
    ];
    for (const [args, message] of usage) {
      const r = await diff(...args);
      t.equal(r.status, 2, `${args.join(" ")}: exit 2`);
      t.match(r.stderr, message);
    }
    // A folded capture is read as it is: under its own measure unless one is given.
    const folded = (await runArgsInProcess(["fold", "--leaks", "base.mtrace", "-o", "out"], files)).stdout;
    const withFolded = (...args: string[]) =>
      runArgsInProcess(["diff", ...args], { ...files, "base.leaks.mtrace": folded });
    const mixed = await withFolded("base.leaks.mtrace", "new.mtrace");
    t.equal(mixed.status, 2, "a folded --leaks BASE and a raw NEW (peak) are not compared");
    t.match(mixed.stderr, /^memtrace diff: BASE holds leaks and NEW peak: give the measure to compare/);
    const leaks = await withFolded("--leaks", "base.leaks.mtrace", "new.mtrace", "-o", "out");
    const raw = await diff("--leaks", "base.mtrace", "new.mtrace", "-o", "out");
    t.equal(leaks.status, 0, leaks.stderr);
    t.equal(
      leaks.stdout.toString().replace("base.leaks.mtrace", "base.mtrace"),
      raw.stdout.toString(),
      "with the measure given, a folded BASE reads as the raw one",
    );

    // The page inverts stacks itself, from stacks folded from the root.
    const inverted = async (file: string) =>
      (await runArgsInProcess(["fold", "--inverted", file, "-o", "out"], files)).stdout;
    const both = { "base.inv.mtrace": await inverted("base.mtrace"), "new.inv.mtrace": await inverted("new.mtrace") };
    const invertedHtml = await runArgsInProcess(["diff", "--html", "base.inv.mtrace", "new.inv.mtrace"], both);
    t.equal(invertedHtml.status, 2, "--html of inverted captures: exit 2");
    t.match(invertedHtml.stderr, /the HTML page inverts stacks itself: give it captures folded without --inverted/);

    const missing = await diff("base.mtrace", "nope.mtrace");
    t.equal(missing.status, 1);
    t.match(missing.stderr, /^memtrace diff: no such file: nope\.mtrace\n$/);
  });
