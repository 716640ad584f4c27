// memtrace diff --html in a real browser (Debian's chromium, driven by playwright-core), as a user reads it: the
// function that grew is the widest and the reddest frame, its tooltip gives BASE, NEW and the change, search and
// zoom work as on the flame graph's page, and "Every frame" switches between the app view and every frame.
import t from "tap";
import type { Page } from "playwright-core";
import { renderDiffHtml } from "../../src/sinks/diff/html";
import { browserFor } from "./browser";
import { NAMES, diffViews } from "./diff-runs";
import { hasChromium, needs } from "./tools";

interface Frame {
  text: string;
  width: number;
  color: string;
}

/** Every frame the page draws: its label, width (% of the graph) and background color. */
function frames(page: Page): Promise<Frame[]> {
  return page.$$eval(".frame:not(.faded)", (nodes) =>
    nodes.map((n) => {
      // (This file is compiled without the DOM's types: the element as far as it is read.)
      const d = n as unknown as { textContent: string | null; style: { width: string; backgroundColor: string } };
      return { text: d.textContent ?? "", width: parseFloat(d.style.width), color: d.style.backgroundColor };
    }),
  );
}

const GROW = "grow (/app/app.js:10,12)";

t.test("given memtrace diff's HTML page in chromium", needs(hasChromium(), "chromium"), async (t) => {
  const openFile = await browserFor(t);
  const html = renderDiffHtml(await diffViews(), NAMES);
  const { page, errors } = await openFile("diff.html", html, { width: 1200, height: 800 });
  await page.locator(".frame").first().waitFor();
  const frame = (label: string) => page.locator(".frame", { hasText: label }).first();

  t.test("when it loads, then the function that grew is full red and the widest of its siblings", async (t) => {
    t.equal(await page.title(), "Peak memory (native and JS heaps), BASE to NEW: +53.2 KiB");
    const shown = await frames(page);
    const grow = shown.find((f) => f.text === GROW)!;
    t.equal(grow.color, "rgb(255, 0, 0)", "the largest growth of any frame: full red");
    const siblings = shown.filter((f) => / \(\/app\/app\.js:\d+(,\d+)?\)$/.test(f.text) && !f.text.startsWith("main"));
    t.same(siblings.map((f) => f.text).sort(), [
      "added (/app/app.js:50)",
      GROW,
      "mystery (/app/app.js:60)",
      "shrink (/app/app.js:30)",
      "steady (/app/app.js:20)",
    ]);
    t.ok(
      siblings.every((f) => f.text === GROW || f.width < grow.width),
      "grow is the widest",
    );
    t.match(shown.find((f) => f.text.startsWith("shrink"))!.color, /^rgb\(\d+, \d+, 255\)$/, "what shrank is blue");
    t.equal(shown.find((f) => f.text.startsWith("mystery"))!.color, "rgb(250, 250, 250)", "unchanged: white");
    t.same(await page.locator("#kinds .item").allTextContents(), ["grew", "shrank", "unchanged"]);
    t.equal(await page.locator("#chart").count(), 0, "no chart: a diff has no time axis");
  });

  t.test("when hovering the function that grew, then its tooltip gives the change, BASE and NEW", async (t) => {
    await frame(GROW).hover();
    t.same(await page.locator("#tooltip > div").allTextContents(), [
      GROW,
      "JavaScript",
      "Change: +57.6 KiB, +5900.00%",
      "BASE: 1000 B (1,000 bytes)",
      "NEW: 58.6 KiB (60,000 bytes)",
      "89.96% of NEW's total",
    ]);
    t.equal(
      await page.locator("#details").textContent(),
      `${GROW} (NEW 58.6 KiB, BASE 1000 B, +57.6 KiB, +5900.00%)`,
      "the footer says it as the SVG's tooltip does",
    );
  });

  t.test("when searching and zooming, then it works as on the flame graph's page", async (t) => {
    await page.locator("#search").fill("^grow");
    await page.locator("#search").press("Enter");
    t.same(
      (await frames(page)).filter((f) => f.color === "rgb(230, 0, 230)").map((f) => f.text),
      [GROW],
      "the match turns magenta",
    );
    t.match(await page.locator("#matched").textContent(), /^Matched: 89\.96% \(58\.6 KiB of 65\.1 KiB\)$/);
    await page.locator("#search").press("Escape");
    await frame("shrink").click();
    const zoomed = await frames(page);
    t.equal(zoomed.find((f) => f.text.startsWith("shrink"))!.width, 100, "the clicked frame fills the width");
    t.notOk(
      zoomed.some((f) => f.text === GROW),
      "its siblings go",
    );
    await page.locator("#reset-zoom").click();
  });

  t.test("when 'Every frame' is checked, then the runtime's frames show, and the app view comes back", async (t) => {
    const checkbox = page.locator("#all-frames");
    const labels = async () => (await frames(page)).map((f) => f.text);
    t.notOk(await checkbox.isChecked(), "the app view first");
    t.ok((await labels()).includes("(other thread)"), "the thread's kind at the root");
    t.notOk((await labels()).includes("malloc"), "malloc folded into a runtime frame");
    await checkbox.check();
    t.ok((await labels()).includes("malloc"), "malloc with every frame");
    t.notOk((await labels()).includes("(other thread)"));
    t.equal((await frames(page)).find((f) => f.text === GROW)!.color, "rgb(255, 0, 0)", "grow is still red");
    await checkbox.uncheck();
    t.ok((await labels()).includes("(other thread)"));
  });

  t.test("then nothing went wrong", async (t) => {
    t.same(errors, []);
  });
});
