// The options of `memtrace record`, each checked by what a user would look at in the capture.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { decode } from "../../src/codec/decoder";
import { startsWithLz4Magic } from "../../src/codec/lz4";
import { startsWithZstdMagic } from "../../src/codec/zstd";
import { FunctionKind } from "../../src/codec/model";
import { APPS, Capture, MALLOC, ROOT, memtrace, shell, userEnv } from "./capture";

const alloc = join(APPS, "alloc-app.js");
const tmp = mkdtempSync(join(tmpdir(), "memtrace-options-"));
/** The zstd tool's verdict on a file, or true where it is not installed (CI installs it). */
const zstdTool = (args: string[]) =>
  spawnSync("zstd", ["--version"]).status !== 0 && !process.env.CI
    ? true
    : spawnSync("zstd", ["-q", ...args], { timeout: 30_000 }).status === 0;
const atFixture = (c: Capture, pid: number) =>
  c.events.filter(
    (e) =>
      e.kind === MALLOC &&
      e.size === 4093 &&
      c.frames(pid, e.stack).some((f) => f.name.startsWith("MemtraceFixture::")),
  );

t.test("given --native-only, native frames are named and no JS frame is", async (t) => {
  const run = await memtrace(["record", "--no-paired", "--native-only", alloc, "10", "4093", "0"]);
  t.equal(run.status, 0, run.stderr);
  const c = new Capture(run.stdout);
  const [pid] = c.pids;
  const blocks = atFixture(c, pid);
  t.equal(blocks.length, 10, "the C++ function is still named");
  t.notOk(
    c.frames(pid, blocks[0].stack).some((f) => f.kind === FunctionKind.KIND_JS),
    "but no frame is a named JS function",
  );
});

t.test("given --stack-depth 3, stacks are cut to 3 frames and the cuts are counted", async (t) => {
  const run = await memtrace(["record", "--no-paired", "--stack-depth", "3", alloc, "10", "4093", "0"]);
  t.equal(run.status, 0, run.stderr);
  const c = new Capture(run.stdout);
  const [pid] = c.pids;
  t.equal(c.header(pid)?.settings.maxStackDepth, 3, "the header says so");
  t.ok(
    c.events.every((e) => c.frames(pid, e.stack).length <= 3),
    "no stack is deeper",
  );
  t.ok((c.trailer(pid)?.truncatedStacks ?? 0) > 0, "the trailer counts the cut stacks");
});

t.test("given --compress, the capture is a zstd stream that reads as the same capture", async (t) => {
  const run = await memtrace(["record", "--no-paired", "--compress", alloc, "10", "4093", "0"]);
  t.equal(run.status, 0, run.stderr);
  t.same([...run.stdout.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd], "zstd frame magic");
  const c = new Capture(run.stdout);
  t.same(c.warnings, []);
  t.equal(atFixture(c, c.pids[0]).length, 10);
});

t.test("given --compress --compressor lz4, the capture is an LZ4 stream that reads as the same capture", async (t) => {
  const run = await memtrace(["record", "--no-paired", "--compress", "--compressor", "lz4", alloc, "10", "4093", "0"]);
  t.equal(run.status, 0, run.stderr);
  t.ok(startsWithLz4Magic(run.stdout), "LZ4 frame magic");
  const c = new Capture(run.stdout);
  t.same(c.warnings, []);
  t.equal(atFixture(c, c.pids[0]).length, 10);
});

t.test("given --compressor with an unknown name, record refuses it in one line", async (t) => {
  const run = await memtrace(["record", "--compressor", "gzip", alloc, "10", "4093", "0"]);
  t.equal(run.status, 2);
  t.match(
    run.stderr,
    /^memtrace: option '--compressor <name>' argument 'gzip' is invalid\. Allowed choices are zstd, lz4\.\n$/,
  );
});

t.test("a capture written to a file is zstd unless --no-compress; one written to a pipe is not", async (t) => {
  const toFile = join(tmp, "default.mtrace");
  const plainFile = join(tmp, "no-compress.mtrace");
  const toPipe = await memtrace(["record", "--no-paired", alloc, "10", "4093", "0"]);
  t.equal((await memtrace(["record", "--no-paired", "-o", toFile, alloc, "10", "4093", "0"])).status, 0);
  t.equal(
    (await memtrace(["record", "--no-paired", "--no-compress", "-o", plainFile, alloc, "10", "4093", "0"])).status,
    0,
  );
  t.ok(startsWithZstdMagic(readFileSync(toFile)), "-o FILE: zstd");
  t.ok(zstdTool(["-t", toFile]), "the zstd tool reads it whole: the frame is ended");
  t.notOk(startsWithZstdMagic(readFileSync(plainFile)), "--no-compress -o FILE: plain records");
  t.notOk(startsWithLz4Magic(readFileSync(plainFile)), "--no-compress -o FILE: not LZ4 either");
  t.notOk(startsWithZstdMagic(toPipe.stdout), "stdout a pipe: plain records");
  for (const [name, bytes] of [
    ["file", readFileSync(toFile)],
    ["no-compress file", readFileSync(plainFile)],
    ["pipe", toPipe.stdout],
  ] as const) {
    const c = new Capture(bytes);
    t.same(c.warnings, [], `${name}: reads without warnings`);
    t.equal(atFixture(c, c.pids[0]).length, 10, `${name}: the fixture's 10 blocks`);
  }
});

t.test(
  "given no libzstd (MEMTRACE_NO_ZSTD), a capture written to a file is LZ4, said once on stderr, and reads the same",
  async (t) => {
    const file = join(tmp, "no-zstd.mtrace");
    const run = await memtrace(["record", "--no-paired", "-o", file, alloc, "10", "4093", "0"], {
      env: { MEMTRACE_NO_ZSTD: "1" },
    });
    t.equal(run.status, 0, run.stderr);
    const bytes = readFileSync(file);
    t.ok(startsWithLz4Magic(bytes), "LZ4 frames");
    const frames = bytes.toString("latin1").split("\x04\x22\x4d\x18").length - 1;
    t.ok(frames > 1, `${frames} LZ4 frames: a chunk each`);
    t.same(
      run.stderr.split("\n").filter((l) => l.startsWith("memtrace")),
      [
        "memtrace: the capture is compressed with LZ4, not zstd (2-3 times larger): MEMTRACE_NO_ZSTD is set; install " +
          "libzstd1 (apt-get install libzstd1, or dnf install libzstd) for zstd",
      ],
      "one line, not one per chunk",
    );
    const c = new Capture(bytes);
    t.same(c.warnings, []);
    t.equal(atFixture(c, c.pids[0]).length, 10, "the fixture's 10 blocks");
  },
);

t.test(
  "given memtrace itself run by each Node.js line, a capture written to a file is zstd and reads back",
  async (t) => {
    const dir = join(ROOT, "scratch", "node-lines");
    const nodes = existsSync(dir) ? readdirSync(dir).filter((d) => d.endsWith(`-${process.arch}`)) : [];
    if (nodes.length === 0) {
      if (process.env.CI) t.fail("no Node.js line under scratch/node-lines");
      else t.plan(0, "no Node.js line under scratch/node-lines (scripts/node-lines.js fetches them)");
      return;
    }
    for (const line of nodes) {
      // Node.js 22.15 and later carry a zstd of their own: the launcher's libzstd must not be mixed with it.
      const node = join(dir, line, "bin", "node");
      const file = join(tmp, `${line}.mtrace`);
      const r = spawnSync(
        node,
        [join(ROOT, "bin", "memtrace.js"), "record", "--no-paired", "-o", file, "--", node, alloc, "10", "4093", "0"],
        {
          env: userEnv(),
          encoding: "utf8",
          timeout: 60_000,
        },
      );
      t.equal(r.status, 0, `${line}: ${r.stderr}`);
      t.notMatch(r.stderr, /LZ4/, `${line}: no fallback`);
      const bytes = readFileSync(file);
      t.ok(startsWithZstdMagic(bytes), `${line}: zstd`);
      const c = new Capture(bytes);
      t.same(c.warnings, [], `${line}: reads without warnings`);
      t.equal(atFixture(c, c.pids[0]).length, 10, `${line}: the fixture's 10 blocks`);
    }
  },
);

t.test("given --complete-names, node runs without its start-up snapshot and the capture is complete", async (t) => {
  const run = await memtrace(["record", "--no-paired", "--complete-names", alloc, "10", "4093", "0"]);
  t.equal(run.status, 0, run.stderr);
  const c = new Capture(run.stdout);
  t.same(c.warnings, []);
  const [pid] = c.pids;
  const frames = c.frames(pid, atFixture(c, pid)[0].stack);
  t.ok(
    frames.some((f) => f.name === "allocateForTest"),
    "the JS function is named",
  );
});

t.test(
  "by default a thread's allocations share the latest clock reading, and the header says how old it may be; given --exact-times, each reads the clock",
  async (t) => {
    const distinctTimes = (c: Capture) => new Set(atFixture(c, c.pids[0]).map((e) => e.time)).size;
    const shared = new Capture((await memtrace(["record", "--no-paired", alloc, "4000", "4093", "0"])).stdout);
    const exact = new Capture(
      (await memtrace(["record", "--no-paired", "--exact-times", alloc, "4000", "4093", "0"])).stdout,
    );
    t.equal(atFixture(shared, shared.pids[0]).length, 4000);
    t.equal(atFixture(exact, exact.pids[0]).length, 4000);
    t.equal(
      shared.header(shared.pids[0])?.settings.clockResolutionNs,
      10_000_000,
      "default: a time is at most one writer tick (the memory interval) old",
    );
    t.equal(
      shared.header(shared.pids[0])?.settings.allocationTimeLeadNs,
      100_000,
      "and declares a lead, by which readers order a free and an allocation that share a time",
    );
    t.ok(distinctTimes(shared) <= 4000 / 64 + 20, `one reading in 64 events: ${distinctTimes(shared)} times`);
    t.ok(
      (exact.header(exact.pids[0])?.settings.clockResolutionNs ?? Infinity) <= 1000,
      "--exact-times: the clock's own resolution",
    );
    t.ok(distinctTimes(exact) > 3900, `a reading each: ${distinctTimes(exact)} times`);
  },
);

t.test("given a memory interval, the capture holds RSS and V8 heap samples", async (t) => {
  const run = await memtrace(["record", "--no-paired", "--memory-interval", "5", join(APPS, "workload.js")]);
  t.equal(run.status, 0, run.stderr);
  const c = new Capture(run.stdout);
  const [pid] = c.pids;
  t.equal(c.header(pid)?.settings.memoryIntervalNs, 5_000_000);
  const memory = c.messages.flatMap((m) => (m.type === "memory" ? [m.samples] : []));
  const rss = memory.filter((s) => s.tid === 0);
  const heap = memory.filter((s) => s.tid === pid);
  t.ok(rss.reduce((n, s) => n + s.length, 0) > 10, "RSS samples");
  t.ok(
    rss.every((s) => Array.from(s.rss.subarray(0, s.length)).every((v) => v > 1e6)),
    "of plausible sizes",
  );
  t.ok(heap.length > 0, "V8 heap figures of the main isolate");
  t.ok(heap.every((s) => s.jsHeapUsed[0] > 0 && s.jsHeapTotal[0] >= s.jsHeapUsed[0]));
});

t.test("given a reader of the live capture, it sees the app's allocations while the app still runs", async (t) => {
  const go = join(tmp, "go");
  const child = spawn(
    process.execPath,
    [join(ROOT, "bin", "memtrace.js"), "record", "--no-paired", join(APPS, "live.js"), go],
    {
      env: userEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => (stderr += b));
  let seen = 0;
  // The app waits for the go file, which is made only once the blocks are seen: without live flushing the
  // app would wait for ever (and the test time out).
  for await (const m of decode(child.stdout)) {
    if (m.type !== "events" || existsSync(go)) continue;
    for (let i = 0; i < m.batch.length; i++) if (m.batch.kind[i] === MALLOC && m.batch.size[i] === 5555) seen++;
    if (seen === 10) writeFileSync(go, "");
  }
  const status = await new Promise((resolve) => child.on("close", resolve));
  t.equal(seen, 10, "all 10 blocks seen before the app was let go");
  t.equal(status, 0);
  t.equal(stderr, "saw the go file\n");
});

t.test(
  "given stdout is a terminal, the capture goes to memtrace-<script>.<pid>.mtrace and memtrace says what next",
  async (t) => {
    const cwd = mkdtempSync(join(tmpdir(), "memtrace-tty-"));
    // script(1) gives the command a terminal for stdout.
    const run = await shell(
      `cd "${cwd}" && script -qec '"${process.execPath}" "${join(ROOT, "bin", "memtrace.js")}" record --no-paired "${alloc}" 10 4093 0' /dev/null`,
    );
    t.equal(run.status, 0, run.stdout.toString());
    const files = readdirSync(cwd).filter((f) => /^memtrace-alloc-app\.\d+\.mtrace$/.test(f));
    t.equal(files.length, 1, "one capture named after the script and the app's pid");
    const text = run.stdout.toString();
    t.match(text, /allocated 10/, "the app's stdout stays on the terminal");
    t.match(text, new RegExp(`memtrace summary ${files[0]}`), "memtrace says how to look at it");
    const c = new Capture(readFileSync(join(cwd, files[0])));
    t.same(c.warnings, []);
    t.equal(String(c.pids[0]), /\.(\d+)\.mtrace$/.exec(files[0])?.[1], "the pid in the name is the app's");
  },
);
