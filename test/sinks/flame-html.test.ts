// flame --html without a browser: the page's data re-folds a capture exactly as fold does (over the whole run, over
// windows, per thread, inverted), its size follows the stacks and not the events, and names stay data.
import t, { type Test } from "tap";
import type { PageData, ViewName } from "../../src/sinks/html/page-data";
import { CaptureBuilder } from "../fixtures/builder";
import {
  multiProcess,
  deepRecursion,
  hostileNames,
  handComputed,
  handOverScene,
  HOSTILE_NAMES,
  appEnded,
} from "../fixtures/captures";
import { Prng } from "../fixtures/prng";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeAll } from "../../src/codec/decoder";
import { flame } from "../../src/sinks/flame";
import { formatBytes, formatCount, formatDuration, formatPercent } from "../../src/sinks/format";
import { embedJson } from "../../src/sinks/html-page";
import { timelinePageData } from "../../src/sinks/html/page-data";
import { Folder, type FoldOptions } from "../../src/transforms/fold";
import { ProfileBuilder, type Profile } from "../../src/model/profile";
import type { Timeline } from "../../src/codec/model";
import { foldLabels, foldPaths, foldedBytes, htmlOf, pageData, pagePaths, rows, svgTitle } from "./flame-html-helpers";
import { runReport, workedExample } from "./capture";
import * as model from "../../src/sinks/html/model";

const FIXTURES: [string, () => Uint8Array][] = [
  ["worked", () => workedExample()],
  ["multi", () => multiProcess().bytes()],
  ["deep", () => deepRecursion().bytes()],
  ["hostile", () => hostileNames().bytes()],
  ["numbers", () => handComputed().bytes()],
  ["cut short", () => handComputed({ trailer: false }).bytes()],
  ["app ended", () => appEnded().bytes()],
];
const VIEWS: ViewName[] = ["peak", "leaks", "total"];

t.test(
  "given each fixture and measure, when the page re-folds the whole run, then its graph is fold's, inverted too",
  async (t) => {
    for (const [name, make] of FIXTURES) {
      const bytes = make();
      const data = pageData(await htmlOf(bytes));
      for (const view of VIEWS) {
        t.same(rows(pagePaths(data, { view })), rows(await foldPaths(bytes, { measure: view })), `${name} ${view}`);
        t.same(
          rows(pagePaths(data, { view, inverted: true })),
          rows(await foldPaths(bytes, { measure: view, inverted: true })),
          `${name} ${view} inverted`,
        );
      }
    }
  },
);

/** The page's graphs of a window against fold --between and --between --leaks over the window's buckets. */
async function sameWindow(t: Test, bytes: Uint8Array, data: PageData, window: [number, number], label: string) {
  const between: [{ ns: number }, { ns: number }] = [
    { ns: window[0] * data.bucketNs },
    { ns: (window[1] + 1) * data.bucketNs - 1 },
  ];
  t.same(
    rows(pagePaths(data, { view: "total", window })),
    rows(await foldPaths(bytes, { measure: "between", window: between })),
    `${label}: total`,
  );
  t.same(
    rows(pagePaths(data, { view: "leaks", window })),
    rows(await foldPaths(bytes, { measure: "between-leaks", window: between })),
    `${label}: leaks`,
  );
}

/**
 * The page's graph of a window's peak against fold --at its moment, for captures whose events have distinct
 * times (fold --at takes every event up to a time).
 */
async function samePeak(
  t: Test,
  bytes: Uint8Array,
  data: PageData,
  p: number,
  window: [number, number],
  label: string,
) {
  const proc = data.processes[p];
  const page = rows(pagePaths(data, { view: "peak", window, process: p }));
  const bucket = model.peakBucket(proc, window);
  const at = proc.momentNs[bucket];
  // A bucket whose high point is the state it starts with shows it at the bucket's start: fold --at sees that
  // state one nanosecond earlier (an event may come at the very start).
  const candidates = at === bucket * data.bucketNs && at > 0 ? [at, at - 1] : [at];
  const folds = await Promise.all(
    candidates.map(async (ns) => rows(await foldPaths(bytes, { measure: "at", at: { ns } }, { pids: [proc.pid] }))),
  );
  const match = folds.find((f) => JSON.stringify(f) === JSON.stringify(page));
  t.same(page, match ?? folds[0], `${label}: peak of pid ${proc.pid} at ${at} ns`);
}

/** Windows of a run of n buckets: whole, halves, a middle third, single buckets. */
function windowsOf(n: number): [number, number][] {
  const last = n - 1;
  const picks: [number, number][] = [
    [0, last],
    [0, Math.floor(last / 2)],
    [Math.floor(last / 2), last],
    [Math.floor(n / 3), Math.floor((2 * n) / 3)],
    [Math.floor(n / 4), Math.floor(n / 4)],
    [last, last],
  ];
  for (let i = 0; i < 6; i++) {
    const a = (i * 37) % n;
    const b = (i * 91 + 13) % n;
    picks.push([Math.min(a, b), Math.max(a, b)]);
  }
  return picks;
}

t.test(
  "given time windows, when the page re-folds them, then they equal fold --between, --between --leaks and --at the window's peak",
  async (t) => {
    for (const [name, make] of FIXTURES.filter(([n]) => n !== "deep")) {
      const bytes = make();
      const data = pageData(await htmlOf(bytes));
      for (const window of windowsOf(data.buckets)) {
        const label = `${name} [${window.join(", ")}] of ${data.buckets} buckets of ${data.bucketNs} ns`;
        await sameWindow(t, bytes, data, window, label);
        for (const p of data.processes.keys()) await samePeak(t, bytes, data, p, window, label);
      }
    }
  },
);

t.test("given a thread or a process, when chosen, then the graph is fold's of what filter keeps", async (t) => {
  const bytes = multiProcess().bytes();
  const data = pageData(await htmlOf(bytes));
  for (const [p, proc] of data.processes.entries()) {
    for (const view of VIEWS) {
      t.same(
        rows(pagePaths(data, { view, process: p })),
        rows(await foldPaths(bytes, { measure: view }, { pids: [proc.pid] })),
        `pid ${proc.pid} ${view}`,
      );
    }
    for (const [tid] of proc.threads) {
      for (const view of ["leaks", "total"] as const) {
        t.same(
          rows(pagePaths(data, { view, process: p, thread: tid })),
          rows(await foldPaths(bytes, { measure: view }, { pids: [proc.pid], tids: [tid] })),
          `pid ${proc.pid} thread ${tid} ${view}`,
        );
      }
    }
  }
});

/**
 * A random capture with what makes pairing hard: threads written out of order between watermarks, frees in another
 * thread, events at the same time and at bucket edges, long pauses, blocks allocated over live ones, frees of
 * unknown addresses, partial munmaps, JS heap samples, and high points reached twice.
 */
function randomCapture(seed: number, sameTimes: boolean): Uint8Array {
  const rnd = new Prng(seed);
  const c = new CaptureBuilder();
  const p = c.process(100, { argv: ["node", "random.js"] });
  const threads = [100, 101, 102].map((tid) => p.thread(tid));
  const stacks = Array.from({ length: 8 }, (_, i) =>
    p.stack(p.js("main", "app.js", 1), ...(i % 2 ? [p.native(`n${i}`)] : [p.js(`f${i}`, "app.js", i + 2)])),
  );
  const live: { address: number; kind: "heap" | "map" | "js"; size: number }[] = [];
  let next = 0x1000;
  for (let i = 0; i < 3000; i++) {
    p.step = rnd.pick(sameTimes ? [0, 1, 3, 64, 1000] : [1, 3, 64, 1000]);
    if (rnd.chance(0.01)) p.after(rnd.int(1, 5_000_000));
    const t = rnd.pick(threads);
    const roll = rnd.float();
    if (roll < 0.45 || live.length === 0) {
      const reuse = live.length > 0 && rnd.chance(0.03);
      const address = reuse ? rnd.pick(live).address : (next += 0x100);
      const kind = rnd.chance(0.1) ? "map" : rnd.chance(0.1) ? "js" : "heap";
      const size = kind === "map" ? 4096 * rnd.int(1, 4) : kind === "js" ? rnd.int(100, 5000) : rnd.skewed(1, 9000);
      if (kind === "map") t.mmap(address, size, rnd.pick(stacks));
      else if (kind === "js") t.jsSample(address, size, rnd.int(1, 9), rnd.pick(stacks));
      else t.malloc(address, size, rnd.pick(stacks));
      if (!reuse) live.push({ address, kind, size });
    } else if (roll < 0.55) {
      // A block freed and as many bytes allocated on another stack: live bytes come back to a high point with
      // other blocks, and the high point's first moment must win.
      const at = live.findIndex((x) => x.kind === "heap");
      if (at >= 0) {
        const b = live.splice(at, 1)[0];
        t.free(b.address);
        t.malloc((next += 0x100), b.size, rnd.pick(stacks));
        live.push({ address: next, kind: "heap", size: b.size });
      }
    } else if (roll < 0.95) {
      const b = live.splice(rnd.int(0, live.length - 1), 1)[0];
      if (b.kind === "map") {
        if (rnd.chance(0.5)) live.push(b);
        t.munmap(b.address + (rnd.chance(0.5) ? 0 : 4096), 4096);
      } else if (b.kind === "js") t.jsCollected(b.address);
      else t.free(b.address);
    } else t.free(0xdead0000 + i);
    if (rnd.chance(0.02)) p.flush();
  }
  p.end();
  return c.bytes();
}

t.test("given random captures, when the page re-folds them, then whole runs and windows are fold's", async (t) => {
  for (const [seed, sameTimes] of [
    [1, true],
    [2, true],
    [3, false],
    [4, false],
  ] as const) {
    const bytes = randomCapture(seed, sameTimes);
    const data = pageData(await htmlOf(bytes));
    for (const view of VIEWS) {
      t.same(rows(pagePaths(data, { view })), rows(await foldPaths(bytes, { measure: view })), `seed ${seed} ${view}`);
    }
    const proc = data.processes[0];
    for (const window of windowsOf(data.buckets)) {
      const label = `seed ${seed} [${window.join(", ")}]`;
      await sameWindow(t, bytes, data, window, label);
      // The graph of a window's peak holds what the chart shows at that moment.
      const root = pagePaths(data, { view: "peak", window }).get(JSON.stringify(["all"]))?.[0] ?? 0;
      t.equal(root, proc.live[model.peakBucket(proc, window)], `${label}: peak graph = chart`);
      if (!sameTimes) await samePeak(t, bytes, data, 0, window, label);
    }
  }
});

t.test("given a high point reached twice, when the peak is shown, then it is the first, as fold's", async (t) => {
  // Both high points fall in one bucket as it is being filled: late in a long run, when buckets are wide.
  const c = new CaptureBuilder();
  const p = c.process(100, { argv: ["node", "app.js"] });
  const main = p.thread(100);
  main.malloc(0x3000, 1, p.stack(p.js("early", "app.js", 3))).free(0x3000);
  p.at(1e9);
  main.malloc(0x1000, 100, p.stack(p.js("first", "app.js", 1))).free(0x1000);
  main.malloc(0x2000, 100, p.stack(p.js("second", "app.js", 2))).free(0x2000);
  p.end();
  const bytes = c.bytes();
  const data = pageData(await htmlOf(bytes));
  t.same(rows(pagePaths(data, { view: "peak" })), [
    ['["all","first (app.js:1)"]', 100, 1],
    ['["all"]', 100, 1],
  ]);
  t.same(rows(pagePaths(data, { view: "peak" })), rows(await foldPaths(bytes, { measure: "peak" })));
  t.same(data.processes[0].peakTimeNs, 1e9);
  t.ok(data.bucketNs > 100, "one bucket holds both");
});

t.test(
  "given each fixture and measure, when the page titles the whole run, then it says what the SVG says",
  async (t) => {
    for (const [name, make] of FIXTURES) {
      const bytes = make();
      const data = pageData(await htmlOf(bytes));
      for (const view of VIEWS) {
        const tree = model.buildTree(
          data,
          { process: -1, thread: null, view, window: null, inverted: false },
          model.labelRanks(data),
        );
        const title = svgTitle(await runReport(flame, bytes, {}, view));
        t.equal(
          model.titleOf(data, { process: -1, thread: null, view, window: null, inverted: false }, tree),
          title,
          `${name} ${view}`,
        );
      }
    }
  },
);

t.test(
  "given a stream folded before, when drawn as a page, then it is that fold's graph, without a time window",
  async (t) => {
    const raw = multiProcess().bytes();
    for (const view of VIEWS) {
      const folded = await foldedBytes(raw, view);
      const data = pageData(await htmlOf(folded));
      t.equal(data.foldedTitle, svgTitle(await runReport(flame, raw, {}, view)), `${view}: the fold's title`);
      t.same(data.window, null);
      t.ok(
        data.processes.every((p) => p.changes === null && p.lifetimes === null && p.values !== null),
        "no tables",
      );
      t.same(rows(pagePaths(data)), rows(await foldPaths(raw, { measure: view })), `${view}: the fold's graph`);
      t.same(rows(pagePaths(data, { window: [0, 0] })), rows(pagePaths(data)), `${view}: a window changes nothing`);
      t.ok(
        data.processes[0].rss.some((v) => v !== null),
        "the chart has the memory samples the stream carried",
      );
    }
    const inverted = pageData(await htmlOf(await foldedBytes(raw, "leaks", true)));
    t.equal(inverted.inverted, true, "a stream folded --inverted opens inverted");
    t.same(
      rows(pagePaths(inverted, { inverted: true })),
      rows(await foldPaths(raw, { measure: "leaks", inverted: true })),
    );
    t.same(rows(pagePaths(inverted)), rows(await foldPaths(raw, { measure: "leaks" })), "and turns back");
  },
);

t.test("given a run that recorded the app's end, then the whole run's leaks are fold's, as is its title", async (t) => {
  const bytes = appEnded().bytes();
  const data = pageData(await htmlOf(bytes, { measure: "leaks" }));
  t.ok(data.processes[0].kept, "the page has what each row kept");
  const tree = model.buildTree(
    data,
    { process: -1, thread: null, view: "leaks", window: null, inverted: false },
    model.labelRanks(data),
  );
  const choice = { process: -1, thread: null, view: "leaks" as const, window: null, inverted: false };
  t.equal(model.titleOf(data, choice, tree), svgTitle(await runReport(flame, bytes, {}, "leaks")), "the SVG's title");
  t.match(model.titleOf(data, choice, tree), /still live at the app's end in 4 allocations, before node's teardown$/);
  const window: [number, number] = [0, data.buckets - 1];
  t.same(
    rows(pagePaths(data, { view: "leaks", window })),
    rows(await foldPaths(bytes, { measure: "leaks", afterTeardown: true })),
    "a window of the whole run is still what was allocated in it and live at its end",
  );

  const late = pageData(await htmlOf(bytes, { measure: "leaks", afterTeardown: true }));
  t.notOk(late.processes[0].kept, "--after-teardown: no kept values");
  t.same(
    rows(pagePaths(late, { view: "leaks" })),
    rows(await foldPaths(bytes, { measure: "leaks", afterTeardown: true })),
  );
  const lateTree = model.buildTree(late, choice, model.labelRanks(late));
  t.equal(
    model.titleOf(late, choice, lateTree),
    svgTitle(await runReport(flame, bytes, {}, { measure: "leaks", afterTeardown: true })),
  );
});

t.test("given options the page cannot show, when asked for, then a usage error says why", async (t) => {
  const bytes = handComputed().bytes();
  t.rejects(htmlOf(bytes, { measure: "temporary" }), /--temporary is not a view of the HTML flame graph/);
  t.rejects(htmlOf(bytes, { measure: "at", at: { ns: 100 } }), /--at is not a view/);
  t.rejects(htmlOf(bytes, { splitThreads: true }), /leave out --split-processes and --split-threads/);
});

t.test("given --between, when the page opens, then it opens on that window (--leaks: what stayed)", async (t) => {
  const bytes = multiProcess().bytes();
  const window: [{ ns: number }, { ns: number }] = [{ ns: 1_000_000 }, { ns: 3_000_000 }];
  const total = pageData(await htmlOf(bytes, { measure: "between", window }));
  const w = Math.floor(1_000_000 / total.bucketNs);
  t.same([total.view, total.window], ["total", [w, Math.floor(3_000_000 / total.bucketNs)]]);
  const leaks = pageData(await htmlOf(bytes, { measure: "between-leaks", window: [{ percent: 10 }, { percent: 50 }] }));
  t.equal(leaks.view, "leaks");
  t.ok(leaks.window && leaks.window[0] < leaks.window[1], "a window in percent of the run");
});

t.test(
  "given a small entry budget, when a capture is folded, then it keeps fewer buckets and the same whole runs",
  async (t) => {
    const bytes = multiProcess().bytes();
    const full = foldTimelines(bytes);
    const small = foldTimelines(bytes, { timelineBudget: 500 });
    const entries = (ts: Timeline[]) => ts.reduce((n, p) => n + p.changes.length + p.lifetimes.length, 0);
    const [a, b] = [full.timelines, small.timelines];
    t.ok(entries(b) < entries(a), `${entries(b)} entries rather than ${entries(a)}`);
    t.ok(b[0].high.length < a[0].high.length, `${b[0].high.length} buckets rather than ${a[0].high.length}`);
    t.ok(entries(b) <= 500 || b[0].high.length < 32, "within the budget, or as few buckets as are kept");
    const data = timelinePageData(small.profile, b, { view: "peak", inverted: false, allFrames: true });
    for (const view of VIEWS)
      t.same(rows(pagePaths(data, { view })), rows(await foldPaths(bytes, { measure: view })), view);
  },
);

/** A capture folded with its timeline: the folded stream's Profile and its Timeline Records. */
function foldTimelines(bytes: Uint8Array, options: FoldOptions = {}): { profile: Profile; timelines: Timeline[] } {
  const builder = new ProfileBuilder();
  const timelines: Timeline[] = [];
  const folder = new Folder((m) => (m.type === "timeline" ? timelines.push(m.timeline) : builder.push(m)), {
    ...options,
    timeline: true,
  });
  for (const m of decodeAll(bytes)) folder.push(m);
  folder.end();
  return { profile: builder.finish(), timelines };
}

/** A long run of one thread on ten stacks: a few hundred blocks live at a time, each freed soon after. */
function busyCapture(events: number): Uint8Array {
  const rnd = new Prng(7);
  const c = new CaptureBuilder();
  const p = c.process(100, { argv: ["node", "busy.js"] });
  const main = p.thread(100);
  const stacks = Array.from({ length: 10 }, (_, i) =>
    p.stack(p.js("main", "busy.js", 1), p.js(`work${i}`, "busy.js", i + 2)),
  );
  const live: number[] = [];
  for (let i = 0; i < events; i++) {
    if (live.length < 300 || rnd.chance(0.4)) {
      main.malloc(0x1000 + i * 0x100, rnd.int(16, 4096), stacks[i % 10]);
      live.push(0x1000 + i * 0x100);
    } else main.free(live.splice(rnd.int(0, live.length - 1), 1)[0]);
    if (i % 5000 === 0) p.flush();
  }
  p.end();
  return c.bytes();
}

t.test("given ten times the events on the same stacks, when drawn, then the page is about as large", async (t) => {
  const [small, large] = [pageData(await htmlOf(busyCapture(30_000))), pageData(await htmlOf(busyCapture(300_000)))];
  const size = (data: PageData) => JSON.stringify(data).length;
  t.ok(size(large) < 1.5 * size(small), `${size(small)} bytes of data for 30k events, ${size(large)} for 300k`);
  // The bound: an entry per row and position, and per row and pair of buckets.
  for (const data of [small, large]) {
    const [p] = data.processes;
    t.ok(p.changes!.row.length <= p.rows.node.length * 2 * data.buckets, "changes: rows x positions at most");
    t.ok(p.lifetimes!.row.length <= p.rows.node.length * data.buckets * 8, "lifetimes: a few per row and bucket");
  }
});

t.test("given hostile names, when embedded, then the data holds them exactly and no markup of theirs", async (t) => {
  const bytes = hostileNames().bytes();
  const html = await htmlOf(bytes, {}, "</script><script>alert(1)</script>");
  const block = /<script type="application\/json" id="data">(.*?)<\/script>/s.exec(html)![1];
  t.notMatch(block, /[<>&\u2028\u2029]/, "no <, >, & or line separators in the data element");
  const data = pageData(html);
  t.equal(data.title, "</script><script>alert(1)</script>");
  const labels = new Set(data.labels);
  for (const name of HOSTILE_NAMES) {
    t.ok(
      [...labels].some((l) => l.startsWith(name)),
      JSON.stringify(name),
    );
  }
  t.same(
    new Set(data.labels),
    new Set(await foldLabels(bytes, "both")),
    "the labels fold gives, with every frame and in the app view, character for character",
  );
  t.equal(html.match(/<script/g)!.length, 2, "the data element and the page's script, nothing else");
  t.match(embedJson({ s: "</script><!--\u2028&" }), /^\{"s":"\\u003c\/script\\u003e\\u003c!--\\u2028\\u0026"\}$/);
});

t.test(
  "given a page, when checked, then it is self-contained, deterministic and allows only its own script",
  async (t) => {
    const bytes = multiProcess().bytes();
    const html = await htmlOf(bytes);
    t.equal(await htmlOf(bytes), html, "the same bytes twice");
    const urls = html.match(/(?:https?|file|ftp):\/\/[^\s"'<>]*/g) ?? [];
    t.same([...new Set(urls)], ["http://www.w3.org/2000/svg"], "only the SVG namespace, a name and not a fetch");
    t.notMatch(html, /\b(?:href|src)=|@import|url\(/, "nothing loaded from elsewhere");
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1];
    const script = /<script>(.*?)<\/script>/s.exec(html)![1];
    const style = /<style>(.*?)<\/style>/s.exec(html)![1];
    const sha = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
    t.match(policy, /^default-src 'none'; /);
    t.ok(policy.includes(`script-src ${sha(script)}`), "the policy allows the page's script by its hash");
    t.ok(policy.includes(`style-src ${sha(style)}`), "and its style sheet");
    t.notMatch(script, /\beval\(|new Function|fetch\(|XMLHttpRequest|innerHTML|insertAdjacentHTML|document\.write/);
  },
);

t.test("given numbers, when the page formats them, then they read as every other report prints them", async (t) => {
  for (const n of [0, 1, 512, 1023, 1024, 1536, 1048575, 1048576, 5.5e9, 3e15, -2048]) {
    t.equal(model.formatBytes(n), formatBytes(n), `bytes ${n}`);
  }
  for (const n of [0, 1, 999, 1000, 1234567, 2.5, -1234]) t.equal(model.formatCount(n), formatCount(n), `count ${n}`);
  for (const [a, b] of [
    [1, 3],
    [0, 0],
    [1500, 2050],
  ]) {
    t.equal(model.formatPercent(a, b), formatPercent(a, b));
  }
  for (const ns of [0, 40, 1500, 2_250_000, 1e9, 90e9, 123456789]) {
    t.equal(model.formatDuration(ns), formatDuration(ns), `duration ${ns}`);
  }
});

t.test(
  "given a recorder's time leads, when a free reads before its block's allocation and an allocation before the last free, then the page pairs them as fold does",
  async (t) => {
    const scene = handOverScene({ allocationTimeLeadNs: 100_000, deallocationTimeLeadNs: 100_000 });
    const { c, p, main, sweeper, first: handed, second: kept } = scene;
    // At 0x1000: block 1, handed to the sweeper, has its free read early, before its allocation; block 2 is
    // handed over too, and block 3's allocation reads early, before block 2's free. Block 3 and 0x2000 leak.
    p.at(4_700);
    sweeper.free(0x1000);
    p.at(5_000);
    main.malloc(0x1000, 100, handed);
    p.at(6_000);
    main.malloc(0x1000, 40, handed);
    p.at(6_100);
    main.malloc(0x2000, 8, kept);
    p.at(7_000);
    main.malloc(0x1000, 20, kept);
    p.at(7_200);
    sweeper.free(0x1000);
    p.at(9_000);
    p.end();
    const bytes = c.bytes();
    const { profile, timelines } = foldTimelines(bytes);
    const [totals] = profile.info.processes;
    t.equal(totals.unmatchedDeallocations, 0, "the early free found its block");
    t.equal(totals.overwrittenAllocations, 0, "and the late free its own");
    t.equal(totals.leakedBytes, 28, "what stays live: the 8- and the 20-byte blocks");
    const data = timelinePageData(profile, timelines, { view: "peak", inverted: false, allFrames: true });
    for (const view of VIEWS)
      t.same(rows(pagePaths(data, { view })), rows(await foldPaths(bytes, { measure: view })), view);
  },
);

t.test("given a recorded capture's page, when it shows the app view, then it equals fold's app view", async (t) => {
  const recorded = readFileSync(join(__dirname, "..", "golden", "compress-app.mtrace"));
  const data = pageData(await htmlOf(recorded, {}, undefined, "app"));
  t.equal(data.allFrames, false, "the app view first");
  // A folded capture's page shows its own measure (peak), without a time window.
  t.same(rows(pagePaths(data)), rows(await foldPaths(recorded, {}, undefined, "app")), "the app view");
  t.same(rows(pagePaths(data, { allFrames: true })), rows(await foldPaths(recorded, {})), "every frame");
});
