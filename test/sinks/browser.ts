// Debian's chromium for the browser tests, driven by playwright-core: one headless browser per test, and pages
// opened from files as a user opens a report, with everything a page should not do collected: console errors and
// warnings, page errors, dialogs (an alert can only come from a script that should not run) and requests (a
// report is self-contained: it loads nothing, not even from file:).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";
import { CHROMIUM } from "./tools";

export interface Opened {
  page: Page;
  /** What the page did that it should not have, one line each. */
  errors: string[];
}

export interface OpenOptions {
  width?: number;
  height?: number;
  /** Prompts the test answers itself (the SVG's search asks with one); any other dialog is an error. */
  prompts?: boolean;
}

/** Starts chromium for a test (closed, with its files, when the test ends) and returns how to open a file in it. */
export async function browserFor(t: {
  teardown(f: () => Promise<void> | void): void;
}): Promise<(name: string, content: string, options?: OpenOptions) => Promise<Opened>> {
  const dir = mkdtempSync(join(tmpdir(), "memtrace-browser-"));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  t.teardown(async () => {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return async (name, content, options = {}) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    const page = await browser.newPage({ viewport: { width: options.width ?? 1200, height: options.height ?? 800 } });
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("dialog", (d) => {
      if (options.prompts && d.type() === "prompt") return;
      errors.push(`unexpected ${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    page.on("request", (r) => {
      if (r.url() !== `file://${path}`) errors.push(`request: ${r.url()}`);
    });
    await page.goto(`file://${path}`);
    return { page, errors };
  };
}
