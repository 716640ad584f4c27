// End to end, as the README shows it: record a real workload, fold it, draw the flame graph.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { APPS, shell } from "./capture";

t.test(
  "given a zlib, Buffer and JSON workload, record | fold | flame shows its JS functions and what zlib made",
  async (t) => {
    const svg = join(mkdtempSync(join(tmpdir(), "memtrace-flame-")), "flame.svg");
    const m = `"${process.execPath}" bin/memtrace.js`;
    const run = await shell(`${m} record "${join(APPS, "workload.js")}" | ${m} fold --total | ${m} flame > "${svg}"`);
    t.equal(run.status, 0, run.stderr);
    t.equal(run.stderr, "compressed 3000\n", "the app's stdout went to stderr; nothing else was said");
    const text = readFileSync(svg, "utf8");
    t.match(text, /^<\?xml|^<svg/, "an SVG");
    t.match(text, /compressAll/, "the JS function");
    t.match(text, /workload\.js/, "its file");
    t.match(text, /zlib deflate state/, "zlib's native functions below it, in one frame of the app view");
  },
);
