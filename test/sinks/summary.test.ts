import t from "tap";
import { summary } from "../../src/sinks/summary";
import { truncateMiddle, displayWidth } from "../../src/sinks/table";
import { terminalSettings } from "../../src/sinks/terminal";
import { capture, js, native, runReport, workedExample } from "./capture";
import { GOLDEN } from "./golden";
import { appEnded } from "../fixtures/captures";

const plain = { color: false };

/** The table's rows by location: [own, own %, total, total %, own allocs, total allocs]. */
function rowsOf(out: string): Map<string, string[]> {
  const lines = out.split("\n");
  const header = lines.findIndex((l) => l.startsWith("Location"));
  const rows = new Map<string, string[]>();
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === "") continue;
    // Columns are separated by two spaces or more; numbers carry single spaces ("1.3 KiB").
    const cells = line.split(/ {2,}/);
    rows.set(cells[0], cells.slice(1));
  }
  return rows;
}

t.test("given the worked example under --total, when summarised, then own and total bytes are exact", async (t) => {
  const out = await runReport(summary, workedExample(), plain, "total");
  const rows = rowsOf(out);
  t.same(rows.get("malloc"), ["1.3 KiB", "63.41%", "1.3 KiB", "63.41%", "2", "2"]);
  t.same(rows.get("parse (app.js:10)"), ["500 B", "24.39%", "1.5 KiB", "73.17%", "1", "2"]);
  t.same(rows.get("recurse (app.js:20)"), ["200 B", "9.76%", "500 B", "24.39%", "1", "2"], "recursion counted once");
  t.same(rows.get("main (app.js:1)"), ["0 B", "0.00%", "2.0 KiB", "97.56%", "0", "4"]);
  t.same(rows.get("(no stack)"), ["50 B", "2.44%", "50 B", "2.44%", "1", "1"]);
  t.same([...rows.keys()], ["malloc", "parse (app.js:10)", "recurse (app.js:20)", "(no stack)", "main (app.js:1)"]);
  t.match(out, /^Total memory: 2\.0 KiB allocated in 5 allocations, freed or not\n/);
  t.match(out, /Top 5 of 5 locations by own bytes/);
});

t.test(
  "given the worked example, when summarised with each measure, then the header says what it counts",
  async (t) => {
    t.match(
      await runReport(summary, workedExample(), plain, "peak"),
      /^Peak memory: 2\.0 KiB live at 500 ns in 5 allocations\n/,
    );
    const leaks = await runReport(summary, workedExample(), plain, "leaks");
    t.match(leaks, /^Leaked memory: 1\.0 KiB still live at exit in 4 allocations\n/);
    t.match(leaks, /node app\.js \(pid 100\): 5 allocations of 2\.0 KiB, peak 2\.0 KiB at 500 ns, 1\.0 KiB leaked/);
    t.same(rowsOf(leaks).get("malloc"), ["300 B", "28.57%", "300 B", "28.57%", "1", "1"]);
    const cut = await runReport(summary, workedExample({ trailer: false }), plain, "leaks");
    t.match(cut, /still live at the end of the capture/);
    t.match(cut, /Warning: the capture was cut short/);
  },
);

t.test(
  "given a capture that recorded the app's end, when summarised by leaks, then it says which moment",
  async (t) => {
    const bytes = appEnded().bytes();
    const leaks = await runReport(summary, bytes, plain, "leaks");
    t.match(
      leaks,
      /^Leaked memory[^:]*: 1\.7 KiB still live at the app's end in 4 allocations, before node's teardown\n/,
    );
    const line =
      /node \/app\/keeps\.js \(pid 300\): .*, 1\.7 KiB leaked at the app's end \(37 B after node's teardown\)/;
    t.match(leaks, line, "each process's line gives both");
    t.match(await runReport(summary, bytes, plain, "peak"), line, "under every measure");
    const after = await runReport(summary, bytes, plain, { measure: "leaks", afterTeardown: true });
    t.match(after, /^Leaked memory[^:]*: 37 B still live at exit in 2 allocations, after node's teardown\n/);
    const old = await runReport(summary, appEnded({ markers: false }).bytes(), plain, "leaks");
    t.match(
      old,
      /^Leaked memory[^:]*: 37 B still live at exit in 2 allocations\n/,
      "a capture without the marker: as before",
    );
    t.match(old, /, 37 B leaked\n/);
  },
);

t.test("given processes of which some recorded the app's end, when summarised by leaks, then it says so", async (t) => {
  const both = Buffer.concat([appEnded().bytes(), workedExample()]);
  const leaks = await runReport(summary, both, plain, "leaks");
  t.match(
    leaks,
    /^Leaked memory[^:]*: .* still live at the app's end in \d+ allocations, before node's teardown \(at exit in 1 process that did not record its end\)\n/,
  );
});

t.test("given fold's other measures, when summarised, then the header says what they count", async (t) => {
  const title = async (fold: Parameters<typeof runReport>[3]) =>
    (await runReport(summary, workedExample(), plain, fold)).split("\n")[0];
  // Step 0 (1000 B) is freed after four other allocations: temporary only with a threshold above 4.
  t.equal(
    await title({ measure: "temporary", temporaryThreshold: 1 }),
    "Temporary memory: 0 B allocated in 0 allocations, each freed before its thread's next allocation",
  );
  t.equal(
    await title({ measure: "temporary", temporaryThreshold: 8 }),
    "Temporary memory: 1000 B allocated in 1 allocation, each freed within 8 allocations of its thread",
  );
  t.equal(await title({ measure: "at", at: { ns: 250 } }), "Live memory: 1.5 KiB live at 250 ns in 2 allocations");
  t.equal(
    await title({ measure: "between", window: [{ ns: 150 }, { ns: 450 }] }),
    "Allocated memory: 1000 B allocated between 150 ns and 450 ns in 3 allocations, freed or not",
  );
  t.equal(
    await title({ measure: "between-leaks", window: [{ ns: 50 }, { ns: 650 }] }),
    "Leaked memory: 1.0 KiB allocated between 50 ns and 650 ns in 4 allocations, still live at its end",
  );
});

t.test("given inverted or split stacks, when summarised, then the table is the same as for plain stacks", async (t) => {
  const plainTable = await runReport(summary, workedExample(), plain, "total");
  for (const shape of [
    { inverted: true },
    { splitThreads: true },
    { splitProcesses: true, splitThreads: true },
    { inverted: true, splitProcesses: true },
  ]) {
    t.equal(
      await runReport(summary, workedExample(), plain, { measure: "total", ...shape }),
      plainTable,
      JSON.stringify(shape),
    );
  }
});

t.test("given --sort total and --top 2, when summarised, then the two largest totals are shown", async (t) => {
  const out = await runReport(summary, workedExample(), { ...plain, sort: "total", top: 2 }, "total");
  t.same([...rowsOf(out).keys()], ["main (app.js:1)", "parse (app.js:10)"]);
  t.match(out, /Top 2 of 5 locations by total bytes/);
});

t.test("given --sort count, when summarised, then locations are ordered by own allocations", async (t) => {
  const steps = [
    ...Array.from({ length: 3 }, () => ({ frames: [js("many", 1)], size: 1 })),
    { frames: [js("big", 2)], size: 4096 },
  ];
  const out = await runReport(summary, capture(steps), { ...plain, sort: "count" }, "total");
  t.same([...rowsOf(out).keys()], ["many (app.js:1)", "big (app.js:2)"]);
});

t.test("given a long location and a narrow terminal, when summarised, then the table fits", async (t) => {
  const long = js(`handle${"Very".repeat(30)}LongRequest`, 7, "/srv/app/lib/handlers/requests.js");
  const steps = [{ frames: [long], size: 64 }];
  const wide = await runReport(summary, capture(steps), { ...plain, width: 120 }, "total");
  const row = wide.split("\n").find((l) => l.includes("…"))!;
  t.ok(displayWidth(row) <= 120, "fits 120 columns");
  t.match(row, /^handleVeryVery.*….*requests\.js:7\)/, "keeps the name's start and the file:line, cuts the middle");
  t.match(row, /Total allocs|1\s*1$/, "every column shown");

  const narrow = await runReport(summary, capture(steps), { ...plain, width: 80 }, "total");
  const table = narrow.split("\n").filter((l) => l.startsWith("Location") || l.startsWith("handle"));
  t.equal(table.length, 2);
  t.ok(
    table.every((l) => displayWidth(l) <= 80),
    "fits 80 columns",
  );
  t.notMatch(table[0], /Total allocs/, "the least useful column is left out first");
  t.match(narrow, /\(Total allocs: left out to fit 80 columns; --width sets another width\)/);
  const tiny = await runReport(summary, capture(steps), { ...plain, width: 40 }, "total");
  t.match(tiny, /\(Total allocs, Own allocs, Total %, Total bytes: left out to fit 40 columns/, "never the sorted one");
});

t.test("given colors asked for, when summarised, then the header is bold and percentages colored", async (t) => {
  const out = await runReport(summary, workedExample(), { color: true }, "total");
  const ESC = "\x1b";
  t.ok(out.includes(`${ESC}[1mLocation`), "a bold header");
  t.ok(out.includes(`${ESC}[1;4mOwn bytes${ESC}[0m`), "the sorted column is underlined");
  t.ok(out.includes(`${ESC}[31m 63.41%${ESC}[0m`), "over half of the total in red");
  const none = await runReport(summary, workedExample(), { color: false }, "total");
  t.notOk(none.includes(ESC));
});

t.test("given a function name with terminal escapes, when summarised, then they are shown, not sent", async (t) => {
  const out = await runReport(summary, capture([{ frames: [native("evil\x1b[2J\x07")], size: 10 }]), plain, "total");
  t.notOk(out.includes("\x1b") || out.includes("\x07"), "no control character reaches the terminal");
  t.ok(out.includes("evil\\x1b[2J\\x07"));
});

t.test("given a profile with nothing in it, when summarised, then it says so", async (t) => {
  const out = await runReport(summary, workedExample(), plain, "leaks");
  t.notMatch(out, /No allocations/);
  const empty = await runReport(summary, capture([{ frames: [js("f", 1)], size: 8 }, { free: 0 }]), plain, "leaks");
  t.match(empty, /^Leaked memory: 0 B still live at exit in 0 allocations\n/);
  t.match(empty, /No allocations under this measure\.\n$/);
});

t.test(
  "given stdout, a file, NO_COLOR and --color, when settings are chosen, then only a terminal gets color",
  async (t) => {
    const tty = { isTTY: true, columns: 132 };
    t.same(terminalSettings({}, tty, {}), { color: true, width: 132 });
    t.same(terminalSettings({ output: "out.txt" }, tty, {}), { color: false, width: undefined });
    t.same(terminalSettings({}, { isTTY: false }, {}), { color: false, width: undefined });
    t.same(terminalSettings({}, tty, { NO_COLOR: "1" }), { color: false, width: 132 });
    t.same(terminalSettings({}, tty, { TERM: "dumb" }), { color: false, width: 132 });
    t.same(terminalSettings({ color: true, width: 90 }, { isTTY: false }, {}), { color: true, width: 90 });
    t.same(terminalSettings({ color: false }, tty, {}), { color: false, width: 132 });
  },
);

t.test("given wide characters, when truncated in the middle, then the result fits the columns", async (t) => {
  t.equal(truncateMiddle("short", 10), "short");
  t.equal(truncateMiddle("abcdefghijklmnopqrstuvwxyz", 9), "abcd…wxyz");
  const cut = truncateMiddle("内存分配器内存分配器内存分配器", 11);
  t.ok(displayWidth(cut) <= 11, `${cut} fits`);
  t.equal(displayWidth("💥a"), 3);
});

t.test("given the worked example, when summarised, then the output matches its golden file", GOLDEN, async (t) => {
  t.matchSnapshot(await runReport(summary, workedExample(), plain, "total"), "summary/worked-total.txt");
  t.matchSnapshot(await runReport(summary, workedExample(), plain, "peak"), "summary/worked-peak.txt");
});
