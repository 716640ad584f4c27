// Opens a profile in the speedscope app that the speedscope package ships, in headless Chromium (Debian's, not a
// downloaded build), as a user would: the app and the profile come from a local server, and the app loads the
// profile from its #profileURL= hash, with the file name deciding the importer (.heapprofile is Chrome's format).
//
// speedscope draws its flame graphs on a canvas, but its sandwich view lists every frame as a row of an HTML table,
// so the test reads the frame names from the page's text. Any console error, page error or alert is collected, and
// speedscope's own word that an import failed (a "Failed to load" log, "Something went wrong" on the page): a
// profile that opens cleanly has none.
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM } from "./tools";

const APP = join(dirname(require.resolve("speedscope/package.json")), "dist", "release");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

function serve(profileName: string, profile: Uint8Array): Promise<Server> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    if (path === `/profiles/${profileName}`) {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(profile);
      return;
    }
    const file = normalize(join(APP, path === "/" ? "index.html" : path));
    if (!file.startsWith(APP) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const ext = file.slice(file.lastIndexOf("."));
    res.writeHead(200, { "content-type": TYPES[ext] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

export interface Opened {
  /** The window title: speedscope sets it to "<profile name> - speedscope" once a profile is loaded. */
  title: string;
  /** The page's text in the sandwich view: one line per frame of the table, among the rest. */
  text: string;
  /** Console errors, page errors and alerts. */
  errors: string[];
}

/** Loads `profile` as a file named `profileName` into speedscope's sandwich view and reads the page. */
export async function openInSpeedscope(profileName: string, profile: Uint8Array | string): Promise<Opened> {
  const server = await serve(profileName, typeof profile === "string" ? Buffer.from(profile) : profile);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
  const errors: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on("console", (m) => {
      // speedscope reports a file it cannot import with console.log, then shows "Something went wrong".
      if (m.type() === "error" || m.text().startsWith("Failed to load")) errors.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`page: ${e.message}`));
    page.on("dialog", (d) => {
      errors.push(`alert: ${d.message()}`);
      void d.dismiss();
    });
    const port = (server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}/profiles/${profileName}`;
    await page.goto(`http://127.0.0.1:${port}/index.html#profileURL=${encodeURIComponent(url)}&view=sandwich`);
    // Loaded (the title names the profile) or failed (an error or an alert came first).
    const deadline = Date.now() + 30_000;
    while (errors.length === 0 && (await page.title()) === "speedscope" && Date.now() < deadline) {
      if (String(await page.evaluate("document.body.innerText")).includes("Something went wrong")) {
        errors.push("page: Something went wrong");
      } else await page.waitForTimeout(100);
    }
    if (errors.length === 0) {
      // (Page code is given as text: this file is compiled without the DOM's types.)
      await page.waitForFunction('document.querySelectorAll("table tr").length > 1', undefined, { timeout: 30_000 });
    }
    return { title: await page.title(), text: String(await page.evaluate("document.body.innerText")), errors };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}
