// memtrace attach and detach on processes that run without memtrace: the capture holds the process's function; the
// process runs on after the recording, with its inspector as it was, and ends with its own exit code. Attach twice,
// detach during an allocation storm, an inspector opened at start-up, and the refusals: a pid that is not node, is
// gone, is not the user's, or whose inspector port is taken. Attach pairs by default, as memtrace record does; the
// tests that read the events one by one ask for --no-paired.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { listenersOf } from "../../src/attach/inspector";
import { decodeAll } from "../../src/codec/decoder";
import { Capture, isAllocation, memtrace, ROOT, userEnv, type Run } from "../record/capture";

const app = join(__dirname, "apps", "running.js");
const tmp = mkdtempSync(join(tmpdir(), "memtrace-attach-"));

interface Running {
  child: ChildProcess;
  pid: number;
  stderr: () => string;
  stdout: () => string;
  /** Closes its stdin, which ends it; resolves with its exit code. */
  finish: () => Promise<number | null>;
}

/** Starts running.js under plain node (a random inspector port unless `nodeArgs` say otherwise). */
async function startApp(how: string, nodeArgs = ["--inspect-port=0"], uid?: number): Promise<Running> {
  const child = spawn(process.execPath, [...nodeArgs, app, how], {
    cwd: ROOT,
    env: userEnv(),
    stdio: ["pipe", "pipe", "pipe"],
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  let out = "";
  let err = "";
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      if (out.includes("ready")) resolve();
    });
    child.once("exit", () => reject(new Error(`the app ended: ${err}`)));
  });
  return {
    child,
    pid: child.pid!,
    stderr: () => err,
    stdout: () => out,
    finish: () => {
      child.stdin!.end();
      return exited;
    },
  };
}

/** Starts `memtrace attach` with no duration; resolves once it records, with its run's promise (wrapped, not awaited). */
async function attachInBackground(pid: number, file: string): Promise<{ run: Promise<Run>; child: ChildProcess }> {
  let child: ChildProcess | undefined;
  const run = memtrace(["attach", String(pid), "--no-paired", "-o", file], { started: (c) => (child = c) });
  await new Promise<void>((resolve, reject) => {
    let err = "";
    child!.stderr!.on("data", (b: Buffer) => {
      err += b.toString();
      if (err.includes("recording process")) resolve();
    });
    void run.then((r) => reject(new Error(`attach ended: ${r.stderr}`)));
  });
  return { run, child: child! };
}

function allocationsUnder(c: Capture, name: string): number {
  return c.events.filter((e) => isAllocation(e.kind) && c.frames(e.pid, e.stack).some((f) => f.name === name)).length;
}

t.test(
  "given a running node process, when memtrace attach records it for a while, then its function is in the capture and it runs on",
  async (t) => {
    const target = await startApp("serve");
    const file = join(tmp, "serve.mtrace");
    const run = await memtrace(["attach", String(target.pid), "--no-paired", "--duration", "1", "-o", file]);
    t.equal(run.status, 0, run.stderr);
    t.match(run.stderr, new RegExp(`recording process ${target.pid} \\(Node\\.js ${process.versions.node}\\)`));
    const c = new Capture(readFileSync(file));
    t.same(c.warnings, []);
    t.same(c.pids, [target.pid]);
    t.ok(c.trailer(target.pid), "the capture is complete");
    t.ok(allocationsUnder(c, "serveRequest") >= 20, "serveRequest's Buffers, named from the code V8 had compiled");
    t.same(listenersOf(target.pid), [], "the inspector SIGUSR1 opened is closed again");
    t.match(
      target.stderr(),
      /Debugger listening on ws:\/\/127\.0\.0\.1:\d+\//,
      "node says its inspector opened, as it always does",
    );
    t.equal(await target.finish(), 7, "the process ends with its own exit code");
    t.match(target.stdout(), /still running/);
  },
);

t.test(
  "given a process memtrace attach records, when attached again, then the second is refused; after detach, attach works again",
  async (t) => {
    const target = await startApp("serve");
    const first = join(tmp, "first.mtrace");
    const { run: running } = await attachInBackground(target.pid, first);
    const second = await memtrace(["attach", String(target.pid), "-o", join(tmp, "second.mtrace")]);
    t.equal(second.status, 1);
    t.match(
      second.stderr,
      new RegExp(`^memtrace attach: process ${target.pid} is being recorded by memtrace attach already`),
    );
    const detached = await memtrace(["detach", String(target.pid)]);
    t.equal(detached.status, 0, detached.stderr);
    t.match(detached.stderr, new RegExp(`stopped recording process ${target.pid}; the capture is in ${first}`));
    const ended = await running;
    t.equal(ended.status, 0, ended.stderr);
    t.ok(new Capture(readFileSync(first)).trailer(target.pid));
    const again = join(tmp, "again.mtrace");
    const rerun = await memtrace(["attach", String(target.pid), "--no-paired", "--duration", "0.5", "-o", again]);
    t.equal(rerun.status, 0, rerun.stderr);
    t.ok(
      allocationsUnder(new Capture(readFileSync(again)), "serveRequest") > 0,
      "the second recording has its own names",
    );
    const none = await memtrace(["detach", String(target.pid)]);
    t.equal(none.status, 1);
    t.match(none.stderr, /no memtrace attach is recording process/);
    t.equal(await target.finish(), 7);
  },
);

t.test(
  "given attach without --no-paired, when it records, stops and records again, then each capture is paired and read",
  async (t) => {
    const target = await startApp("serve");
    for (const name of ["paired-1", "paired-2"]) {
      const file = join(tmp, `${name}.mtrace`);
      const run = await memtrace(["attach", String(target.pid), "--duration", "0.7", "-o", file]);
      t.equal(run.status, 0, run.stderr);
      const messages = decodeAll(readFileSync(file), { paired: true });
      const header = messages.find((m) => m.type === "header");
      t.equal(header?.type === "header" && header.header.version, 4, `${name}: the Header says format version 4`);
      t.ok(
        messages.some((m) => m.type === "paired" && m.batch.length > 0),
        `${name}: paired rows`,
      );
      t.notOk(
        messages.some((m) => m.type === "events"),
        `${name}: no events as they came`,
      );
      t.ok(
        messages.some((m) => m.type === "trailer"),
        `${name}: the Trailer`,
      );
      const summary = await memtrace(["summary", file]);
      t.equal(summary.status, 0, summary.stderr);
      t.match(summary.stdout.toString(), /^serveRequest \(/m, `${name}: summary names the process's function`);
    }
    t.equal(await target.finish(), 7);
  },
);

t.test(
  "given an allocation storm, when memtrace detach stops the recording, then the capture is whole and the process runs on",
  async (t) => {
    const target = await startApp("storm");
    const file = join(tmp, "storm.mtrace");
    const { run: running } = await attachInBackground(target.pid, file);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const detached = await memtrace(["detach", String(target.pid)]);
    t.equal(detached.status, 0, detached.stderr);
    t.equal((await running).status, 0);
    const c = new Capture(readFileSync(file));
    t.same(c.warnings, []);
    const trailer = c.trailer(target.pid);
    t.ok(trailer, "the capture ends with its Trailer");
    t.ok(allocationsUnder(c, "stormOfBuffers") >= 50, "the storm's Buffers");
    t.equal(trailer!.lostEvents, 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.equal(target.child.exitCode, null, "still running");
    t.equal(await target.finish(), 7);
  },
);

t.test("given Ctrl-C, then attach stops the recording, writes the capture and exits 0", async (t) => {
  const target = await startApp("serve");
  const file = join(tmp, "ctrl-c.mtrace");
  const { run, child } = await attachInBackground(target.pid, file);
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.kill("SIGINT");
  const ended = await run;
  t.equal(ended.status, 0, ended.stderr);
  t.match(ended.stderr, /wrote .*ctrl-c\.mtrace/);
  t.ok(new Capture(readFileSync(file)).trailer(target.pid), "the capture is complete");
  t.equal(await target.finish(), 7);
});

t.test("given a process started with its inspector open, then attach uses it and leaves it open", async (t) => {
  const target = await startApp("serve", ["--inspect=127.0.0.1:0"]);
  const before = listenersOf(target.pid);
  t.equal(before.length, 1, "the inspector listens");
  const run = await memtrace(["attach", String(target.pid), "--duration", "0.5", "-o", join(tmp, "open.mtrace")]);
  t.equal(run.status, 0, run.stderr);
  t.same(listenersOf(target.pid), before, "still listening, on the same socket");
  t.equal(await target.finish(), 7);
});

t.test("given processes memtrace cannot record, then attach refuses in one line", async (t) => {
  const sleeper = spawn("sleep", ["30"]);
  const notNode = await memtrace(["attach", String(sleeper.pid)]);
  sleeper.kill();
  t.equal(notNode.status, 1);
  t.match(
    notNode.stderr,
    new RegExp(`^memtrace attach: process ${sleeper.pid} \\(sleep\\) is not a Node\\.js process\\n$`),
  );

  const gone = spawn(process.execPath, ["-e", "0"]);
  await new Promise((resolve) => gone.once("exit", resolve));
  const goneRun = await memtrace(["attach", String(gone.pid)]);
  t.equal(goneRun.status, 1);
  t.match(goneRun.stderr, new RegExp(`^memtrace attach: no process ${gone.pid}\\n$`));

  const usage = await memtrace(["attach", "nope"]);
  t.equal(usage.status, 2);
});

t.test("given a process whose inspector port is taken, then attach refuses and sends no signal", async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  const port = (blocker.address() as AddressInfo).port;
  const target = await startApp("serve", [`--inspect-port=${port}`]);
  const run = await memtrace(["attach", String(target.pid), "--duration", "0.5"]);
  blocker.close();
  t.equal(run.status, 1);
  t.match(run.stderr, new RegExp(`inspector port 127\\.0\\.0\\.1:${port} is in use`));
  t.notMatch(target.stderr(), /Debugger/, "the process was not touched");
  t.equal(await target.finish(), 7);
});

t.test(
  "given another user's process, then attach refuses",
  { skip: process.getuid?.() !== 0 && "needs root to start a process as another user" },
  async (t) => {
    const target = await startApp("serve", ["--inspect-port=0"], 65534);
    const run = await memtrace(["attach", String(target.pid)]);
    t.equal(run.status, 1);
    t.match(run.stderr, new RegExp(`^memtrace attach: process ${target.pid} is not yours \\(it runs as uid 65534\\)`));
    t.equal(await target.finish(), 7);
  },
);
