import { runInNewContext } from "node:vm";
import t from "tap";
import * as format from "../../src/sinks/format";
import { formatBytes, formatCount, formatDuration, formatPercent, plural } from "../../src/sinks/format";
import { formatScript } from "../../src/sinks/format-script";
import { Prng } from "../fixtures/prng";

t.test("given byte counts, when formatted, then binary units with one decimal from 1 KiB up", async (t) => {
  t.equal(formatBytes(0), "0 B");
  t.equal(formatBytes(1023), "1023 B");
  t.equal(formatBytes(1024), "1.0 KiB");
  t.equal(formatBytes(9392), "9.2 KiB");
  t.equal(formatBytes(1.5 * 1024 * 1024), "1.5 MiB");
  t.equal(formatBytes(1048575), "1.0 MiB", "1023.999 KiB carries over to the next unit");
  t.equal(formatBytes(3 * 1024 ** 4), "3.0 TiB");
  t.equal(formatBytes(2 ** 53), "8.0 PiB");
  t.equal(formatBytes(-2048), "-2.0 KiB");
});

t.test("given counts, shares and times, when formatted, then they read the same on every machine", async (t) => {
  t.equal(formatCount(1234567), "1,234,567");
  t.equal(formatCount(999), "999");
  t.equal(formatCount(2.6), "3", "estimated object counts are rounded");
  t.equal(formatCount(-1000), "-1,000");
  t.equal(plural(1, "allocation"), "1 allocation");
  t.equal(plural(0, "allocation"), "0 allocations");
  t.equal(plural(2, "more process", "more processes"), "2 more processes");
  t.equal(formatPercent(1, 3), "33.33%");
  t.equal(formatPercent(5, 0), "0.00%");
  t.equal(formatDuration(40), "40 ns");
  t.equal(formatDuration(1500), "1.5 µs");
  t.equal(formatDuration(40e6), "40 ms");
  t.equal(formatDuration(2.25e9), "2.25 s");
  t.equal(formatDuration(90e9), "1.5 min");
});

t.test("given the browser's copy (format-script.ts), when run, then it prints every number as format.ts", async (t) => {
  const context: { MemtraceFormat?: typeof format } = {};
  runInNewContext(formatScript(), context);
  const browser = context.MemtraceFormat!;
  const prng = new Prng(7);
  const random = () => prng.float();
  const numbers = [0, 1, 1023, 1024, 1048575, 2 ** 53, -2048, 0.4, 2.6, 999.95 * 1024];
  for (let i = 0; i < 2000; i++) numbers.push(Math.floor(random() * 2 ** (random() * 56)) * (random() < 0.1 ? -1 : 1));
  for (const n of numbers) {
    if (browser.formatBytes(n) !== format.formatBytes(n)) t.fail(`formatBytes(${n})`);
    if (browser.formatCount(n) !== format.formatCount(n)) t.fail(`formatCount(${n})`);
    if (browser.formatDuration(n) !== format.formatDuration(n)) t.fail(`formatDuration(${n})`);
    if (browser.formatPercent(n, 3e15) !== format.formatPercent(n, 3e15)) t.fail(`formatPercent(${n})`);
    if (browser.plural(n, "frame") !== format.plural(n, "frame")) t.fail(`plural(${n})`);
  }
  t.equal(browser.formatBytes(1048575), "1.0 MiB");
  t.equal(browser.plural(2, "more process", "more processes"), "2 more processes");
  t.equal(browser.formatDuration(90e9), "1.5 min");
});
