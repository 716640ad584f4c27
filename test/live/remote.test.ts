// The live view over loopback: memtrace record --live-port with viewers in real terminals (tmux), one that quits
// mid-run, one that connects after it and sees the app end, and the capture of -o; and, in-process, the protocol's
// edges: a slow viewer gets fewer snapshots, not older ones; a peer that is not memtrace is refused.
import { spawn } from "node:child_process";
import { createServer, connect, type AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import type { FoldThread, SnapshotSource } from "../../src/live/fold-thread";
import { LiveServer, RemoteSource } from "../../src/live/remote";
import type { LiveRequest, LiveSnapshot } from "../../src/live/snapshot";
import { userEnv } from "../record/capture";
import { APP, BIN, MEMTRACE, ENV, CLEAN, NODE, WORKER_NAME } from "./setup";
import { Terminal, hasTmux } from "./tmux";

t.test("record --live-port, watched from other terminals", { skip: hasTmux() ? false : "no tmux" }, async (t) => {
  const capture = join(mkdtempSync(join(tmpdir(), "memtrace-remote-")), "remote.mtrace");
  const recorder = spawn(process.execPath, [BIN, "record", "--live-port", "0", "-o", capture, "--", NODE, APP], {
    env: userEnv({ env: { LIVE_APP_MS: "12000" } }),
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 60_000,
  });
  let stderr = "";
  let stdout = "";
  recorder.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
  const exited = new Promise<number | null>((resolve) => recorder.on("close", (code) => resolve(code)));
  const port = await new Promise<string>((resolve, reject) => {
    recorder.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
      const m = /memtrace live (\d+)/.exec(stderr);
      if (m) resolve(m[1]);
    });
    recorder.on("close", () => reject(new Error(`the recorder ended: ${stderr}`)));
  });
  t.match(stderr, /serving the live view on 127\.0\.0\.1:\d+, on the loopback address only/, "loopback, said");

  const first = new Terminal(`${CLEAN} ${MEMTRACE} live ${port}`, ENV);
  t.teardown(() => first.kill());
  const s = await first.waitFor((x) => /growMainCache/.test(x), "the main thread's function, remotely");
  t.match(s, /PID \d+ .*grow\.js +running/);
  // Once the worker's rows are in (merged), the worker is the second thread.
  first.keys("m");
  await first.waitFor((x) => /merged/.test(x) && /resizeImages/.test(x), "merged");
  first.keys("m");
  await first.waitFor((x) => /Thread 1 of/.test(x), "m again");
  first.keys(">");
  await first.waitFor(
    (x) => new RegExp(`Thread 2 of \\d+: ${WORKER_NAME} `).test(x) && /resizeImages/.test(x),
    "the worker",
  );
  first.keys("q");
  t.equal(await first.status(), 0, "a viewer that quits mid-run ends on its own");

  const second = new Terminal(`${CLEAN} ${MEMTRACE} live 127.0.0.1:${port}`, ENV);
  t.teardown(() => second.kill());
  await second.waitFor((x) => /growMainCache/.test(x), "a second viewer after the first left");
  await second.waitFor((x) => /ended: exit code 7/.test(x), "the app's end while viewed", 20_000);
  await second.waitFor((x) => /The recording on 127\.0\.0\.1:\d+ ended; this is its last state/.test(x), "the notice");
  t.equal(await exited, 7, "the recorder ends with the app's exit code");
  t.match(stdout, /main: ending with 7/, "the app's stdout is its own");
  second.keys("q");
  t.equal(await second.status(), 0);

  const summary = spawn(process.execPath, [BIN, "summary", capture], { env: userEnv(), timeout: 30_000 });
  let report = "";
  summary.stdout.on("data", (b: Buffer) => (report += b.toString()));
  await new Promise((r) => summary.on("close", r));
  t.match(report, /growMainCache/, "-o also wrote the capture");
});

t.test(
  "a viewer with nothing to watch says so, and q still quits",
  { skip: hasTmux() ? false : "no tmux" },
  async (t) => {
    const free = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const term = new Terminal(`${CLEAN} ${MEMTRACE} live ${free}`, ENV, { width: 80, height: 10 });
    t.teardown(() => term.kill());
    await term.waitFor((x) => /Nothing serves a live view on 127\.0\.0\.1:\d+ \(yet\)/.test(x), "the notice");
    term.keys("q");
    t.equal(await term.status(), 0);
  },
);

/** A fold that hands out sources whose snapshots the test sends. */
function fakeFold() {
  const sources: { requests: LiveRequest[]; send: (s: LiveSnapshot) => void; closed: boolean }[] = [];
  const fold = {
    source(): SnapshotSource {
      const entry = { requests: [] as LiveRequest[], send: (_: LiveSnapshot) => {}, closed: false };
      sources.push(entry);
      return {
        request: (r) => entry.requests.push(r),
        onSnapshot: (l) => (entry.send = l),
        close: () => (entry.closed = true),
      };
    },
  } as unknown as FoldThread;
  return { fold, sources };
}

function snap(seq: number, pad = 0): LiveSnapshot {
  return {
    seq,
    request: { merged: false, measure: "live", rows: 10 },
    processes: [],
    threads: [],
    totalBytes: 0,
    totalCount: 0,
    locations: 0,
    rows: [],
    behindBytes: 0,
    complete: false,
    error: "x".repeat(pad),
  };
}

t.test(
  "the protocol: requests go through, a slow viewer gets fewer snapshots, the last state at the end",
  async (t) => {
    const { fold, sources } = fakeFold();
    const server = new LiveServer(fold, "127.0.0.1", 0);
    const where = await server.listen();
    t.ok(where.loopback);
    const got: LiveSnapshot[] = [];
    const states: string[] = [];
    const viewer = new RemoteSource("127.0.0.1", where.port, (state) => states.push(state));
    viewer.onSnapshot((s) => got.push(s));
    viewer.request({ merged: true, measure: "peak", rows: 5 });
    viewer.connect();
    while (sources.length === 0 || sources[0].requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    t.same(sources[0].requests[0], { merged: true, measure: "peak", rows: 5 }, "the request asked before connecting");
    // Snapshots much larger than a socket's buffer, sent at once: most are dropped, the stream stays whole.
    for (let i = 1; i <= 50; i++) sources[0].send(snap(i, 1 << 20));
    server.setApp({ running: false, code: 7, logFile: "/secret/path.log" });
    sources[0].send(snap(51));
    await server.close();
    while (!states.includes("closed")) await new Promise((r) => setTimeout(r, 10));
    t.ok(got.length >= 2 && got.length < 50, `a few whole snapshots (${got.length})`);
    t.equal(got.at(-1)!.seq, 51, "the last state arrives");
    t.same(got.at(-1)!.app, { running: false, code: 7 }, "with the app's end, without the recorder's paths");
    t.ok(
      got.every((s, i) => i === 0 || s.seq > got[i - 1].seq),
      "never an older one after a newer one",
    );
    t.ok(sources[0].closed, "the fold forgets a viewer that left");
  },
);

t.test("the protocol: a peer that is not memtrace is refused either way", async (t) => {
  const stranger = createServer((s) => s.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
  await new Promise<void>((r) => stranger.listen(0, "127.0.0.1", r));
  const port = (stranger.address() as AddressInfo).port;
  const details: (string | undefined)[] = [];
  const viewer = new RemoteSource("127.0.0.1", port, (state, detail) => state === "closed" && details.push(detail));
  viewer.connect();
  while (details.length === 0) await new Promise((r) => setTimeout(r, 10));
  t.match(details[0], /not a memtrace live view/);
  stranger.close();

  const { fold, sources } = fakeFold();
  const server = new LiveServer(fold, "127.0.0.1", 0);
  const where = await server.listen();
  const socket = connect(where.port, "127.0.0.1");
  socket.on("error", () => {});
  await new Promise((r) => socket.on("connect", r));
  socket.resume();
  socket.write("GET / HTTP/1.1\r\n\r\n");
  await new Promise((r) => socket.on("close", r));
  t.ok(sources[0].closed, "a line that is not JSON ends the connection");
  await t.rejects(
    new LiveServer(fold, "127.0.0.1", where.port).listen(),
    /cannot serve the live view on 127\.0\.0\.1:\d+: EADDRINUSE/,
  );
  await server.close();
});
