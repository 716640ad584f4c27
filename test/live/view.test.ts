// memtrace record --live in a real terminal (tmux): the app's growing function and heap figures on screen, every
// key, switching to a named worker, Ctrl-C reaching the app, the view staying after the app's end until q, and
// memtrace ending with the app's exit code. One recording serves the keys; the app's own end is a second, short one.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { APP, MEMTRACE, ENV, CLEAN, NODE, WORKER_NAME } from "./setup";
import { Terminal, hasTmux, parseBytes, sh } from "./tmux";

function heapNow(screen: string): number {
  const m = /Heap: (\S+ \S+) now/.exec(screen);
  if (!m) throw new Error(`no heap figure on:\n${screen}`);
  return parseBytes(m[1]);
}

/** The table's rows: [location, total bytes, own bytes, allocations] of each line under the header. */
function rows(screen: string): { location: string; total: number; own: number; count: number }[] {
  const all = screen.split("\n");
  const at = all.findIndex((l) => l.startsWith("Location"));
  const out = [];
  for (const line of all.slice(at + 1)) {
    const m =
      /^(.+?)\s+(-?[\d.]+ (?:B|KiB|MiB|GiB))\s+[\d.]+%\s+(-?[\d.]+ (?:B|KiB|MiB|GiB))\s+[\d.]+%\s+([\d,]+)/.exec(line);
    if (!m) break;
    out.push({ location: m[1], total: parseBytes(m[2]), own: parseBytes(m[3]), count: Number(m[4].replace(/,/g, "")) });
  }
  return out;
}

const descending = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1] >= x);

t.test("record --live in a terminal", { skip: hasTmux() ? false : "no tmux" }, async (t) => {
  const term = new Terminal(`${CLEAN} ${MEMTRACE} record --live -- ${sh(NODE)} ${sh(APP)}`, ENV);
  t.teardown(() => term.kill());

  const first = await term.waitFor((s) => /growMainCache/.test(s), "the main thread's growing function");
  t.match(first, /PID \d+ +\S*node \S*grow\.js/, "the header names the process and its command");
  t.match(first, /Thread 1 of \d+: main \(main thread/, "the main thread is shown first");
  t.match(first, /Location +Total bytes +% total +Own bytes +% own +Allocations +File/, "memray's columns");
  t.match(first, /growMainCache .*grow\.js:\d+/, "the function with its file and line");
  t.match(first, /Heap over .*[▁▂▃▄▅▆▇█]{3}/, "a plot of the heap over time");
  const before = heapNow(first);
  // A fold that falls behind refreshes the header before the table: the table's next frame is waited for.
  const later = await term.waitFor(
    (s) => heapNow(s) > before + (4 << 20) && rows(s)[0]?.location === "growMainCache",
    "the heap to grow, with the growing function leading the table",
  );
  t.ok(heapNow(later) > before, "the heap figure grows");
  t.equal(rows(later)[0].location, "growMainCache", "sorted by own bytes, the growing function leads");

  term.keys("t");
  // A frame may be caught half drawn: the sorted one is waited for.
  const sorted = (x: string, word: RegExp, key: "total" | "own" | "count") =>
    word.test(x) && rows(x).length > 3 && descending(rows(x).map((r) => r[key]));
  let s = await term.waitFor((x) => sorted(x, /by total bytes/, "total"), "t sorting by total bytes");
  t.pass("t sorts by total bytes");
  term.keys("a");
  s = await term.waitFor((x) => sorted(x, /by allocations/, "count"), "a sorting by allocations");
  t.pass("a sorts by allocations");
  term.keys("o");
  s = await term.waitFor((x) => sorted(x, /by own bytes/, "own"), "o sorting by own bytes");
  t.pass("o sorts by own bytes");

  // Merged, once the worker's rows are in (then the worker is in the list of threads too).
  term.keys("m");
  s = await term.waitFor((x) => /threads of process \d+ merged/.test(x) && /resizeImages/.test(x), "m");
  t.match(s, /growMainCache/, "merged: both threads' functions");
  term.keys("m");
  await term.waitFor((x) => /Thread 1 of/.test(x), "m again");

  term.keys(">");
  s = await term.waitFor((x) => /Thread 2 of \d+:/.test(x) && /resizeImages/.test(x), "> to the worker");
  t.match(s, new RegExp(`Thread 2 of \\d+: ${WORKER_NAME} \\(worker thread`), "the worker by its name");
  t.notMatch(s, /growMainCache/, "the worker's rows only");
  term.keys("<");
  await term.waitFor((x) => /Thread 1 of/.test(x) && /growMainCache/.test(x), "< back to the main thread");

  term.keys("p");
  s = await term.waitFor((x) => /Showing live at the peak/.test(x) && /growMainCache/.test(x), "p");
  term.keys("r");
  s = await term.waitFor((x) => /allocated in the last 10 s/.test(x) && /growMainCache/.test(x), "r");
  term.keys("l");
  await term.waitFor((x) => /Showing live now/.test(x), "l");

  term.keys("Space");
  s = await term.waitFor((x) => /\[PAUSED\]/.test(x), "space");
  const paused = heapNow(s);
  await new Promise((r) => setTimeout(r, 800));
  t.equal(heapNow(term.screen()), paused, "paused: the figures stand still");
  term.keys("Space");
  await term.waitFor((x) => !/\[PAUSED\]/.test(x) && heapNow(x) > paused, "space again: moving on");

  // Ctrl-C reaches the app (it exits 3 on SIGINT); the view stays until q.
  term.keys("C-c");
  s = await term.waitFor((x) => /ended: exit code 3/.test(x), "the app's end after Ctrl-C");
  t.match(s, /The app ended; its output is in \S+\.log\. q quits\./, "the log file is named");
  await new Promise((r) => setTimeout(r, 300));
  t.match(term.screen(), /ended: exit code 3/, "the view stays");
  term.keys("q");
  t.equal(await term.status(), 3, "memtrace ends with the app's exit code");
  const log = readdirSync(term.dir).find((f) => f.endsWith(".log"));
  t.ok(log, "the app's output went to a log file");
  t.match(
    readFileSync(join(term.dir, log!), "utf8"),
    /main: ending with 3\n[^]*main: a line on stderr/,
    "stdout and stderr both",
  );
});

t.test("q while the app runs stops it as Ctrl-C would", { skip: hasTmux() ? false : "no tmux" }, async (t) => {
  const term = new Terminal(`${CLEAN} ${MEMTRACE} record --live ${sh(APP)}`, ENV, { width: 60, height: 12 });
  t.teardown(() => term.kill());
  const s = await term.waitFor((x) => /growMainCache/.test(x), "a small terminal's view");
  t.ok(
    s.split("\n").every((l) => l.length <= 60),
    "no line is wider than the terminal",
  );
  term.resize(100, 20);
  await term.waitFor((x) => x.split("\n").some((l) => l.length > 60 && /Allocations/.test(l)), "the resize");
  term.keys("q");
  t.equal(await term.status(), 3, "the app got SIGINT; memtrace exits with its code");
});

t.test("an app that ends on its own: the view stays until q", { skip: hasTmux() ? false : "no tmux" }, async (t) => {
  const term = new Terminal(`${CLEAN} LIVE_APP_MS=1500 NO_COLOR=1 ${MEMTRACE} record --live ${sh(APP)}`, ENV);
  t.teardown(() => term.kill());
  await term.waitFor((x) => /ended: exit code 7/.test(x), "the app's end");
  t.throws(() => readFileSync(term.statusFile), "memtrace waits for q");
  term.keys("q");
  t.equal(await term.status(), 7, "the app's own exit code");
});
