// `memtrace stats`: every figure of `stats --json` on the hand-computed capture, worked out from its timeline (see
// handComputed() in test/fixtures/captures.ts), then what the text form says in the cases a user meets.
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { EventKind } from "../../src/codec/model";
import { SizeHistogram, sizeBucket } from "../../src/model/histogram";
import { stats } from "../../src/sinks/stats";
import type { StatsData } from "../../src/sinks/stats-data";
import { foldMessages, type MeasureName } from "../../src/transforms/fold";
import { appEnded, handComputed } from "../fixtures/captures";
import { asOldFolded, collect } from "../fixtures/inspect";
import { capture, js, native, workedExample } from "./capture";
import { runSink } from "./export-helpers";
import { GOLDEN } from "./golden";

const numbers = () => decodeAll(handComputed().bytes());

async function json(input: Uint8Array | ReturnType<typeof numbers>, measure?: MeasureName): Promise<StatsData> {
  return JSON.parse((await runSink(stats, input, { json: true, measure })).toString()) as StatsData;
}

async function text(input: Uint8Array | ReturnType<typeof numbers>, options: Record<string, unknown> = {}) {
  return (await runSink(stats, input, { color: false, ...options })).toString();
}

t.test("given the hand-computed capture, when its stats are taken, then every figure is exact", async (t) => {
  const s = await json(numbers());
  t.same([s.version, s.measure, s.truncated], [1, "total", false], "everything allocated, by default");
  t.equal(s.title, "Total memory (native and JS heaps): 21.6 KiB allocated in 11 allocations, freed or not");
  // Process 10: A, B, C (calloc), D, C (realloc), E = 6 allocations of 18608 bytes; process 20: F, F, G = 3500.
  // Frees: A, the partial munmap, realloc's old block, B, E collected, 0xdead (unmatched) | the first F.
  t.same(s.totals, {
    processes: 2,
    allocations: 9,
    allocatedBytes: 22108,
    deallocations: 7,
    unmatchedDeallocations: 1,
    peakBytes: 16884 + 3000,
    leakedBytes: 12888 + 2500,
    leakedCount: 4,
    keptBytes: 12888 + 2500,
    keptCount: 4,
  });
  // Native sizes: 100 | 200 | 300, 500 | 600, 1000 | 2000 | 16384; the JS sample is left out.
  t.same(s.histogram, {
    buckets: [
      { min: 64, max: 127, count: 1, bytes: 100 },
      { min: 128, max: 255, count: 1, bytes: 200 },
      { min: 256, max: 511, count: 2, bytes: 800 },
      { min: 512, max: 1023, count: 2, bytes: 1600 },
      { min: 1024, max: 2047, count: 1, bytes: 2000 },
      { min: 2048, max: 4095, count: 0, bytes: 0 },
      { min: 4096, max: 8191, count: 0, bytes: 0 },
      { min: 8192, max: 16383, count: 0, bytes: 0 },
      { min: 16384, max: 32767, count: 1, bytes: 16384 },
    ],
    jsSamples: 1,
  });
  t.same(s.allocators, [
    { allocator: "mmap", bytes: 16384, count: 1 },
    { allocator: "malloc", bytes: 100 + 200 + 1000 + 2000 + 500, count: 5 },
    { allocator: "js", bytes: 1024, count: 3 },
    { allocator: "realloc", bytes: 600, count: 1 },
    { allocator: "calloc", bytes: 300, count: 1 },
  ]);
  // gamma allocated in both processes (300 + 600 in 10, 500 in 20): one location.
  t.same(s.topByBytes, [
    { location: "delta", bytes: 16384, count: 1 },
    { location: "phi (/app/child.js:2)", bytes: 3000, count: 2 },
    { location: "gamma (/app/numbers.js:30)", bytes: 1400, count: 3 },
    { location: "epsilon (/app/numbers.js:50)", bytes: 1024, count: 3 },
    { location: "beta", bytes: 200, count: 1 },
  ]);
  t.same(
    s.topByCount.map((l) => l.location),
    ["gamma (/app/numbers.js:30)", "epsilon (/app/numbers.js:50)", "phi (/app/child.js:2)", "delta", "beta"],
    "ties on count: more bytes first",
  );
  t.same(s.processes, [
    {
      pid: 10,
      command: "node /app/numbers.js",
      allocations: 6,
      allocatedBytes: 18608,
      deallocations: 6,
      unmatchedDeallocations: 1,
      peakBytes: 16884,
      peakTimeNs: 500,
      leakedBytes: 12888,
      leakedCount: 2,
      endTimeNs: 1000,
      appEndedNs: 0,
      keptBytes: 12888,
      keptCount: 2,
    },
    {
      pid: 20,
      command: "node /app/child.js",
      allocations: 3,
      allocatedBytes: 3500,
      deallocations: 1,
      unmatchedDeallocations: 0,
      peakBytes: 3000,
      peakTimeNs: 200,
      leakedBytes: 2500,
      leakedCount: 2,
      endTimeNs: 400,
      appEndedNs: 0,
      keptBytes: 2500,
      keptCount: 2,
    },
  ]);
  t.same(s.threads, [
    { pid: 10, tid: 11, name: "libuv-worker", bytes: 200 + 16384 + 1024, count: 5 },
    { pid: 10, tid: 10, name: "node", bytes: 100 + 300 + 600, count: 3 },
    { pid: 20, tid: 20, name: "node", bytes: 3500, count: 3 },
  ]);
});

t.test("given a capture that recorded the app's end, when its stats are taken, then they say both", async (t) => {
  const s = await json(decodeAll(appEnded().bytes()));
  t.same(
    [s.totals.keptBytes, s.totals.keptCount, s.totals.leakedBytes, s.totals.leakedCount],
    [1740, 4, 37, 2],
    "what the app kept, and what node's teardown left",
  );
  t.same([s.processes[0].appEndedNs, s.processes[0].keptBytes], [9000, 1740]);
  const page = await text(decodeAll(appEnded().bytes()));
  t.match(
    page,
    /\nLeaked at the app's end: 1\.7 KiB in 4 blocks, before node's teardown \(37 B in 2 blocks after it\)\n/,
  );
  t.match(
    page,
    /\n300 +\/usr\/bin\/node \/app\/keeps\.js .* 1\.7 KiB in 4 blocks/,
    "the processes' table gives what --leaks shows",
  );
  t.match(await text(decodeAll(appEnded({ markers: false }).bytes())), /\nLeaked at exit: +37 B in 2 blocks\n/);
});

t.test("given a measure, when stats are taken, then allocators, locations and threads follow it", async (t) => {
  const leaks = await json(numbers(), "leaks");
  t.equal(leaks.measure, "leaks");
  t.same(leaks.allocators, [
    { allocator: "mmap", bytes: 12288, count: 1 },
    { allocator: "malloc", bytes: 2500, count: 2 },
    { allocator: "realloc", bytes: 600, count: 1 },
  ]);
  t.same(leaks.topByBytes[0], { location: "delta", bytes: 12288, count: 1 });
  const total = await json(numbers(), "total");
  t.same(leaks.totals, total.totals, "the totals are the capture's whatever the measure");
  t.same(leaks.histogram, total.histogram, "and so are the sizes");
  t.match(await text(numbers(), { measure: "leaks" }), /\nBy allocator \(--leaks\):\n/);
});

t.test("given a stream folded before, when stats are taken, then they are the raw capture's", async (t) => {
  const raw = await json(numbers());
  t.ok(raw.histogram && raw.histogram.buckets.length > 0, "the raw capture has sizes");
  for (const measure of ["peak", "total"] as const) {
    const folded = await collect(foldMessages(numbers(), { measure }));
    t.same(await json(folded), raw, `folded by ${measure}`);
    t.equal(await text(folded), await text(numbers()));
  }
});

t.test(
  "given a stream folded before total was kept beside its measure, when stats are taken, then they are by its own",
  async (t) => {
    const folded = asOldFolded(await collect(foldMessages(numbers(), { measure: "peak" })));
    const s = await json(folded);
    t.equal(s.measure, "peak", "the measure of the input");
    t.same(s.totals, (await json(numbers())).totals);
  },
);

t.test("given the text form, when printed, then each section says what it counts", async (t) => {
  const out = await text(numbers());
  t.match(out, /^Total memory \(native and JS heaps\): 21\.6 KiB allocated in 11 allocations, freed or not\n\n/);
  t.match(
    out,
    /\nAllocations: {6}9 \(21\.6 KiB\), 1 of them a JS heap sample \(the tables count the objects a sample stands for\)\n/,
  );
  t.match(
    out,
    /\nFrees: {12}7, 1 of them unmatched \(the block was allocated before recording began, or filtered out\)\n/,
  );
  t.match(out, /\nPeak live memory: 19\.4 KiB \(the sum of each process's own peak, 2 processes\)\n/);
  t.match(out, /\nLeaked at exit: {3}15\.0 KiB in 4 blocks\n/);
  t.match(
    out,
    /\nAllocation sizes \(native allocations, by powers of two; 1 JS heap sample left out, as their sizes are estimates\):\n/,
  );
  t.match(out, /\n\[256 B, 512 B\) +2 +25\.00% +800 B +▇{25}\n/, "the tallest bar is 25 blocks");
  t.match(out, /\n\[2\.0 KiB, 4\.0 KiB\) +0 +0\.00% +0 B\n/, "empty buckets between, with no bar");
  t.match(
    out,
    /\nThe 5 locations that allocated the most bytes \(--total\):\nLocation +Bytes +Allocations\ndelta +16\.0 KiB +1\n/,
  );
  t.match(out, /\nThe 5 locations that allocated most often \(--total\):\nLocation +Bytes +Allocations\ngamma/);
  t.match(
    out,
    /\nProcesses \(whatever the measure\):\nPID +Command .*\n +10 +node \/app\/numbers\.js +6 +18\.2 KiB +16\.5 KiB +500 ns +12\.6 KiB in 2 blocks +1\n/,
  );
  t.match(
    out,
    /\nThreads \(--total\):\nPID +TID +Thread +Bytes +% +Allocations\n +10 +11 +libuv-worker +17\.2 KiB +79\.65% +5\n/,
  );
  t.notMatch(out, / $/m, "no line ends in spaces");
  const ascii = await text(numbers(), { ascii: true, top: 2 });
  t.match(ascii, /\n\[256 B, 512 B\) +2 +25\.00% +800 B +#{25}\n/);
  t.match(ascii, /\nThe 2 locations that allocated the most bytes/);
});

t.test("given one process, when printed, then the peak says when it was reached", async (t) => {
  const out = await text(workedExample());
  t.match(out, /\nPeak live memory: 2\.0 KiB at 500 ns\n/);
  t.match(out, /\nFrees: +1\n/, "no unmatched free, nothing said about them");
  // 50 | 200 | 300, 500 | 1000.
  t.match(out, /\n\[32 B, 64 B\) +1 +20\.00% +50 B/);
  t.match(out, /\n\[256 B, 512 B\) +2 +40\.00% +800 B/);
  t.match(out, /\n\[512 B, 1\.0 KiB\) +1 +20\.00% +1000 B/);
});

t.test("given a capture cut short, when printed, then it warns and does not call the rest leaked", async (t) => {
  const out = await text(workedExample({ trailer: false }));
  t.match(out, /\nWarning: the capture was cut short \(a process has no trailer\): figures are what it holds\n/);
  t.match(out, /\nLive at the end: +1\.0 KiB in 4 blocks\n/);
  t.equal((await json(workedExample({ trailer: false }))).truncated, true);
});

t.test("given only JS heap samples, when printed, then there are no sizes to draw", async (t) => {
  const jsOnly = capture([{ frames: [js("f", 1)], size: 524288, kind: EventKind.JS_SAMPLE, count: 40 }]);
  t.match(
    await text(jsOnly),
    /\nAllocation sizes: no native allocations; 1 JS heap sample left out, as their sizes are estimates\.\n/,
  );
  t.same((await json(jsOnly)).histogram, { buckets: [], jsSamples: 1 });
});

t.test("given nothing under the measure, when printed, then it says there is nothing to list", async (t) => {
  const freed = capture([{ frames: [native("f")], size: 8 }, { free: 0 }]);
  const out = await text(freed, { measure: "leaks" });
  t.match(out, /\nNo allocations under the measure \(--leaks\): no allocators, locations or threads to list\.\n/);
  t.notMatch(out, /Threads/);
  const s = await json(freed, "leaks");
  t.same([s.allocators, s.topByBytes, s.topByCount, s.threads], [[], [], [], []]);
});

t.test("given sizes at the edges of the buckets, when counted, then each is in its power of two", async (t) => {
  t.same([0, 1, 2, 3, 4, 7, 8].map(sizeBucket), [0, 1, 2, 2, 3, 3, 4]);
  t.same([2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53].map(sizeBucket), [32, 33, 53, 54], "no rounding up near 2^k");
  const h = new SizeHistogram();
  for (const size of [0, 0, 5, 2 ** 40]) h.add(size);
  const buckets = h.buckets();
  t.same(buckets[0], { min: 0, max: 0, count: 2, bytes: 0 });
  t.same(buckets[3], { min: 4, max: 7, count: 1, bytes: 5 });
  t.same(buckets.at(-1), { min: 2 ** 40, max: 2 ** 41 - 1, count: 1, bytes: 2 ** 40 });
  t.equal(buckets.length, 42, "every bucket from the smallest to the largest");
  t.same(new SizeHistogram().buckets(), []);
});

t.test("given the hand-computed capture, when printed, then the output matches its golden file", GOLDEN, async (t) => {
  t.matchSnapshot(await text(numbers()), "stats/numbers.txt");
  t.matchSnapshot(await text(workedExample(), { measure: "peak", ascii: true }), "stats/worked-peak-ascii.txt");
});
