// memtrace live on a pipe and on a file as it grows, in a real terminal (tmux), and the one-line refusals: no
// terminal for the view, nothing to watch, no such file.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { userEnv } from "../record/capture";
import { APP, BIN, MEMTRACE, ENV, CLEAN } from "./setup";
import { Terminal, hasTmux, sh } from "./tmux";

const tmux = { skip: hasTmux() ? false : "no tmux" };

t.test("record | live: the view from a pipe, keys from the terminal", tmux, async (t) => {
  const term = new Terminal(
    `${CLEAN} LIVE_APP_MS=2500 ${MEMTRACE} record ${sh(APP)} 2>/dev/null | ${CLEAN} ${MEMTRACE} live`,
    ENV,
  );
  t.teardown(() => term.kill());
  await term.waitFor((x) => /growMainCache/.test(x), "the app's function from the pipe");
  const ended = await term.waitFor((x) => /stdin ended; this is its last state/.test(x), "the pipe's end", 30_000);
  t.match(ended, /growMainCache/, "the last state stays");
  // The app and the recorder, node processes on this terminal, put its modes back as they exit: keys still work.
  term.keys("t");
  await term.waitFor((x) => /by total bytes/.test(x), "t after the app's end");
  term.keys("q");
  t.equal(await term.status(), 0);
});

t.test("live FILE follows a capture as it is written", tmux, async (t) => {
  const dir = new Terminal("true", ENV);
  dir.kill();
  const file = join(dir.dir, "growing.mtrace");
  const recorder = spawn(process.execPath, [BIN, "record", "-o", file, APP], {
    env: userEnv({ env: { LIVE_APP_MS: "6000" } }),
    stdio: "ignore",
    timeout: 60_000,
  });
  const exited = new Promise((r) => recorder.on("close", r));
  while (!existsSync(file)) await new Promise((r) => setTimeout(r, 50));
  const term = new Terminal(`${CLEAN} ${MEMTRACE} live ${sh(file)}`, ENV);
  t.teardown(() => term.kill());
  const first = await term.waitFor((x) => /growMainCache/.test(x), "the function, from the file");
  t.match(first, /Following \S+growing\.mtrace as it grows\. q quits\./);
  await exited;
  await term.waitFor((x) => /^PID \d+ .* ended$/m.test(x), "the recording's end");
  term.keys("q");
  t.equal(await term.status(), 0);
});

/** Runs memtrace with stdout a pipe, as a script does. */
function run(args: string[], stdin: "ignore" | "pipe" = "ignore"): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: userEnv(),
      stdio: [stdin, "pipe", "pipe"],
      timeout: 30_000,
    });
    let stderr = "";
    child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

t.test("no terminal: one line and a usage status, the app never started", async (t) => {
  const r = await run(["record", "--live", APP]);
  t.equal(r.status, 2);
  t.equal(
    r.stderr,
    "memtrace: --live: the live view needs a terminal, and stdout is not one; record with -o FILE, or serve the view with --live-port PORT\n",
  );
  const live = await run(["live", "9001"]);
  t.equal(live.status, 2);
  t.equal(live.stderr, "memtrace live: the live view needs a terminal, and stdout is not one\n");
  const missing = await run(["live", "/no/such/capture.mtrace"]);
  t.equal(missing.status, 1);
  t.equal(missing.stderr, "memtrace live: no such file: /no/such/capture.mtrace\n");
  const port = await run(["live", "localhost:70000"]);
  t.equal(port.status, 2);
  t.match(port.stderr, /^memtrace live: expected a port from 1 to 65535, got "70000"\n$/);
  const bad = await run(["record", "--live-port", "x", APP]);
  t.equal(bad.status, 2);
});

t.test("memtrace live at a terminal with nothing to watch", tmux, async (t) => {
  const term = new Terminal(`${CLEAN} ${MEMTRACE} live`, ENV, { width: 100, height: 10 });
  t.teardown(() => term.kill());
  t.equal(await term.status(), 2);
  t.match(
    term.screen(),
    /memtrace live: nothing to watch: give a port \(memtrace live 9001\), a capture file, or pipe/,
  );
});
