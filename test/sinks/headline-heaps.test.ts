// Reports say which heap their figures are of: the native heap, the JS heap (estimates from V8's samples), or both
// with each one's share.
import t from "tap";
import { EventKind } from "../../src/codec/model";
import type { HeapName } from "../../src/transforms/measures";
import { summary } from "../../src/sinks/summary";
import { capture, js, native, runReport } from "./capture";

const both = capture([
  { frames: [js("main", 1), native("malloc", "/usr/lib/libc.so.6")], size: 1000 },
  { frames: [js("main", 1), js("parse", 10)], size: 64 * 1024, kind: EventKind.JS_SAMPLE, count: 2048 },
  { frames: [js("main", 1), js("parse", 10)], size: 32 * 1024, kind: EventKind.JS_SAMPLE, count: 512 },
]);

const firstLines = async (heap: HeapName) =>
  (await runReport(summary, both, { color: false }, { measure: "total", heap })).split("\n").slice(0, 2);

t.test("given both heaps, the title says so and the next line gives each heap's share", async (t) => {
  const [title, shares] = await firstLines("all");
  t.equal(title, "Total memory (native and JS heaps): 97.0 KiB allocated in 2,561 allocations, freed or not");
  t.equal(
    shares,
    "native heap 1000 B in 1 allocation; JS heap 96.0 KiB in about 2,560 objects " + "(estimated from V8's samples)",
  );
});

t.test("given --heap js, only the JS heap, labelled as estimated", async (t) => {
  const [title, shares] = await firstLines("js");
  t.equal(title, "Total memory (JS heap, estimated): 96.0 KiB allocated in 2,560 allocations, freed or not");
  t.match(shares, /^JS heap 96\.0 KiB in about 2,560 objects \(estimated/);
});

t.test("given --heap native, only the native heap", async (t) => {
  const [title, next] = await firstLines("native");
  t.equal(title, "Total memory (native heap): 1000 B allocated in 1 allocation, freed or not");
  t.match(next, /^node app\.js \(pid 100\)/, "no line of shares: there is one heap");
});
