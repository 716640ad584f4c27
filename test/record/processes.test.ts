// Processes and threads: worker threads allocating at once, a forked child and a spawned node child all go
// into one capture, each event tagged with its own process and thread, and each process's stream intact.
import { join } from "node:path";
import t from "tap";
import { ThreadRole } from "../../src/codec/model";
import { APPS, Capture, MALLOC, isAllocation, memtrace } from "./capture";

const app = join(APPS, "family.js");

t.test("given workers, a forked child and a spawned child, when recorded", async (t) => {
  const run = await memtrace(["record", "--no-paired", app]);
  t.equal(run.status, 0, run.stderr);
  t.equal(run.stderr, "family done\n");
  const capture = new Capture(run.stdout);
  t.same(capture.warnings, [], "every process's stream is complete and well-formed");

  const [main, ...children] = capture.pids;
  t.equal(children.length, 2, "the forked and the spawned child have scopes of their own");
  for (const child of children) t.equal(capture.header(child)?.ppid, main, `process ${child} is main's child`);

  const bySize = (size: number) => capture.events.filter((e) => e.kind === MALLOC && e.size === size);
  const forked = bySize(2001);
  const spawned = bySize(3001);
  t.equal(forked.length, 500, "the forked child's 500 blocks");
  t.equal(spawned.length, 700, "the spawned child's 700 blocks");
  t.equal(new Set(forked.map((e) => e.pid)).size, 1, "all in one process");
  t.equal(new Set(spawned.map((e) => e.pid)).size, 1);
  t.not(forked[0].pid, spawned[0].pid, "two different processes");
  t.ok(children.includes(forked[0].pid) && children.includes(spawned[0].pid), "the children, not main");

  const threads = capture.threads(main);
  const workerTids = new Set<number>();
  for (const size of [1001, 1002, 1003]) {
    const blocks = bySize(size);
    t.equal(blocks.length, 2000, `2000 blocks of ${size} bytes`);
    t.same(new Set(blocks.map((e) => e.pid)), new Set([main]), "in the main process");
    const tids = new Set(blocks.map((e) => e.tid));
    t.equal(tids.size, 1, "all in one thread");
    const [tid] = tids;
    t.not(tid, main, "not the main thread");
    t.equal(threads.get(tid)?.role, ThreadRole.ROLE_WORKER, "a thread known as a worker");
    workerTids.add(tid);
  }
  t.equal(workerTids.size, 3, "each worker its own thread");
  const workerIds = new Set([...workerTids].map((tid) => threads.get(tid)?.workerId));
  t.equal(workerIds.size, 3, "with the workers' threadIds, one each");
  t.notOk(workerIds.has(0), "none of them the main thread's 0");

  // Frees balanced: every fixture block is freed once, in its own process, after its allocation.
  const live = capture.unfreed((e) => e.kind === MALLOC && [1001, 1002, 1003, 2001, 3001].includes(e.size));
  for (const pid of capture.pids) {
    t.equal(live.filter((e) => e.pid === pid).length, 0, `process ${pid}: every fixture block freed`);
    const trailer = capture.trailer(pid);
    const events = capture.events.filter((e) => e.pid === pid);
    t.equal(events.filter((e) => isAllocation(e.kind)).length, trailer?.allocations, `process ${pid}: allocations`);
    t.equal(events.filter((e) => !isAllocation(e.kind)).length, trailer?.deallocations, "and deallocations");
  }
});

t.test("given --no-children, when recorded, only the app's own process is in the capture", async (t) => {
  const run = await memtrace(["record", "--no-paired", "--no-children", app]);
  t.equal(run.status, 0, run.stderr);
  const capture = new Capture(run.stdout);
  t.same(capture.warnings, []);
  t.equal(capture.pids.length, 1);
  t.equal(capture.events.filter((e) => e.size === 2001 || e.size === 3001).length, 0, "no child's blocks");
  t.equal(capture.events.filter((e) => e.kind === MALLOC && e.size === 1002).length, 2000, "the workers' are there");
});

t.test("given work on libuv's pool, its threads are named and known as pool threads", async (t) => {
  const run = await memtrace(["record", "--no-paired", join(APPS, "pool.js")]);
  t.equal(run.status, 0, run.stderr);
  const capture = new Capture(run.stdout);
  const [pid] = capture.pids;
  const pool = [...capture.threads(pid).values()].filter((th) => th.name === "libuv worker");
  t.ok(pool.length >= 1, "libuv's worker threads are named");
  t.ok(
    pool.every((th) => th.role === ThreadRole.ROLE_POOL),
    "and have the pool role",
  );
  const poolTids = new Set(pool.map((th) => th.tid));
  t.ok(
    capture.events.some(
      (e) => poolTids.has(e.tid) && e.size > 0 && capture.frames(pid, e.stack).some((f) => f.name === "deflateInit2_"),
    ),
    "zlib's allocations are on those threads",
  );
});

t.test(
  "given a shell child, which ends with _exit (no exit handlers), its scope still ends with a trailer",
  async (t) => {
    const run = await memtrace(["record", "--no-paired", join(APPS, "shell-child.js")]);
    t.equal(run.status, 0, run.stderr);
    t.equal(run.stderr, "shell done\n");
    const capture = new Capture(run.stdout);
    t.same(capture.warnings, [], "no process is reported as cut short");
    const shell = capture.pids.find((pid) => capture.header(pid)?.argv[0] === "/bin/sh");
    t.ok(shell, "the shell is in the capture");
    t.ok(shell && capture.trailer(shell), "with its trailer");
  },
);
