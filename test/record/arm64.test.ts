// The linux-arm64 prebuilds (cross-built by scripts/prebuilds.js) recording each line's official arm64 node
// under qemu-user: what differs from x64 is the build and the stack walk (node's arm64 builds sign their return
// addresses: the walk strips the signatures), so this checks that native stacks reach node::Start, that they
// name JS functions, and that the agent for the line samples the JS heap. The rest is the same code as on x64.
import { join } from "node:path";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import t from "tap";
import { nodeLines } from "../fixtures/node-lines";
import { Capture, JS_SAMPLE, MALLOC, memtrace, type Event } from "./capture";
import { PACKAGE_ROOT } from "../../src/record/native";

t.setTimeout(15 * 60 * 1000);

const lines = process.arch === "x64" ? nodeLines("arm64") : "the arm64 test runs on x64 (under qemu-user)";
const unavailable = typeof lines === "string" && !process.env.CI ? { skip: lines } : {};
if (typeof lines === "string" && process.env.CI) t.fail(lines);

// qemu-user hangs in node's start-up on some hosts (scripts/cross-check.js): that is the host, not memtrace, and
// scripts/prebuilds.js then checks the agents' symbols against each node instead.
const crossCheck = require(join(__dirname, "..", "..", "scripts", "cross-check.js")) as {
  emulatorProblem(arch: string, binary: string): string | undefined;
};

const app = join(mkdtempSync(join(tmpdir(), "memtrace-arm64-")), "app.js");
writeFileSync(
  app,
  `"use strict";
function keepBuffers() {
  const kept = [];
  for (let i = 0; i < 100; i++) kept.push(Buffer.allocUnsafeSlow(10007));
  return kept;
}
function buildRows() {
  return Array.from({ length: 100000 }, (_, i) => ({ id: i }));
}
const kept = [keepBuffers(), buildRows()];
setTimeout(() => process.exit(kept.length + 1), 300);
`,
);

for (const line of typeof lines === "string" ? [] : lines) {
  const problem = typeof lines === "string" ? undefined : crossCheck.emulatorProblem("arm64", line.binary);
  const skip = problem ? { skip: problem } : unavailable;
  t.test(`given Node.js ${line.node} for arm64 (V8 ${line.v8}), under qemu-user`, skip, async (t) => {
    const qemu = ["qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu", line.binary];
    const run = await memtrace(["record", "--no-paired", "--js-interval", "16384", "--", ...qemu, app], {
      withoutTestHooks: true,
      env: { MEMTRACE_NATIVE_DIR: join(PACKAGE_ROOT, "prebuilds", "linux-arm64") },
    });
    t.equal(run.status, 3, `the app's exit code (${run.stderr})`);
    const capture = new Capture(run.stdout);
    t.same(capture.warnings, []);
    const [pid] = capture.pids;
    t.match(capture.header(pid), { arch: "arm64", agent: new RegExp(`for V8 ${line.v8}$`), notes: [] });
    const names = (e: Event) => capture.frames(pid, e.stack).map((f) => f.name);
    const buffers = capture.events.filter((e) => e.kind === MALLOC && e.size === 10007);
    t.equal(buffers.filter((e) => names(e).includes("keepBuffers")).length, 100, "JS frames named in native stacks");
    const sampled = capture.events.filter((e) => e.kind === JS_SAMPLE && names(e).includes("buildRows"));
    t.ok(sampled.length > 50, `the JS heap sampled under buildRows: ${sampled.length} samples`);
    let native = 0;
    let rooted = 0;
    for (const e of capture.events) {
      if (e.kind >= 64 || e.kind === JS_SAMPLE || e.tid !== pid) continue;
      native += e.size;
      if (names(e).some((n) => n.startsWith("node::Start("))) rooted += e.size;
    }
    t.ok(rooted > 0.95 * native, `main-thread stacks reach node::Start: ${((100 * rooted) / native).toFixed(1)}%`);
  });
}
