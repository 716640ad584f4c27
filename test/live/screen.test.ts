// The live view's screen and its controller, without a terminal: the screen fits any size, colors only when
// asked, and says what the snapshot is; the keys change the request, the sort and the thread; pause holds the
// figures; Ctrl-C and q do what the footer says.
import t from "tap";
import { renderScreen, sortLiveRows, sparkline, type ViewChoices } from "../../src/live/screen";
import type { LiveRequest, LiveSnapshot } from "../../src/live/snapshot";
import { Viewer } from "../../src/live/viewer";
import type { SnapshotSource } from "../../src/live/fold-thread";
import { TerminalScreen, splitKeys } from "../../src/live/terminal";

function snapshot(fields: Partial<LiveSnapshot> = {}): LiveSnapshot {
  return {
    seq: 1,
    request: { merged: false, measure: "live", rows: 20 },
    processes: [
      {
        pid: 100,
        command: "node /app/grow.js --port 80",
        liveBytes: 5 << 20,
        peakBytes: 6 << 20,
        events: 123456,
        durationNs: 2.5e9,
        series: [1, 2, 3, 4, 5, 6, 7, 8],
        seriesStepNs: 1e8,
        ended: false,
      },
      {
        ...{ pid: 200, command: "node child.js", liveBytes: 0, peakBytes: 0, events: 0, durationNs: 0 },
        series: [],
        seriesStepNs: 1e8,
        ended: true,
      },
    ],
    threads: [
      { pid: 100, tid: 100, name: "main", kind: "main thread", ended: false },
      { pid: 100, tid: 101, name: "resizer", kind: "worker thread", ended: false },
      { pid: 200, tid: 200, name: "main", kind: "main thread", ended: true },
    ],
    pid: 100,
    tid: 100,
    totalBytes: 4 << 20,
    totalCount: 30,
    locations: 3,
    rows: [
      {
        label: "grow (/app/grow.js:8)",
        name: "grow",
        file: "/app/grow.js:8",
        totalBytes: 3 << 20,
        ownBytes: 3 << 20,
        totalCount: 3,
        ownCount: 3,
      },
      {
        label: "main (/app/grow.js:1)",
        name: "main",
        file: "/app/grow.js:1",
        totalBytes: 4 << 20,
        ownBytes: 1024,
        totalCount: 30,
        ownCount: 1,
      },
      {
        label: "V8 heap pages",
        name: "V8 heap pages",
        file: "",
        totalBytes: 1 << 20,
        ownBytes: 1 << 20,
        totalCount: 26,
        ownCount: 26,
      },
    ],
    behindBytes: 0,
    complete: false,
    ...fields,
  };
}

const choices = (c: Partial<ViewChoices> = {}): ViewChoices => ({
  sort: "own",
  measure: "live",
  merged: false,
  paused: false,
  ...c,
});
const plain = { width: 100, height: 20, color: false };

t.test("the screen: header, columns, rows by the sort, keys", async (t) => {
  const lines = renderScreen(snapshot(), choices(), plain);
  t.equal(lines.length, 20, "exactly the terminal's height");
  t.ok(
    lines.every((l) => l.length <= 100),
    "no line wider than the terminal",
  );
  const text = lines.join("\n");
  t.match(text, /^PID 100 {2}node \/app\/grow\.js --port 80 +running$/m);
  t.match(text, /Heap: 5\.0 MiB now, 6\.0 MiB at the peak +Duration: 2\.5 s {2}Events: 123,456/);
  t.match(text, /Heap over 800 ms: ▁▂▃▄▅▆▇█/);
  t.match(text, /Thread 1 of 3: main \(main thread, tid 100, process 100\)/);
  t.match(text, /Location +Total bytes +% total +Own bytes +% own +Allocations +File/);
  t.match(text, /Showing live now, by own bytes: 4\.0 MiB in 30 allocations, 3 locations/);
  const table = lines.filter((l) => /^(grow|main|V8 heap pages) /.test(l)).map((l) => l.split(" ")[0]);
  t.same(table, ["grow", "V8", "main"], "by own bytes");
  t.match(lines.at(-1)!, /^q quit {2}Ctrl-C stop the app {2}t\/o\/a sort/);
  t.notOk(text.includes("\x1b"), "no escape sequences without color");
  const colored = renderScreen(snapshot(), choices(), { ...plain, color: true }).join("\n");
  t.ok(colored.includes("\x1b[1m"), "bold headers with color");
});

t.test("the screen: sorts, merged, paused, behind, ended, errors, small sizes", async (t) => {
  const rows = snapshot().rows;
  t.same(
    sortLiveRows(rows, "total").map((r) => r.name),
    ["main", "grow", "V8 heap pages"],
  );
  t.same(
    sortLiveRows(rows, "count").map((r) => r.name),
    ["main", "V8 heap pages", "grow"],
  );
  const merged = renderScreen(
    snapshot({ request: { merged: true, measure: "peak", rows: 20 }, tid: undefined, behindBytes: 5 << 20 }),
    choices({ merged: true, paused: true }),
    plain,
  ).join("\n");
  t.match(merged, /Thread all 2 threads of process 100 merged \(process 1 of 2\)/);
  t.match(merged, /Showing live at the peak.*\[PAUSED\] {2}\(reading 5\.0 MiB behind\)/);
  const lagging = renderScreen(snapshot({ behindBytes: 5 << 20, tableAgeMs: 1240 }), choices(), plain).join("\n");
  t.match(lagging, /\(reading 5\.0 MiB behind\) {2}\(table 1\.2 s old\)$/m, "a starved fold says its table lags");
  const ended = renderScreen(
    snapshot({ app: { running: false, code: 3, logFile: "/tmp/x.log" }, error: "a bad capture" }),
    choices(),
    plain,
    "",
  ).join("\n");
  t.match(ended, /ended: exit code 3$/m);
  t.match(ended, /Error: a bad capture/);
  t.match(
    renderScreen(snapshot({ app: { running: false, signal: "SIGKILL" } }), choices(), plain).join("\n"),
    /ended: signal SIGKILL/,
  );
  t.match(
    renderScreen(snapshot({ rows: [] }), choices(), plain).join("\n"),
    /No allocations here under this measure yet/,
  );
  t.match(renderScreen(undefined, choices(), plain)[0], /waiting for the app's first records/);
  for (const [width, height] of [
    [20, 5],
    [40, 8],
    [60, 12],
  ]) {
    const small = renderScreen(snapshot(), choices(), { width, height, color: false });
    t.equal(small.length, height, `${width}x${height}: its height`);
    t.ok(
      small.every((l) => [...l].length <= width),
      `${width}x${height}: its width`,
    );
  }
  t.equal(sparkline([0, 0], 5), "▁▁");
  t.equal(sparkline([1, 2], 0), "");
  const hostile = renderScreen(
    snapshot({ processes: [{ ...snapshot().processes[0], command: "evil\x1b[2J" }] }),
    choices(),
    plain,
  );
  t.notOk(hostile.join("").includes("\x1b[2J"), "a capture's text cannot send escapes");
});

t.test("keys arrive one by one; escape sequences whole", async (t) => {
  t.same(splitKeys("to>\x1b[Cq"), ["t", "o", ">", "\x1b[C", "q"]);
});

/** A screen that keeps what was drawn. */
class FakeScreen {
  width = 100;
  height = 30;
  frames: string[][] = [];
  onKey: (k: string) => void = () => {};
  stopped = false;
  start(onKey: (k: string) => void, _onResize: () => void) {
    this.onKey = onKey;
  }
  draw(lines: string[]) {
    this.frames.push(lines);
  }
  stop() {
    this.stopped = true;
  }
  get last(): string {
    return this.frames.at(-1)!.join("\n");
  }
}

class FakeSource implements SnapshotSource {
  requests: LiveRequest[] = [];
  listener: (s: LiveSnapshot) => void = () => {};
  closed = false;
  request(r: LiveRequest) {
    this.requests.push(r);
  }
  onSnapshot(l: (s: LiveSnapshot) => void) {
    this.listener = l;
  }
  close() {
    this.closed = true;
  }
}

t.test("the viewer: keys change what is asked and shown", async (t) => {
  const screen = new FakeScreen();
  let interrupted = 0;
  const viewer = new Viewer(screen as unknown as TerminalScreen, {
    color: false,
    onInterrupt: () => interrupted++,
    quitWords: "q stops the app.",
  });
  viewer.start();
  const source = new FakeSource();
  viewer.attach(source);
  t.same(source.requests[0], { pid: undefined, tid: undefined, merged: false, measure: "live", rows: 30 });
  source.listener(snapshot());
  viewer.setApp({ running: true, logFile: "/tmp/app.log" });
  t.match(screen.last, /The app's output: \/tmp\/app\.log\. q stops the app\./);
  screen.onKey("t");
  t.match(screen.last, /by total bytes/);
  screen.onKey("a");
  t.match(screen.last, /by allocations/);
  screen.onKey("o");
  t.match(screen.last, /by own bytes/);
  screen.onKey(">");
  t.same([source.requests.at(-1)!.pid, source.requests.at(-1)!.tid], [100, 101], "> asks for the next thread");
  screen.onKey("\x1b[D");
  t.same(source.requests.at(-1)!.tid, 100, "left arrow: the previous one");
  screen.onKey("<");
  t.same(
    [source.requests.at(-1)!.pid, source.requests.at(-1)!.tid],
    [200, 200],
    "it wraps around, to the child process",
  );
  screen.onKey("m");
  t.equal(source.requests.at(-1)!.merged, true);
  source.listener(snapshot({ request: source.requests.at(-1)!, tid: undefined }));
  screen.onKey(">");
  t.same(
    [source.requests.at(-1)!.pid, source.requests.at(-1)!.tid],
    [100, undefined],
    "merged: > goes to the next process (from the child, around to the first)",
  );
  for (const [key, measure] of [
    ["p", "peak"],
    ["r", "recent"],
    ["l", "live"],
  ] as const) {
    screen.onKey(key);
    t.equal(source.requests.at(-1)!.measure, measure, `${key}: ${measure}`);
  }
  source.listener(snapshot({ seq: 2 }));
  screen.onKey(" ");
  source.listener(snapshot({ seq: 2, processes: [{ ...snapshot().processes[0], liveBytes: 9 << 20 }] }));
  t.match(screen.last, /\[PAUSED\]/);
  t.notMatch(screen.last, /9\.0 MiB now/, "paused: a new snapshot waits");
  screen.onKey(">");
  source.listener(snapshot({ seq: 3, processes: [{ ...snapshot().processes[0], liveBytes: 8 << 20 }] }));
  t.match(screen.last, /8\.0 MiB now/, "paused: a new selection is still shown once");
  screen.onKey(" ");
  screen.onKey("x");
  screen.onKey("\x03");
  t.equal(interrupted, 1, "Ctrl-C goes to the app while it runs");
  viewer.setApp({ running: false, code: 3, logFile: "/tmp/app.log" });
  t.match(screen.last, /The app ended; its output is in \/tmp\/app\.log\. q quits\./);
  viewer.setNotice("a notice");
  t.match(screen.last, /a notice/);
  screen.onKey("\x03");
  await viewer.quit;
  t.equal(interrupted, 1, "after the app's end, Ctrl-C quits");
  viewer.stop();
  t.ok(screen.stopped && source.closed);
});

t.test("the viewer: q quits; no app to interrupt", async (t) => {
  const screen = new FakeScreen();
  const viewer = new Viewer(screen as unknown as TerminalScreen, { color: true });
  viewer.start();
  screen.onKey(">");
  t.equal(viewer.current, undefined);
  screen.onKey("Q");
  await viewer.quit;
  t.pass("quit");
});

const ESC = "\x1b";

/** What a terminal shows after `data`: the few sequences TerminalScreen writes, applied to `rows` lines. */
function applyToTerminal(rows: string[], data: string): void {
  let row = 0;
  let col = 0;
  const put = (text: string) => {
    rows[row] = rows[row].slice(0, col).padEnd(col) + text + rows[row].slice(col + text.length);
    col += text.length;
  };
  const tokens = new RegExp(String.raw`${ESC}\[(\d+);(\d+)H|${ESC}\[\??\d*[HKJhl]|\r\n|[^${ESC}\r]+`, "g");
  for (const [token, r, c] of data.matchAll(tokens)) {
    if (r !== undefined) [row, col] = [Number(r) - 1, Number(c) - 1];
    else if (token === "\x1b[H") [row, col] = [0, 0];
    else if (token === "\x1b[K") rows[row] = rows[row].slice(0, col);
    else if (token === "\x1b[J" || token === "\x1b[2J") {
      for (let i = token === "\x1b[J" ? row + 1 : 0; i < rows.length; i++) rows[i] = "";
      if (token === "\x1b[J") rows[row] = rows[row].slice(0, col);
    } else if (token === "\r\n") [row, col] = [row + 1, 0];
    else if (!token.startsWith("\x1b")) put(token);
  }
}

t.test("a frame writes only the lines that changed, and the terminal shows the whole frame", async (t) => {
  const writes: string[] = [];
  const output = { columns: 30, rows: 4, write: (s: string) => writes.push(s), on: () => {} };
  const input = {
    isTTY: false,
    setEncoding: () => {},
    on: () => {},
    resume: () => {},
    pause: () => {},
    destroy: () => {},
  };
  const screen = new TerminalScreen({ output, input } as never);
  const shown = ["", "", "", ""];
  screen.start(
    () => {},
    () => {},
  );
  const frame1 = ["header 1", "row a 100", "row b 50", "footer"];
  screen.draw(frame1);
  const frame2 = ["header 2", "row a 100", "row b 5", "footer"];
  screen.draw(frame2);
  for (const w of writes) applyToTerminal(shown, w);
  t.same(shown, frame2, "the second frame on screen");
  t.notMatch(writes.at(-1)!, /row a|footer/, "the lines that did not change are not written again");
  output.columns = 20;
  screen.draw(["h", "a", "b", "f"]);
  t.ok(
    writes.at(-1)!.startsWith(`${ESC}[H`) && writes.at(-1)!.endsWith(`${ESC}[J`),
    "after a resize, the whole screen",
  );
  applyToTerminal(shown, writes.at(-1)!);
  t.same(shown, ["h", "a", "b", "f"]);
  screen.stop();
});
