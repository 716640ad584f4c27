// End to end, as the README shows it: record a real workload, fold it, draw the flame graph.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { EventOrderer } from "../../src/transforms/order";
import { APPS, ROOT, shell } from "./capture";

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

t.test(
  "given a reader slower than the app, Watermarks still come often enough for fold to merge threads exactly",
  async (t) => {
    const capture = join(mkdtempSync(join(tmpdir(), "memtrace-slow-reader-")), "slow.mtrace");
    const m = `"${process.execPath}" bin/memtrace.js`;
    const app = join(ROOT, "bench", "record", "workloads", "dense.js");
    // Takes a chunk (at most 64 KiB from a pipe) every 2 ms, slower than the dense workload writes: the channel fills.
    const slow =
      "const out = require('fs').createWriteStream(process.argv[1]);" +
      "process.stdin.on('data', (c) => { out.write(c); process.stdin.pause(); setTimeout(() => process.stdin.resume(), 2); });" +
      "process.stdin.on('end', () => out.end());";
    const run = await shell(
      `timeout 120 ${m} record --no-paired "${app}" 200000 | "${process.execPath}" -e "${slow}" "${capture}"`,
    );
    t.equal(run.status, 0, "the pipe exits 0");
    let since = 0;
    let most = 0;
    const approximate: number[] = [];
    const orderer = new EventOrderer(() => {}, { onApproximate: (pid) => approximate.push(pid) });
    for (const message of decodeAll(readFileSync(capture))) {
      if (message.type === "events") since += message.batch.length;
      if (message.type === "watermark") [most, since] = [Math.max(most, since), 0];
      orderer.push(message);
    }
    orderer.end();
    t.same(approximate, [], "every event was merged by Watermarks");
    // The recorder waits for its writer's round once 8 MB wait in the channel: about 1.2 M events of this workload.
    t.ok(most < 2_000_000, `at most 2 M events between two Watermarks (${most})`);
  },
);
