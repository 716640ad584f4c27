// A profiler must never harm the program: exit codes, stdout and stderr, signals, and a capture whose reader
// goes away or whose disk is full.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { APPS, Capture, memtrace, shell, type Run } from "./capture";

const exitWith = join(APPS, "exit-with.js");
const busy = join(APPS, "busy.js");
const tmp = mkdtempSync(join(tmpdir(), "memtrace-faults-"));

/** Once the app has said "ready <pid>" on stderr (and the recorder has flushed a few times), calls `then`. */
function whenReady(then: (child: ChildProcess, appPid: number) => void) {
  return (child: ChildProcess) => {
    let text = "";
    const onData = (b: Buffer) => {
      text += b.toString();
      const m = /ready (\d+)/.exec(text);
      if (m) {
        child.stderr?.off("data", onData);
        setTimeout(() => then(child, Number(m[1])), 400);
      }
    };
    child.stderr?.on("data", onData);
  };
}

for (const [arg, status] of [
  ["0", 0],
  ["3", 3],
  ["throw", 1],
] as const) {
  t.test(`given an app that ends with ${arg}, when recorded to a file, memtrace ends the same way`, async (t) => {
    const out = join(tmp, `exit-${arg}.mtrace`);
    const run = await memtrace(["record", "--no-paired", "-o", out, exitWith, arg]);
    t.equal(run.status, status);
    t.equal(run.stdout.toString(), "to stdout\n", "the app's stdout, untouched");
    if (arg === "throw") t.match(run.stderr, /^to stderr\n[\s\S]*Error: the app failed on purpose/);
    else t.equal(run.stderr, "to stderr\n", "the app's stderr, untouched");
    const capture = new Capture(readFileSync(out));
    t.same(capture.warnings, [], "a complete capture");
    t.ok(capture.events.length > 10000, "with the app's allocations");
  });
}

t.test("given the capture on stdout, the app's stdout goes to stderr and never into the capture", async (t) => {
  const run = await memtrace(["record", "--no-paired", exitWith, "0"]);
  t.equal(run.status, 0);
  t.equal(run.stderr, "to stdout\nto stderr\n");
  t.same(new Capture(run.stdout).warnings, [], "stdout holds the capture alone");
});

t.test("given a reader that goes away (| head -c 100), the app runs to its end with its own exit code", async (t) => {
  const done = join(tmp, "epipe-done");
  const run = await shell(
    `( "${process.execPath}" bin/memtrace.js record "${busy}" run "${done}"; echo "memtrace=$?" >&2 ) | head -c 100 > /dev/null`,
  );
  t.equal(readFileSync(done, "utf8"), "done", "the app finished its work");
  t.match(run.stderr, /memtrace=3/, "memtrace exits with the app's code");
  t.notMatch(run.stderr, /memtrace record:/, "and says nothing about the reader leaving");
});

t.test("given a full disk, the app runs to its end and memtrace says recording stopped", async (t) => {
  const done = join(tmp, "full-done");
  const run = await memtrace(["record", "--no-paired", "-o", "/dev/full", busy, "run", done]);
  t.equal(run.status, 3, "the app's exit code");
  t.equal(readFileSync(done, "utf8"), "done");
  t.match(
    run.stderr,
    /memtrace record: stopped recording: \/dev\/full: .*no space left on device.*; the app runs on\n/i,
  );
  t.equal(run.stderr.split("\n").filter((l) => l.startsWith("memtrace")).length, 1, "one line");

  const compressed = await memtrace(["record", "--compress", "-o", "/dev/full", exitWith, "3"]);
  t.equal(compressed.status, 3, "the same when the capture is compressed (zstd)");
  t.match(
    compressed.stderr,
    /memtrace record: stopped recording: \/dev\/full: .*no space left on device.*; the app runs on\n/i,
  );

  const toStdout = await shell(`"${process.execPath}" bin/memtrace.js record "${exitWith}" 3 > /dev/full`);
  t.equal(toStdout.status, 3, "the same when the capture goes to stdout");
  t.match(toStdout.stderr, /memtrace record: stopped recording: stdout: .*no space left on device/i);
});

t.test(
  "given an app killed with SIGKILL mid-run, the capture holds what was flushed and reads as truncated",
  async (t) => {
    const out = join(tmp, "killed.mtrace");
    const run: Run = await memtrace(["record", "--no-paired", "-o", out, busy], {
      started: whenReady((_child, appPid) => process.kill(appPid, "SIGKILL")),
    });
    t.equal(run.signal, "SIGKILL", "memtrace ends the way the app did");
    const capture = new Capture(readFileSync(out));
    t.ok(capture.events.length > 1000, `the events flushed before the kill (${capture.events.length})`);
    t.equal(capture.warnings.length, 1, "one warning");
    t.match(capture.warnings[0], /has no trailer/, "the capture is truncated, not corrupt");
  },
);

t.test("given SIGINT sent to memtrace, the app receives it", async (t) => {
  const out = join(tmp, "sigint.mtrace");
  const handled = await memtrace(["record", "--no-paired", "-o", out, busy, "handle-sigint"], {
    started: whenReady((child) => child.kill("SIGINT")),
  });
  t.equal(handled.status, 0, "the app handled it and exited 0, and so did memtrace");
  t.match(handled.stderr, /app got SIGINT/);
  t.same(new Capture(readFileSync(out)).warnings, [], "the capture is complete");

  const plain = await memtrace(["record", "--no-paired", "-o", join(tmp, "sigint2.mtrace"), busy], {
    started: whenReady((child) => child.kill("SIGINT")),
  });
  t.equal(plain.signal, "SIGINT", "an app that does not handle SIGINT dies of it, and memtrace the same way");
});

t.test("given wrong usage, one line on stderr and exit status 2", async (t) => {
  for (const args of [
    ["record"],
    ["record", "--no-paired", "no-such-app.js"],
    ["record", "--no-paired", "--stack-depth", "0", exitWith],
    ["record", "--no-paired", "-o", join(tmp, "no-such-folder", "x.mtrace"), exitWith, "0"],
  ]) {
    const run = await memtrace(args);
    t.equal(run.status, 2, args.join(" "));
    t.equal(run.stdout.length, 0, "the app did not run");
    t.equal(run.stderr.trim().split("\n").length, 1, "one line");
    t.notMatch(run.stderr, /\n\s+at /, "no stack trace");
  }
});
