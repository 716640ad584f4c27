// The HTML table in a real browser (Debian's chromium, driven by playwright-core): it loads without errors (its
// Content-Security-Policy would report anything it blocked), sorts on a click, searches, pages, asks nothing of the
// network, and shows hostile names as text. Without chromium (and outside CI) the test is skipped with the reason.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { chromium, type Browser, type Page } from "playwright-core";
import { formatBytes } from "../../src/sinks/format";
import { table } from "../../src/sinks/table-report";
import { handComputed } from "../fixtures/captures";
import { capture, js, native, runReport, workedExample } from "./capture";
import { CHROMIUM, hasChromium, needs } from "./tools";

/** The cells of every row the page shows now. */
function cells(page: Page): Promise<string[][]> {
  return page.$$eval("#table tbody tr", (rows) =>
    rows.map((r) => {
      const texts: string[] = [];
      r.querySelectorAll("td").forEach((td: { textContent: string | null }) => texts.push(td.textContent ?? ""));
      return texts;
    }),
  );
}

const column = (rows: string[][], header: string) =>
  rows.map((r) => r[["PID", "TID", "Thread", "Allocator", "Bytes", "%", "Allocations", "Location"].indexOf(header)]);

t.test("given a table page in chromium", needs(hasChromium(), "chromium"), async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "memtrace-table-"));
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  t.teardown(async () => {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a page from a file, collecting console errors and warnings, page errors, dialogs and requests. */
  const open = async (name: string, html: string) => {
    const path = join(dir, name);
    writeFileSync(path, html);
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("dialog", (d) => {
      errors.push(`unexpected ${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(`file://${path}`);
    return { page, errors, requests, url: `file://${path}` };
  };

  t.test("when it loads, then the rows show, largest first, with no error and no request", async (t) => {
    const { page, errors, requests, url } = await open(
      "numbers.html",
      await runReport(table, handComputed().bytes(), { format: "html" }, "total"),
    );
    t.equal(
      await page.title(),
      "Total memory (native and JS heaps): 21.6 KiB allocated in 11 allocations, freed or not",
    );
    t.equal(await page.locator("#title").textContent(), await page.title());
    t.same(await page.locator("#lines li").allTextContents(), [
      "native heap 20.6 KiB in 8 allocations; JS heap 1.0 KiB in about 3 objects (estimated from V8's samples, one per 512.0 KiB)",
      "node /app/numbers.js (pid 10): 6 allocations of 18.2 KiB, peak 16.5 KiB at 500 ns, 12.6 KiB leaked",
      "node /app/child.js (pid 20): 3 allocations of 3.4 KiB, peak 2.9 KiB at 200 ns, 2.4 KiB leaked",
    ]);
    const rows = await cells(page);
    t.same(rows[0], ["10", "11", "libuv-worker", "mmap", "16.0 KiB", "74.11%", "1", "delta"]);
    t.same(column(rows, "Bytes"), [16384, 3000, 1024, 600, 500, 300, 200, 100].map(formatBytes), "as format.ts prints");
    t.equal(await page.locator("#status").textContent(), "8 rows: 21.6 KiB (100.00%) in 11 allocations");
    t.equal(await page.locator("th[data-key=bytes]").getAttribute("aria-sort"), "descending");
    t.ok(await page.locator("#more").isHidden(), "no Show more for 8 rows");
    t.same(requests, [url], "the page asks for nothing but itself");
    t.same(errors, []);
  });

  t.test(
    "when a column header is clicked, then the rows sort by it, and the other way on a second click",
    async (t) => {
      const { page, errors } = await open(
        "sort.html",
        await runReport(table, handComputed().bytes(), { format: "html" }, "total"),
      );
      const sortBy = async (key: string) => page.locator(`#table th[data-key=${key}] button`).click();
      await sortBy("count");
      t.same(
        column(await cells(page), "Allocations"),
        ["3", "2", "1", "1", "1", "1", "1", "1"],
        "numbers: largest first",
      );
      t.same(column(await cells(page), "Location").slice(0, 2), [
        "epsilon (/app/numbers.js:50)",
        "phi (/app/child.js:2)",
      ]);
      t.equal(await page.locator("th[data-key=count]").getAttribute("aria-sort"), "descending");
      t.equal(await page.locator("th[data-key=bytes]").getAttribute("aria-sort"), null);
      await sortBy("count");
      t.same(column(await cells(page), "Allocations").slice(-2), ["2", "3"], "again: smallest first");
      t.equal(await page.locator("th[data-key=count]").getAttribute("aria-sort"), "ascending");
      await sortBy("location");
      t.same(
        column(await cells(page), "Location"),
        [
          "alpha (/app/numbers.js:10)",
          "beta",
          "delta",
          "epsilon (/app/numbers.js:50)",
          "gamma (/app/numbers.js:30)",
          "gamma (/app/numbers.js:30)",
          "gamma (/app/numbers.js:30)",
          "phi (/app/child.js:2)",
        ],
        "names: A to Z",
      );
      t.same(
        column(await cells(page), "Bytes").slice(4, 7),
        ["600 B", "500 B", "300 B"],
        "ties keep the largest first",
      );
      await sortBy("tid");
      t.same(column(await cells(page), "TID"), ["20", "20", "11", "11", "11", "10", "10", "10"]);
      t.same(errors, []);
    },
  );

  t.test("when text is searched, then only matching rows stay and the status sums them", async (t) => {
    const { page, errors } = await open(
      "search.html",
      await runReport(table, handComputed().bytes(), { format: "html" }, "total"),
    );
    await page.locator("#search").fill("GAMMA");
    t.same(column(await cells(page), "Location"), Array(3).fill("gamma (/app/numbers.js:30)"), "case is ignored");
    t.equal(
      await page.locator("#status").textContent(),
      "3 of 8 rows match \u201cGAMMA\u201d: 1.4 KiB (6.33%) in 3 allocations",
    );
    await page.locator("#search").fill("libuv");
    t.same(
      column(await cells(page), "Thread"),
      ["libuv-worker", "libuv-worker", "libuv-worker"],
      "threads are searched",
    );
    await page.locator("#search").fill("mmap");
    t.same(column(await cells(page), "Allocator"), ["mmap"], "allocators are searched");
    await page.locator("#search").fill("nothing like it");
    t.same(await cells(page), []);
    t.match(await page.locator("#status").textContent(), /^0 of 8 rows match/);
    await page.locator("#search").fill("");
    t.equal((await cells(page)).length, 8, "an empty search shows every row");
    t.same(errors, []);
  });

  t.test("when there are more rows than a page, then Show more adds the next ones", async (t) => {
    const steps = Array.from({ length: 620 }, (_, i) => ({ frames: [js(`f${i}`, i + 1)], size: 1000 + i }));
    const { page, errors } = await open(
      "many.html",
      await runReport(table, capture(steps), { format: "html" }, "total"),
    );
    t.equal((await cells(page)).length, 500);
    t.match(await page.locator("#status").textContent(), /^620 rows: .*; the first 500 shown$/);
    await page.locator("#more").click();
    t.equal((await cells(page)).length, 620);
    t.ok(await page.locator("#more").isHidden());
    await page.locator("#search").fill("f61");
    t.same(column(await cells(page), "Location").length, 11, "f61 and f610..f619, all on one page");
    t.same(errors, []);
  });

  t.test("when names are hostile, then the page shows them as text and runs none of them", async (t) => {
    const names = [
      "</script><script>window.pwned = 1</script>",
      '<img src=x onerror="window.pwned = 2">',
      "say \"hi\" & 'bye' &amp;",
      "<!-- <script>",
      "line\u2028sep\u2029para",
      "💥 内存 שלום",
    ];
    const steps = names.map((name, i) => ({ frames: [js("main", 1), native(name)], size: 100 + i }));
    const { page, errors, requests, url } = await open(
      "hostile.html",
      await runReport(table, capture(steps), { format: "html" }, "total"),
    );
    t.same(column(await cells(page), "Location").sort(), [...names].sort(), "every name, character for character");
    t.equal(await page.evaluate("typeof window.pwned"), "undefined", "no script of theirs ran");
    t.equal(await page.locator("img").count(), 0, "no element of theirs was made");
    t.equal(await page.locator("script").count(), 2);
    await page.locator("#search").fill("<script>");
    t.equal((await cells(page)).length, 2, "searching for markup finds it as text");
    t.same(requests, [url], "no image was fetched");
    t.same(errors, []);
  });

  t.test("when a script got into the page past the escaping, then its policy refuses to run it", async (t) => {
    const html = await runReport(table, workedExample(), { format: "html" }, "total");
    const injected = html.replace("<body>", "<body><script>window.pwned = 3</script>");
    const { page, errors } = await open("injected.html", injected);
    t.equal(await page.evaluate("typeof window.pwned"), "undefined");
    t.match(errors.join("\n"), /violates the following Content Security Policy directive/);
    t.equal((await cells(page)).length, 4, "the page's own script still runs");
  });

  t.test("when the worked example is shown, then its figures are those of the text table", async (t) => {
    const { page } = await open("worked.html", await runReport(table, workedExample(), { format: "html" }, "total"));
    t.same(await cells(page), [
      ["100", "100", "main", "malloc", "1.3 KiB", "63.41%", "2", "malloc"],
      ["100", "100", "main", "malloc", "500 B", "24.39%", "1", "parse (app.js:10)"],
      ["100", "100", "main", "malloc", "200 B", "9.76%", "1", "recurse (app.js:20)"],
      ["100", "100", "main", "malloc", "50 B", "2.44%", "1", "(no stack)"],
    ]);
    t.equal(await page.locator("#table tbody td").nth(4).getAttribute("title"), "1,300 bytes");
  });
});
