// Each recorded process's interposer chooses the agent for the V8 it runs beside, or none. A node memtrace has no
// agent for (a newer line, a custom build with pointer compression) runs unharmed: its exit code and output stay
// its own, its native heap is recorded, the Header says what is missing and memtrace says it once on its own
// stderr. The program here passes for a node of whatever V8 it is told (test/fixtures/addon/fake_node.cpp).
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { codeEventsIn } from "../../src/codec/code-event";
import { NATIVE_BUILD_DIR, nativeDir } from "../../src/record/native";
import { APPS, Capture, MALLOC, memtrace } from "./capture";

const tmp = mkdtempSync(join(tmpdir(), "memtrace-agent-choice-"));
const fakeNode = join(NATIVE_BUILD_DIR, "fake_node");
const WITHOUT = ": JS frames are not named and the JS heap is not sampled; native allocations are recorded";

async function recordFake(name: string, program: string, v8: string, args: string[]) {
  const out = join(tmp, `${name}.mtrace`);
  const run = await memtrace(["record", "--no-paired", "-o", out, "--", program, ...args], {
    env: { FAKE_V8_VERSION: v8 },
  });
  return { run, capture: new Capture(readFileSync(out)) };
}

t.test("given a node of a V8 line newer than memtrace, when recorded with a forked child", async (t) => {
  const { run, capture } = await recordFake("newer", fakeNode, "15.1.20-node.4", ["3", "fork"]);
  t.equal(run.status, 3, "the app's exit code");
  t.equal(run.stdout.toString(), "agent=\n", "the app's stdout, and no agent for it to load");
  const note = `no memtrace agent for V8 15.1 (this Node.js is newer than memtrace)${WITHOUT}`;
  t.equal(run.stderr, `memtrace: ${note}\n`, "one line on memtrace's stderr for both processes");
  t.equal(capture.pids.length, 2, "parent and child recorded");
  for (const pid of capture.pids) {
    const header = capture.header(pid);
    t.equal(header?.v8Version, "15.1.20-node.4", "the Header names the V8");
    t.equal(header?.agent, "", "and no agent");
    t.same(header?.notes, [note], "and says what is missing");
    const blocks = capture.events.filter((e) => e.pid === pid && e.kind === MALLOC && e.size === 4242);
    t.equal(blocks.length, 300, "the native heap is recorded");
    t.ok(
      capture.frames(pid, blocks[0].stack).some((f) => f.name === "AllocateBlocks()"),
      "at its named native function",
    );
  }
});

t.test("given V8 versions memtrace cannot use, then each says why in the Header", async (t) => {
  const cases: [string, string, string][] = [
    ["older", "10.2.154.26-node.22", "no memtrace agent for V8 10.2 (not a Node.js release line memtrace supports)"],
    ["garbled", "canary", 'memtrace cannot read this V8\'s version ("canary")'],
  ];
  for (const [name, v8, why] of cases) {
    const { run, capture } = await recordFake(name, fakeNode, v8, ["0"]);
    t.equal(run.status, 0, name);
    t.equal(run.stderr, `memtrace: ${why}${WITHOUT}\n`, `${name}: the line on stderr`);
    t.same(capture.header(capture.pids[0])?.notes, [`${why}${WITHOUT}`], `${name}: the note`);
  }
  const { run, capture } = await recordFake("compressed", `${fakeNode}_compressed`, "13.6.233.17-node.37", ["0"]);
  const why = "this Node.js (V8 13.6) is built with pointer compression, which memtrace's agents are not";
  t.equal(run.stdout.toString(), "agent=\n", "a node with pointer compression gets no agent, though 13.6 has one");
  t.same(capture.header(capture.pids[0])?.notes, [`${why}${WITHOUT}`]);
});

t.test("given --native-only, then no agent and nothing to say", async (t) => {
  const out = join(tmp, "native-only.mtrace");
  const run = await memtrace(["record", "--no-paired", "--native-only", "-o", out, "--", fakeNode, "0"], {
    env: { FAKE_V8_VERSION: "15.1.20" },
  });
  t.equal(run.stderr, "");
  const capture = new Capture(readFileSync(out));
  t.same(capture.header(capture.pids[0])?.notes, []);
  t.equal(capture.header(capture.pids[0])?.v8Version, "15.1.20", "the V8 is still named");
});

t.test("given memtrace's files without the agent for this node, when a JS app is recorded", async (t) => {
  // The interposer looks for the agents beside itself: a copy of it alone has none. The kernel beside it, so that
  // the capture is zstd, with nothing to say of it.
  const dir = mkdtempSync(join(tmpdir(), "memtrace-no-agents-"));
  for (const file of ["libmemtrace_preload.so", "memtrace-kernel.node"])
    copyFileSync(join(nativeDir(), file), join(dir, file));
  const out = join(tmp, "no-agent.mtrace");
  const run = await memtrace(["record", "--no-paired", "-o", out, join(APPS, "exit-with.js"), "3"], {
    env: { MEMTRACE_NATIVE_DIR: dir },
  });
  t.equal(run.status, 3, "the app's exit code");
  t.equal(run.stdout.toString(), "to stdout\n", "its stdout");
  const line = process.versions.v8.split(".").slice(0, 2).join(".");
  const lines = run.stderr.split("\n").filter((l) => l.startsWith("memtrace: "));
  t.equal(lines.length, 1, "one line from memtrace");
  t.match(lines[0], `V8 ${line}`, "naming the V8 line");
  t.same(
    run.stderr.split("\n").filter((l) => l && !l.startsWith("memtrace: ")),
    ["to stderr"],
    "the app's stderr, untouched",
  );
  const capture = new Capture(readFileSync(out));
  const [pid] = capture.pids;
  t.equal(capture.header(pid)?.v8Version, process.versions.v8);
  t.equal(capture.header(pid)?.agent, "");
  t.equal(capture.header(pid)?.notes.length, 1);
  t.equal(capture.messages.flatMap(codeEventsIn).length, 0, "no agent ran");
  t.ok(capture.events.filter((e) => e.kind === MALLOC).length > 100, "native allocations are recorded");
});
