// `memtrace table`: one row per allocating location, thread and allocator, in four forms. The figures are checked
// on the worked example and the hand-computed capture, whose rows can be worked out from their timelines.
import { parse } from "csv-parse/sync";
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { buildCallTree } from "../../src/model/calltree";
import { locationsOf } from "../../src/model/locations";
import { ProfileBuilder, type Profile } from "../../src/model/profile";
import { embedJson } from "../../src/sinks/html-page";
import { table, tableFormat } from "../../src/sinks/table-report";
import { tableRows, type TableRow } from "../../src/sinks/table-rows";
import { foldMessages, type FoldOptions } from "../../src/transforms/fold";
import { HOSTILE_NAMES, handComputed, hostileNames, multiProcess } from "../fixtures/captures";
import { collect } from "../fixtures/inspect";
import { capture, js, native, runReport, workedExample } from "./capture";
import { GOLDEN } from "./golden";

const plain = { color: false };

interface JsonTable {
  measure: string;
  title: string;
  truncated: boolean;
  totalBytes: number;
  totalCount: number;
  rows: TableRow[];
}

async function json(bytes: Uint8Array, fold?: Parameters<typeof runReport>[3], options = {}): Promise<JsonTable> {
  return JSON.parse(await runReport(table, bytes, { format: "json", ...options }, fold)) as JsonTable;
}

/** The text table's rows: cells split at runs of two spaces or more (numbers hold single spaces: "1.3 KiB"). */
function textRows(out: string): string[][] {
  const lines = out.split("\n");
  const header = lines.findIndex((l) => /^\s*(PID|TID)\s/.test(l));
  return lines
    .slice(header)
    .filter((l) => l.trim() !== "")
    .map((l) => l.trim().split(/ {2,}/));
}

async function profileOf(bytes: Uint8Array, options: FoldOptions): Promise<Profile> {
  const builder = new ProfileBuilder();
  for (const m of await collect(foldMessages(decodeAll(bytes), options))) builder.push(m);
  return builder.finish();
}

t.test("given the worked example under --total, when tabled, then each location has its own bytes", async (t) => {
  const out = await json(workedExample(), "total");
  const row = (location: string, bytes: number, count: number) => ({
    location,
    pid: 100,
    tid: 100,
    thread: "main",
    allocator: "malloc",
    bytes,
    count,
  });
  // malloc allocated 1000 under parse and 300 under the recursion; parse and recurse allocated by themselves.
  t.same(out.rows, [
    row("malloc", 1300, 2),
    row("parse (app.js:10)", 500, 1),
    row("recurse (app.js:20)", 200, 1),
    row("(no stack)", 50, 1),
  ]);
  t.same([out.measure, out.totalBytes, out.totalCount, out.truncated], ["total", 2050, 5, false]);
  t.equal(out.title, "Total memory: 2.0 KiB allocated in 5 allocations, freed or not");
});

t.test(
  "given the hand-computed capture, when tabled by each measure, then rows split by thread and allocator",
  async (t) => {
    const rows = async (measure: "peak" | "leaks" | "total") =>
      (await json(handComputed().bytes(), measure)).rows.map(
        (r) => `${r.pid}/${r.tid} ${r.thread} ${r.allocator} ${r.location} ${r.bytes} ${r.count}`,
      );
    // See handComputed() in test/fixtures/captures.ts for the timeline these rows come from.
    t.same(await rows("peak"), [
      "10/11 libuv-worker mmap delta 16384 1",
      "20/20 node malloc phi (/app/child.js:2) 3000 2",
      "10/10 node calloc gamma (/app/numbers.js:30) 300 1",
      "10/11 libuv-worker malloc beta 200 1",
    ]);
    t.same(await rows("leaks"), [
      "10/11 libuv-worker mmap delta 12288 1",
      "20/20 node malloc phi (/app/child.js:2) 2000 1",
      "10/10 node realloc gamma (/app/numbers.js:30) 600 1",
      "20/20 node malloc gamma (/app/numbers.js:30) 500 1",
    ]);
    t.same(await rows("total"), [
      "10/11 libuv-worker mmap delta 16384 1",
      "20/20 node malloc phi (/app/child.js:2) 3000 2",
      "10/11 libuv-worker js epsilon (/app/numbers.js:50) 1024 3",
      "10/10 node realloc gamma (/app/numbers.js:30) 600 1",
      "20/20 node malloc gamma (/app/numbers.js:30) 500 1",
      "10/10 node calloc gamma (/app/numbers.js:30) 300 1",
      "10/11 libuv-worker malloc beta 200 1",
      "10/10 node malloc alpha (/app/numbers.js:10) 100 1",
    ]);
  },
);

t.test(
  "given any fixture and stack shape, when tabled, then a location's rows add up to its own bytes in summary",
  async (t) => {
    for (const shape of [
      {},
      { inverted: true },
      { splitThreads: true },
      { inverted: true, splitProcesses: true, splitThreads: true },
    ]) {
      for (const [name, bytes] of [
        ["multi", multiProcess().bytes()],
        ["worked", workedExample()],
      ] as const) {
        const profile = await profileOf(bytes, { measure: "total", ...shape });
        const sums = new Map<string, number[]>();
        for (const r of tableRows(profile)) {
          const s = sums.get(r.location) ?? [0, 0];
          sums.set(r.location, [s[0] + r.bytes, s[1] + r.count]);
        }
        const own = locationsOf(buildCallTree(profile), {
          inverted: shape.inverted ?? false,
          syntheticDepth: ("splitProcesses" in shape ? 1 : 0) + ("splitThreads" in shape ? 1 : 0),
        }).filter((l) => l.ownBytes > 0 || l.ownCount > 0);
        t.same(
          new Map(own.map((l) => [l.label, [l.ownBytes, l.ownCount]])),
          sums,
          `${name} ${JSON.stringify(shape)}: the same locations, bytes and counts`,
        );
      }
    }
  },
);

t.test("given the text form, when tabled, then it is a terminal table sorted as asked", async (t) => {
  const out = await runReport(table, workedExample(), plain, "total");
  t.match(out, /^Total memory: 2\.0 KiB allocated in 5 allocations, freed or not\n/);
  t.match(out, /\n4 rows, one per location, thread and allocator, by bytes\. Location: the frame that allocated\.\n/);
  t.same(textRows(out), [
    ["TID", "Thread", "Allocator", "Bytes", "%", "Allocations", "Location"],
    ["100", "main", "malloc", "1.3 KiB", "63.41%", "2", "malloc"],
    ["100", "main", "malloc", "500 B", "24.39%", "1", "parse (app.js:10)"],
    ["100", "main", "malloc", "200 B", "9.76%", "1", "recurse (app.js:20)"],
    ["100", "main", "malloc", "50 B", "2.44%", "1", "(no stack)"],
  ]);
  const byLocation = await runReport(table, workedExample(), { ...plain, sort: "location", top: 2 }, "total");
  t.match(byLocation, /\nThe first 2 of 4 rows, one per location, thread and allocator, by location\./);
  t.same(
    textRows(byLocation).map((r) => r.at(-1)),
    ["Location", "(no stack)", "malloc"],
    "code-unit order: ( before letters",
  );
  const byCount = textRows(await runReport(table, handComputed().bytes(), { ...plain, sort: "count" }, "total"));
  t.same(
    byCount[0],
    ["PID", "TID", "Thread", "Allocator", "Bytes", "%", "Allocations", "Location"],
    "two processes: a PID column",
  );
  t.same(
    byCount.slice(1, 3).map((r) => [r[6], r[7]]),
    [
      ["3", "epsilon (/app/numbers.js:50)"],
      ["2", "phi (/app/child.js:2)"],
    ],
  );
  const byThread = textRows(await runReport(table, handComputed().bytes(), { ...plain, sort: "thread" }, "total"));
  t.same(
    byThread.slice(1).map((r) => `${r[0]}/${r[1]}`),
    ["10/10", "10/10", "10/10", "10/11", "10/11", "10/11", "20/20", "20/20"],
  );
});

t.test("given a narrow terminal, when tabled, then the table fits and says what it left out", async (t) => {
  const long = js(`handle${"Very".repeat(30)}LongRequest`, 7, "/srv/app/lib/handlers/requests.js");
  const out = await runReport(table, capture([{ frames: [long], size: 64 }]), { ...plain, width: 60 }, "total");
  const lines = out.split("\n");
  const header = lines.findIndex((l) => l.startsWith("Thread") || l.startsWith("TID"));
  t.ok(
    lines.slice(header, header + 2).every((l) => [...l].length <= 60),
    "fits 60 columns",
  );
  t.match(out, /\(%, TID: left out to fit 60 columns; --width sets another width\)/);
});

t.test("given colors asked for, when tabled as text, then shares are colored; other forms never are", async (t) => {
  t.ok((await runReport(table, workedExample(), { color: true }, "total")).includes("\x1b[31m63.41%\x1b[0m"));
  for (const format of ["csv", "json", "html"] as const) {
    t.notOk((await runReport(table, workedExample(), { color: true, format }, "total")).includes("\x1b"), format);
  }
});

t.test("given -o with an extension and no --format, when tabling, then the extension chooses the form", async (t) => {
  t.equal(tableFormat({}), "text");
  t.equal(tableFormat({ output: "-" }), "text");
  t.equal(tableFormat({ output: "out" }), "text");
  t.equal(tableFormat({ output: "report.txt" }), "text");
  t.equal(tableFormat({ output: "t.html" }), "html");
  t.equal(tableFormat({ output: "T.HTM" }), "html");
  t.equal(tableFormat({ output: "rows.csv" }), "csv");
  t.equal(tableFormat({ output: "rows.json" }), "json");
  t.equal(tableFormat({ output: "rows.json", format: "text" }), "text", "--format wins");
  t.match(await runReport(table, workedExample(), { output: "x.html" }, "total"), /^<!DOCTYPE html>/);
});

t.test("given hostile names, when tabled as CSV, then a CSV reader gets them back exactly", async (t) => {
  const out = await runReport(table, hostileNames().bytes(), { format: "csv" }, "total");
  const records = parse(out, { columns: true, record_delimiter: "\r\n" }) as Record<string, string>[];
  t.same(Object.keys(records[0]), ["measure", "pid", "tid", "thread", "allocator", "bytes", "count", "location"]);
  const locations = records.map((r) => r.location);
  for (const name of HOSTILE_NAMES) {
    t.ok(
      locations.some((l) => l === name || l.startsWith(`${name} (`)),
      `${JSON.stringify(name)} is a location, character for character`,
    );
  }
  t.same(new Set(records.map((r) => r.thread)), new Set(['<b>main</b> & "co"', "線程 ;\n2"]));
  t.same(
    records.reduce((s, r) => s + Number(r.bytes), 0),
    HOSTILE_NAMES.reduce((s, _, i) => s + 1100 + 2 * i, 0),
    "every byte of --total",
  );
});

t.test("given hostile names, when tabled as JSON, then the JSON holds them exactly", async (t) => {
  const out = await json(hostileNames().bytes(), "total");
  t.equal(out.rows.length, HOSTILE_NAMES.length);
  t.ok(HOSTILE_NAMES.every((n) => out.rows.some((r) => r.location === n || r.location.startsWith(`${n} (`))));
});

t.test("given a page's data, when embedded, then no character can end the script element", async (t) => {
  const hostile = ["</script><script>alert(1)</script>", "<!-- <script>", "a\u2028b\u2029c", "&amp;", "\ud800 lone"];
  const text = embedJson({ names: hostile });
  t.notMatch(text, /[<>&\u2028\u2029]/, "no <, >, &, U+2028 or U+2029 left raw");
  t.same(JSON.parse(text), { names: hostile }, "JSON.parse gives back every string");

  const page = await runReport(table, hostileNames().bytes(), { format: "html" }, "total");
  const data = /<script type="application\/json" id="data">([^]*?)<\/script>/.exec(page)![1];
  const parsed = JSON.parse(data) as { strings: string[] };
  for (const name of HOSTILE_NAMES)
    t.ok(
      parsed.strings.some((s) => s === name || s.startsWith(`${name} (`)),
      name,
    );
  t.equal(page.match(/<script/g)!.length, 2, "the data and the page's own script, nothing else");
  t.notMatch(page, /https?:\/\//, "nothing to fetch: the page is self-contained");
  t.match(page, /Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/);
});

t.test("given a profile with nothing in it, when tabled, then every form says so or is empty", async (t) => {
  const empty = capture([{ frames: [native("f")], size: 8 }, { free: 0 }]);
  t.match(await runReport(table, empty, plain, "leaks"), /\nNo allocations under this measure\.\n$/);
  t.same((await json(empty, "leaks")).rows, []);
  t.equal(
    await runReport(table, empty, { format: "csv" }, "leaks"),
    "measure,pid,tid,thread,allocator,bytes,count,location\r\n",
  );
});

t.test("given the worked example, when tabled, then the output matches its golden file", GOLDEN, async (t) => {
  t.matchSnapshot(await runReport(table, workedExample(), plain, "total"), "table/worked-total.txt");
  t.matchSnapshot(await runReport(table, handComputed().bytes(), plain, "leaks"), "table/numbers-leaks.txt");
});
