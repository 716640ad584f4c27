// The flame graph in a real browser (Debian's chromium, driven by playwright-core): it loads as an XML document
// without errors, shows hostile names as text, zooms on click, searches, and resets. CI installs chromium; without
// it (and outside CI) the test is skipped with the reason.
import t from "tap";
import type { Page } from "playwright-core";
import { flame } from "../../src/sinks/flame";
import { builtin, capture, js, native, runReport, workedExample } from "./capture";
import { browserFor } from "./browser";
import { hasChromium, needs } from "./tools";

interface Geometry {
  title: string;
  x: string;
  width: string;
  text: string;
  fill: string;
  hidden: boolean;
  parent: boolean;
}

/** Every frame box as the page shows it now. */
function geometry(page: Page): Promise<Geometry[]> {
  return page.$$eval("#frames > g", (groups) =>
    groups.map((g) => ({
      title: g.querySelector("title")!.textContent!,
      x: g.querySelector("rect")!.getAttribute("x")!,
      width: g.querySelector("rect")!.getAttribute("width")!,
      text: g.querySelector("text")!.textContent!,
      fill: g.querySelector("rect")!.getAttribute("fill")!,
      hidden: g.classList.contains("hide"),
      parent: g.classList.contains("parent"),
    })),
  );
}

t.test("given a flame graph in chromium", needs(hasChromium(), "chromium"), async (t) => {
  /** Opens an SVG file (as a file: URL, so that it is parsed as XML); prompts are the search's, which tests answer. */
  const openFile = await browserFor(t);
  const open = (name: string, svg: string) => openFile(name, svg, { prompts: true });

  t.test("when it loads, then there are no errors and every box has its label", async (t) => {
    const { page, errors } = await open("worked.svg", await runReport(flame, workedExample(), {}, "total"));
    const frames = await geometry(page);
    t.equal(frames.length, 9);
    t.equal(await page.locator("parsererror").count(), 0, "parsed as XML");
    t.same(errors, []);
  });

  t.test("when a box is clicked, then it fills the width, its callers fade and the rest hides", async (t) => {
    const { page, errors } = await open("zoom.svg", await runReport(flame, workedExample(), {}, "total"));
    const before = await geometry(page);
    t.ok(await page.locator("#unzoom").evaluate((e) => e.classList.contains("hide")), "no Reset Zoom before a zoom");
    await page.locator("#frames > g", { hasText: "recurse (app.js:20) (500 bytes" }).locator("rect").click();
    const after = await geometry(page);
    const find = (title: string) => after.find((f) => f.title.startsWith(title))!;
    const recurse = find("recurse (app.js:20) (500 bytes");
    t.same([recurse.x, recurse.width, recurse.hidden], ["10.0", "1180.0", false], "the clicked box fills the width");
    t.equal(recurse.text, "recurse (app.js:20)");
    const inner = find("recurse (app.js:20) (300 bytes");
    t.same([inner.x, inner.width], ["10.0", "708.0"], "a callee is scaled: 300 of 500 bytes");
    t.same([find("main (app.js:1)").parent, find("main (app.js:1)").width], [true, "1180.0"], "a caller fades");
    t.ok(find("all (").parent, "the root is a caller too");
    t.ok(find("parse (app.js:10)").hidden, "a sibling hides");
    t.ok(find("(no stack)").hidden);
    t.notOk(await page.locator("#unzoom").evaluate((e) => e.classList.contains("hide")), "Reset Zoom shows");

    await page.locator("#unzoom").click();
    t.same(await geometry(page), before, "Reset Zoom restores every box, text and color");
    t.same(errors, []);
  });

  t.test("when a regular expression is searched, then matches turn magenta and their share shows", async (t) => {
    const { page, errors } = await open("search.svg", await runReport(flame, workedExample(), {}, "total"));
    const before = await geometry(page);
    page.once("dialog", (d) => void d.accept("^(malloc|recurse)"));
    await page.locator("#search").click();
    const after = await geometry(page);
    const magenta = after.filter((f) => f.fill === "rgb(230,0,230)").map((f) => f.title.replace(/ \(.*/, ""));
    t.same(magenta.sort(), ["malloc", "malloc", "recurse", "recurse", "recurse"]);
    // malloc under parse (1000) + recurse (500, with its nested matches counted once) = 1500 of 2050 bytes.
    t.equal(await page.locator("#matched").textContent(), "Matched: 73.17%");
    t.equal(await page.locator("#search").textContent(), "Reset Search");

    await page.locator("#search").click();
    t.same(await geometry(page), before, "Reset Search restores the colors");
    t.equal((await page.locator("#matched").textContent())!.trim(), "");

    page.once("dialog", (d) => void d.accept("(unclosed"));
    await page.keyboard.press("Control+f");
    t.match(await page.locator("#matched").textContent(), /^Invalid regular expression/, "Ctrl-F searches too");
    t.same(errors, []);
  });

  t.test("when hovering a box, then its figures show in the details line", async (t) => {
    const { page } = await open("hover.svg", await runReport(flame, workedExample(), {}, "total"));
    await page.locator("#frames > g", { hasText: "parse (app.js:10) (" }).locator("rect").hover();
    t.equal(
      await page.locator("#details").textContent(),
      "parse (app.js:10) (1.5 KiB, 1,500 bytes, 2 allocations, 73.17%)",
    );
  });

  t.test("when names are hostile, then the browser shows them as text and runs no script of theirs", async (t) => {
    const names = [
      "<script>alert(1)</script>",
      "say \"hi\" & 'bye'",
      "]]> <![CDATA[",
      "💥 内存 שלום",
      '</text><g onclick="x">',
    ];
    const steps = names.map((name, i) => ({
      frames: [js("main", 1), i % 2 ? native(name) : builtin(name, "")],
      size: 100,
    }));
    const { page, errors } = await open("hostile.svg", await runReport(flame, capture(steps), {}, "total"));
    const titles = (await geometry(page)).map((f) => f.title.replace(/ \([^()]*\)$/, ""));
    t.same(titles.slice(2).sort(), [...names].sort(), "every name, character for character");
    t.equal(await page.locator("script").count(), 1);
    await page.locator("#frames > g").first().locator("rect").click();
    t.same(errors, [], "no alert ran, on load or on click");
  });
});
