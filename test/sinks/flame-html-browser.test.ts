// The HTML flame graph in a real browser (Debian's chromium, driven by playwright-core), as a user would use it:
// it loads without errors or requests, says what the SVG says, zooms, searches, re-folds for a time window dragged
// on the chart, turns into an icicle and inverts, picks processes and threads, answers the keyboard, and shows
// hostile names as text without running anything. CI installs chromium; without it (and outside CI) it is skipped.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import type { Page } from "playwright-core";
import { flame } from "../../src/sinks/flame";
import * as model from "../../src/sinks/html/model";
import { HOSTILE_NAMES, hostileNames, multiProcess } from "../fixtures/captures";
import { runReport, workedExample } from "./capture";
import { foldedBytes, htmlOf, pageData, svgTitle } from "./flame-html-helpers";
import { browserFor } from "./browser";
import { hasChromium, needs } from "./tools";

interface Frame {
  text: string;
  left: number;
  width: number;
  top: number;
  faded: boolean;
  match: boolean;
}

/** Every frame the page draws, as it shows them. */
function frames(page: Page): Promise<Frame[]> {
  return page.$$eval(".frame", (nodes) =>
    nodes.map((n) => {
      // (This file is compiled without the DOM's types: the element as far as it is read.)
      const d = n as unknown as {
        textContent: string | null;
        style: { left: string; width: string; top: string };
        classList: { contains(name: string): boolean };
      };
      return {
        text: d.textContent ?? "",
        left: parseFloat(d.style.left),
        width: parseFloat(d.style.width),
        top: parseFloat(d.style.top),
        faded: d.classList.contains("faded"),
        match: d.classList.contains("match"),
      };
    }),
  );
}

/** The worked example's frames, in label order. */
const WORKED_FRAMES = [
  "(no stack)",
  "all",
  "main (app.js:1)",
  "malloc",
  "malloc",
  "parse (app.js:10)",
  "recurse (app.js:20)",
  "recurse (app.js:20)",
  "recurse (app.js:20)",
];

const text = (page: Page, selector: string) =>
  page
    .locator(selector)
    .textContent()
    .then((s) => s ?? "");
const frame = (page: Page, label: string) => page.locator(".frame", { hasText: label });

t.test("given an HTML flame graph in chromium", needs(hasChromium(), "chromium"), async (t) => {
  const openFile = await browserFor(t);
  /** Opens a page from a file, as a user does, once it has drawn its graph. */
  const open = async (name: string, html: string, width = 1200) => {
    const opened = await openFile(name, html, { width, height: 900 });
    await opened.page.locator(".frame").first().waitFor();
    return opened;
  };

  const worked = workedExample();
  const total = await htmlOf(worked, { measure: "total" });

  t.test("when it loads, then no errors, no requests, and the SVG's title and frames", async (t) => {
    const { page, errors } = await open("worked.html", total);
    t.equal(await text(page, "#title"), svgTitle(await runReport(flame, worked, {}, "total")));
    t.equal(await page.title(), await text(page, "#title"));
    t.same((await frames(page)).map((f) => f.text).sort(), WORKED_FRAMES);
    t.equal(await text(page, "#window"), "Window: the whole run (drag across the chart to choose a part of it)");
    t.same(errors, []);
  });

  t.test("when hovering a frame, then its figures show as the SVG's tooltip says them", async (t) => {
    const { page } = await open("hover.html", total);
    await frame(page, "parse (app.js:10)").hover();
    t.equal(await text(page, "#details"), "parse (app.js:10) (1.5 KiB, 1,500 bytes, 2 allocations, 73.17%)");
    t.ok(await page.locator("#tooltip").isVisible());
    t.same(await page.locator("#tooltip > div").allTextContents(), [
      "parse (app.js:10)",
      "JavaScript",
      "1.5 KiB (1,500 bytes)",
      "2 allocations",
      "73.17% of the total",
    ]);
  });

  t.test("when a frame is clicked, then it fills the width, its callers fade and the rest goes", async (t) => {
    const { page, errors } = await open("zoom.html", total);
    const before = await frames(page);
    t.ok(await page.locator("#reset-zoom").isDisabled(), "nothing to reset yet");
    await frame(page, "recurse (app.js:20)").first().click();
    const after = await frames(page);
    const recurse = after.filter((f) => f.text === "recurse (app.js:20)");
    t.same(
      recurse.map((f) => [f.left, Math.round(f.width)]),
      [
        [0, 100],
        [0, 60],
        [0, 60],
      ],
      "the clicked frame fills the width; the 300 bytes under it are 60% of its 500",
    );
    t.same(
      after.filter((f) => f.faded).map((f) => f.text),
      ["main (app.js:1)", "all"],
      "its callers stay, faded, full width",
    );
    t.notOk(
      after.some((f) => f.text === "parse (app.js:10)" || f.text === "(no stack)"),
      "its siblings go",
    );
    await page.locator("#reset-zoom").click();
    t.same(await frames(page), before, "Reset zoom brings back every frame");
    t.same(errors, []);
  });

  t.test("when a regular expression is searched, then matches turn magenta and their share shows", async (t) => {
    const { page, errors } = await open("search.html", total);
    await page.locator("#search").fill("^(malloc|recurse)");
    await page.locator("#search").press("Enter");
    const matched = (await frames(page)).filter((f) => f.match).map((f) => f.text);
    t.same(matched.sort(), ["malloc", "malloc", "recurse (app.js:20)", "recurse (app.js:20)", "recurse (app.js:20)"]);
    // As the SVG counts it: malloc under parse (1000) + recurse (500, nested matches once) = 1500 of 2050 bytes.
    t.equal(await text(page, "#matched"), "Matched: 73.17% (1.5 KiB of 2.0 KiB)");
    await page.locator("#search").press("Escape");
    t.equal(await text(page, "#matched"), "");
    t.notOk((await frames(page)).some((f) => f.match));
    await page.keyboard.press("Control+f");
    t.equal(await page.evaluate("document.activeElement.id"), "search", "Ctrl-F goes to the search");
    await page.keyboard.type("(unclosed");
    await page.keyboard.press("Enter");
    t.match(await text(page, "#matched"), /^Invalid regular expression/);
    t.same(errors, []);
  });

  /** Drags across the chart from one time to another (ns), as a user selects a window. */
  const drag = async (page: Page, fromNs: number, toNs: number) => {
    const data = pageData(await page.content());
    const box = (await page.locator("#chart .plot").boundingBox())!;
    const x = (ns: number) => box.x + (ns / (data.buckets * data.bucketNs)) * box.width;
    await page.mouse.move(x(fromNs), box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(x((fromNs + toNs) / 2), box.y + box.height / 2, { steps: 4 });
    await page.mouse.move(x(toNs), box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    return data.bucketNs;
  };

  const rootOf = async (page: Page) => (await frames(page)).find((f) => f.text === "all");

  t.test("when a time window is dragged on the chart, then the graph re-folds for it, in every view", async (t) => {
    // The worked example allocates 1000, 500, 300, 200 and 50 bytes at 100 to 500 ns, and frees the first at 600.
    const { page, errors } = await open("window.html", await htmlOf(worked, { measure: "total" }));
    const w = await drag(page, 0, 350);
    const end = (Math.floor(350 / w) + 1) * w;
    t.equal(
      await text(page, "#title"),
      `Allocated memory: 1.8 KiB allocated between 0 ns and ${end} ns in 3 allocations, freed or not`,
    );
    t.same(
      (await frames(page)).map((f) => f.text).sort(),
      WORKED_FRAMES.filter((f) => f !== "(no stack)"),
      "what was allocated after the window is gone (at 500 ns)",
    );
    t.match(await text(page, "#window"), new RegExp(`^Window: 0 ns to ${end} ns`));
    await page.selectOption("#view", "leaks");
    t.match(
      await text(page, "#title"),
      /^Leaked memory: 1\.8 KiB allocated between 0 ns and \d+ ns in 3 allocations, still live/,
    );
    await page.selectOption("#view", "peak");
    t.match(await text(page, "#title"), /^Peak memory in the window between 0 ns and \d+ ns: 1\.8 KiB live at 300 ns/);

    await page.locator("#reset-window").click();
    t.equal(await text(page, "#title"), "Peak memory: 2.0 KiB live at 500 ns in 5 allocations", "Whole run");
    await drag(page, 350, 650);
    t.match(await text(page, "#title"), /2\.0 KiB live at 500 ns in 5 allocations/, "the window's peak, at 500 ns");
    await page.selectOption("#view", "total");
    t.match(
      await text(page, "#title"),
      /^Allocated memory: 250 B allocated between \d+ ns and \d+ ns in 2 allocations/,
    );
    t.equal((await frame(page, "(no stack)").count()) + (await frame(page, "recurse").count()), 2);

    // The keyboard moves the window's end (arrows) and start (Shift and arrows).
    await page.locator("#reset-window").click();
    await page.locator("#chart").focus();
    for (let i = 0; i < Math.ceil(150 / w); i++) await page.keyboard.press("ArrowLeft");
    t.notMatch(await text(page, "#title"), /50 B/, "the last allocation, at 500 ns, is out of the window");
    t.same(errors, []);
  });

  t.test(
    "when the icicle and inverted views are chosen, then the root moves to the top and callees to the root",
    async (t) => {
      const { page, errors } = await open("shape.html", total);
      const bottom = (await rootOf(page))!.top;
      t.ok(bottom > 0, "flame: the root at the bottom");
      await page.locator("#icicle").click();
      t.equal((await rootOf(page))!.top, 0, "icicle: the root at the top");
      t.equal(await page.locator("#icicle").getAttribute("aria-pressed"), "true");
      await page.locator("#inverted").check();
      const inverted = await frames(page);
      const firstLevel = inverted.filter((f) => f.top === 18).map((f) => f.text);
      t.same(
        firstLevel,
        ["(no stack)", "malloc", "parse (app.js:10)", "recurse (app.js:20)"],
        "allocating functions first",
      );
      t.match(await text(page, "#subtitle"), /inverted: allocating functions at the root/);
      await frame(page, "malloc").first().hover();
      t.equal(
        await text(page, "#details"),
        "malloc (1.3 KiB, 1,300 bytes, 2 allocations, 63.41%)",
        "every malloc in one",
      );
      t.same(errors, []);
    },
  );

  t.test("when a process and a thread are chosen, then the graph is theirs", async (t) => {
    const bytes = multiProcess().bytes();
    const html = await htmlOf(bytes);
    const data = pageData(html);
    const { page, errors } = await open("multi.html", html);
    t.match(await text(page, "#title"), /at each process's own peak \(2 processes\)/);
    t.ok(await page.locator("#thread").isDisabled(), "threads are per process");
    await page.selectOption("#process", "1");
    const ranks = model.labelRanks(data);
    const expect = (choice: Partial<model.Choice>) => {
      const c: model.Choice = { process: -1, thread: null, view: "peak", window: null, inverted: false, ...choice };
      return model.titleOf(data, c, model.buildTree(data, c, ranks));
    };
    t.equal(await text(page, "#title"), expect({ process: 1 }));
    t.match(await text(page, "#subtitle"), /^node \/app\/child\.js \(pid 4200\)/);
    await page.selectOption("#process", "0");
    t.notOk(await page.locator("#thread").isDisabled());
    await page.selectOption("#thread", "4102");
    t.equal(await text(page, "#title"), expect({ process: 0, thread: 4102 }));
    t.match(await text(page, "#subtitle"), /thread libuv-worker \(4102\), its part of the peak/);
    const labels = (await frames(page)).map((f) => f.text);
    t.ok(labels.includes("start_thread") && !labels.includes("main (/app/server.js:1)"), "a pool thread's stacks only");
    t.same(errors, []);
  });

  t.test("when the keyboard moves through the graph, then Enter zooms and Escape resets", async (t) => {
    const { page, errors } = await open("keys.html", total);
    await page.locator("#graph").focus();
    t.match(await text(page, "#details"), /^all \(/, "the root is selected first");
    await page.keyboard.press("ArrowUp");
    t.match(await text(page, "#details"), /^\(no stack\) \(/, "up: the first callee");
    await page.keyboard.press("ArrowRight");
    t.match(await text(page, "#details"), /^main \(app\.js:1\) \(/, "right: the next sibling");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowRight");
    t.match(await text(page, "#details"), /^recurse \(app\.js:20\) \(500 bytes/);
    await page.keyboard.press("Enter");
    t.notOk(await page.locator("#reset-zoom").isDisabled(), "zoomed");
    t.equal((await frames(page)).find((f) => f.text === "recurse (app.js:20)")!.width, 100);
    await page.keyboard.press("Escape");
    t.ok(await page.locator("#reset-zoom").isDisabled(), "Escape resets the zoom");
    t.same(errors, []);
  });

  t.test("when names are hostile, then the page shows them as text and runs nothing of theirs", async (t) => {
    const title = '</script><script>alert("title")</script>';
    const html = await htmlOf(hostileNames().bytes(), {}, title);
    const { page, errors } = await open("hostile.html", html, 2400);
    t.equal(await text(page, "#title"), title, "the title, character for character");
    t.match(
      await text(page, "#subtitle"),
      /^Peak memory \(native and JS heaps\): .* · node <script>\.js --title="x"&y 💥 \(pid 666\)$/,
    );
    const shown = (await frames(page)).map((f) => f.text);
    for (const name of HOSTILE_NAMES)
      t.ok(
        shown.some((s) => s.startsWith(name)),
        `shown: ${JSON.stringify(name)}`,
      );
    const threads = await page.locator("#thread option").allTextContents();
    t.ok(threads.includes('<b>main</b> & "co" (666)'), "a thread's name as text");
    t.equal(await page.locator("script").count(), 2, "the data and the page's script, nothing else");
    t.equal(await page.locator("b, img, iframe, [onload], [onclick]").count(), 0, "no element made from a name");
    await page.locator("#search").fill("<script>");
    await page.locator("#search").press("Enter");
    t.match(await text(page, "#matched"), /^Matched: [1-9]/, "names are searched as text");
    await frame(page, "<script>alert(1)</script>").first().click();
    await frame(page, "<script>alert(1)</script>").first().hover();
    t.match(await page.locator("#tooltip .name").textContent(), /^<script>alert\(1\)<\/script>/);
    t.same(errors, [], "no alert, no error, no request: on load, click or hover");
  });

  t.test("when the input was folded with its timeline, then a window dragged re-folds as on the capture", async (t) => {
    const folded = await htmlOf(await foldedBytes(worked, "peak", false, true), { measure: "total" });
    t.equal(folded, total, "the same page as the raw capture's");
    const { page, errors } = await open("folded-timeline.html", folded);
    t.equal(await text(page, "#note"), "", "no note: the window can be chosen");
    const w = await drag(page, 0, 350);
    const end = (Math.floor(350 / w) + 1) * w;
    t.equal(
      await text(page, "#title"),
      `Allocated memory: 1.8 KiB allocated between 0 ns and ${end} ns in 3 allocations, freed or not`,
    );
    await page.selectOption("#view", "peak");
    t.match(await text(page, "#title"), /^Peak memory in the window between 0 ns and \d+ ns: 1\.8 KiB live at 300 ns/);
    t.same(errors, []);
  });

  t.test("when the input was folded before, then the page says the time window needs the capture", async (t) => {
    const html = await htmlOf(await foldedBytes(multiProcess().bytes(), "leaks"));
    const { page, errors } = await open("folded.html", html);
    t.match(await text(page, "#note"), /folded before .*: choosing a time window needs the raw capture/);
    t.ok(await page.locator("#view").isDisabled(), "one measure: the fold's");
    const title = await text(page, "#title");
    t.match(title, /^Leaked memory \(native and JS heaps\): /);
    await drag(page, 1_000_000, 2_000_000);
    t.equal(await text(page, "#title"), title, "dragging changes nothing");
    t.equal(await page.locator("#legend .item").count(), 2, "RSS and the V8 heap: the samples the stream carried");
    t.same(errors, []);
  });
});

t.test("given a recorded app's HTML flame graph in chromium", needs(hasChromium(), "chromium"), async (t) => {
  const openFile = await browserFor(t);
  const recorded = readFileSync(join(__dirname, "..", "golden", "compress-app.mtrace"));
  const { page, errors } = await openFile("app.html", await htmlOf(recorded, {}, undefined, "app"), {
    width: 1400,
    height: 900,
  });
  const labels = async () => {
    await page.locator(".frame").first().waitFor();
    return (await frames(page)).map((f) => f.text);
  };
  const checkbox = page.locator("#all-frames");

  t.test("when it loads, then it shows the app view, starting with the kinds of thread", async (t) => {
    t.notOk(await checkbox.isChecked(), "'Every frame' is off");
    const shown = await labels();
    t.ok(shown.includes("(main thread)"), "a root frame for the main thread");
    t.ok(shown.includes("keepBuffers (/tmp/app/compress.js:22)"), "the app's functions");
    t.notOk(
      shown.some((l) => l.startsWith("node::Start")),
      "no start-up frames",
    );
  });

  t.test("when 'Every frame' is checked, then every frame shows, and it stays so after a reload", async (t) => {
    await checkbox.check();
    t.ok(
      (await labels()).some((l) => l.startsWith("node::Start")),
      "node's start-up frames",
    );
    await page.reload();
    t.ok(await checkbox.isChecked(), "remembered");
    t.ok(
      (await labels()).some((l) => l.startsWith("node::Start")),
      "every frame after the reload",
    );
    await checkbox.uncheck();
    await page.reload();
    t.notOk(await checkbox.isChecked(), "unchecked is remembered too");
    t.ok((await labels()).includes("(main thread)"), "the app view again");
  });

  t.test("then nothing went wrong", async (t) => {
    t.same(errors, []);
  });
});
