// filter: each predicate selects allocations; a free is kept exactly when it frees a kept allocation, whichever
// thread frees it and in whatever order the threads' batches reach the stream.
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { EventKind as K, EventOrder, type Message } from "../../src/codec/model";
import { allocatorName } from "../../src/model/allocators";
import { filterMessages, type FilterOptions } from "../../src/transforms/filter";
import { CaptureBuilder, ThreadRole } from "../fixtures/builder";
import { collect } from "../fixtures/inspect";

/**
 * Process 10: main thread 10 and pool thread 11; the pool's batch reaches the stream first. Process 20: one
 * malloc. Every event has its own time, so each line below is named by it.
 */
function capture(): Message[] {
  const c = new CaptureBuilder();
  const p = c.process(10);
  const main = p.thread(10, "main", ThreadRole.ROLE_MAIN);
  const pool = p.thread(11, "pool", ThreadRole.ROLE_POOL);
  const alpha = p.stack(p.js("main", "/app.js", 1), p.js("alpha", "/app.js", 2));
  const beta = p.stack(p.native("uv_worker"), p.native("beta"));
  const js = p.stack(p.js("main", "/app.js", 1), p.js("render", "/app.js", 9));
  p.at(100);
  main.malloc(0x1000, 100, alpha);
  p.at(200);
  pool.malloc(0x2000, 5000, beta);
  p.at(300);
  main.free(0x2000); // frees the pool's block
  p.at(400);
  pool.free(0x1000); // frees the main thread's block
  p.at(500);
  main.mmap(0x100000, 8192, alpha);
  p.at(600);
  pool.munmap(0x101000, 4096); // part of the main thread's mapping
  p.at(700);
  main.calloc(0x3000, 50, alpha);
  p.at(800);
  main.free(0xdead); // frees nothing known
  p.at(900);
  pool.jsSample(1, 1000, 2, js);
  p.at(1000);
  main.jsCollected(1);
  p.at(1100);
  p.end();
  const q = c.process(20);
  const t20 = q.thread(20);
  q.at(150);
  t20.malloc(0x1000, 10, q.stack(q.js("child", "/child.js", 1)));
  q.end();
  return decodeAll(c.bytes());
}

/** The kept events as "pid:time allocator". */
async function kept(options: FilterOptions): Promise<string[]> {
  const out = await collect(filterMessages(capture(), options));
  return out.flatMap((m) =>
    m.type === "events"
      ? Array.from(
          { length: m.batch.length },
          (_, i) => `${m.pid}:${m.batch.time[i]} ${allocatorName(m.batch.kind[i])}`,
        )
      : [],
  );
}

const CASES: [string, FilterOptions, string[]][] = [
  [
    "no predicate keeps every event that pairs",
    {},
    [
      "10:100 malloc",
      "10:200 malloc",
      "10:300 free",
      "10:400 free",
      "10:500 mmap",
      "10:600 munmap",
      "10:700 calloc",
      "10:900 js",
      "10:1000 js (collected)",
      "20:150 malloc",
    ],
  ],
  [
    "--thread 11 keeps the pool's allocations and the main thread's frees of them",
    { tids: [11] },
    ["10:200 malloc", "10:300 free", "10:900 js", "10:1000 js (collected)"],
  ],
  [
    "--thread 10 keeps the main thread's allocations and the pool's frees of them",
    { tids: [10] },
    ["10:100 malloc", "10:400 free", "10:500 mmap", "10:600 munmap", "10:700 calloc"],
  ],
  [
    "--min-size 1000",
    { minSize: 1000 },
    ["10:200 malloc", "10:300 free", "10:500 mmap", "10:600 munmap", "10:900 js", "10:1000 js (collected)"],
  ],
  ["--max-size 100", { maxSize: 100 }, ["10:100 malloc", "10:400 free", "10:700 calloc", "20:150 malloc"]],
  ["--from 450 --to 750 (ns)", { from: 450, to: 750 }, ["10:500 mmap", "10:600 munmap", "10:700 calloc"]],
  ["--allocator mmap", { kinds: [K.MMAP] }, ["10:500 mmap", "10:600 munmap"]],
  ["--allocator js", { kinds: [K.JS_SAMPLE] }, ["10:900 js", "10:1000 js (collected)"]],
  ["--frame beta", { frames: [/beta/] }, ["10:200 malloc", "10:300 free"]],
  [
    "--frame main --frame render (all must match)",
    { frames: [/^main/, /render/] },
    ["10:900 js", "10:1000 js (collected)"],
  ],
  [
    "--exclude-frame alpha",
    { excludeFrames: [/alpha/] },
    ["10:200 malloc", "10:300 free", "10:900 js", "10:1000 js (collected)", "20:150 malloc"],
  ],
  ["--pid 20", { pids: [20] }, ["20:150 malloc"]],
  [
    "--thread 11 --min-size 2000 (every predicate must hold)",
    { tids: [11], minSize: 2000 },
    ["10:200 malloc", "10:300 free"],
  ],
];

for (const [what, options, expected] of CASES) {
  t.test(`given a two-thread capture, when filtered by ${what}, then exactly those events remain`, async (t) => {
    t.same(await kept(options), expected);
  });
}

t.test("given a per-thread capture, when filtered, then the output is in total order with no watermarks", async (t) => {
  const out = await collect(filterMessages(capture(), { tids: [11] }));
  t.same(
    out.filter((m) => m.type === "header").map((m) => m.type === "header" && m.header.eventOrder),
    [EventOrder.ORDER_TOTAL, EventOrder.ORDER_TOTAL],
  );
  t.equal(out.filter((m) => m.type === "watermark").length, 0);
  t.ok(
    out.some((m) => m.type === "trailer" && m.pid === 10),
    "the other records pass through",
  );
});

t.test("given --pid, when filtered, then no record of another process is left", async (t) => {
  const out = await collect(filterMessages(capture(), { pids: [20] }));
  t.same([...new Set(out.map((m) => m.pid))], [20]);
});
