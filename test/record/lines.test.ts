// memtrace on every Node.js release line it has an agent for (native/node-lines.json, and the node running the
// tests): one app does what the agent is for (JS frames named in native stacks, the JS heap sampled under the
// function that made it, garbage collections, a worker, a child of the same node and one of another line), and one
// ends by a signal. The whole suite runs on the tests' own node; this file is what must hold on each line, since
// the agent is the one part built per line (the interposer, the launcher and the readers are the same on all).
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import t from "tap";
import { GcKind, ThreadRole } from "../../src/codec/model";
import { decodeAll } from "../../src/codec/decoder";
import { ProfileBuilder, type Profile } from "../../src/model/profile";
import { appView } from "../../src/transforms/app-view/view";
import { foldMessages } from "../../src/transforms/fold";
import { nodeLines, type NodeLine } from "../fixtures/node-lines";
import { APPS, Capture, JS_SAMPLE, JS_SAMPLE_FREED, MALLOC, isAllocation, memtrace, type Event } from "./capture";

t.setTimeout(15 * 60 * 1000); // a fresh clone fetches and builds the lines first (CI does it before the tests)

const app = join(APPS, "every-line.js");
const VERSION: string = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")).version;
const lineOf = (v8: string) => v8.split(".").slice(0, 2).join(".");
const self: NodeLine = { node: process.versions.node, v8: lineOf(process.versions.v8), binary: process.execPath };

const fetched = nodeLines();
const lines = typeof fetched === "string" ? [] : [self, ...fetched.filter((l) => l.v8 !== self.v8)];
const unavailable = typeof fetched === "string" && !process.env.CI ? { skip: fetched } : {};
if (typeof fetched === "string" && process.env.CI) t.fail(fetched);

/** Everything the capture allocated (--total), folded. */
async function profileOf(bytes: Uint8Array): Promise<Profile> {
  const builder = new ProfileBuilder();
  for await (const m of foldMessages(decodeAll(bytes), { measure: "total" })) builder.push(m);
  return builder.finish();
}

function v8Of(binary: string): string {
  return spawnSync(binary, ["-p", "process.versions.v8"], { encoding: "utf8" }).stdout.trim();
}

for (const line of lines) {
  // The other node the app starts a child with: another line's.
  const other = line === self ? lines[1] : self;
  t.test(
    `given Node.js ${line.node} (V8 ${line.v8}), when an app that does everything is recorded`,
    unavailable,
    async (t) => {
      const run = await memtrace(
        ["record", "--no-paired", "--js-interval", "16384", "--", line.binary, "--expose-gc", app, other.binary, "3"],
        {
          withoutTestHooks: true,
        },
      );
      t.equal(run.status, 3, `the app's exit code (${run.stderr})`);
      t.equal(run.stderr, "rows 200000\n", "the app's output, and nothing from memtrace");
      const capture = new Capture(run.stdout);
      t.same(capture.warnings, [], "every process's stream is complete");
      const [main, ...children] = capture.pids;
      const v8 = v8Of(line.binary);
      t.match(
        capture.header(main),
        {
          nodeVersion: `v${line.node}`,
          v8Version: v8,
          agent: `memtrace-agent ${VERSION} for V8 ${line.v8}`,
          notes: [],
        },
        "the Header names the node, its V8 and the agent for its line",
      );
      const names = (e: Event) => capture.frames(e.pid, e.stack).map((f) => f.name);
      const blocks = (size: number) => capture.events.filter((e) => e.kind === MALLOC && e.size === size);

      const inJs = blocks(4093);
      t.equal(inJs.length, 500, "the addon's 500 blocks");
      const stack = capture.frames(main, inJs[0].stack);
      const js = stack.findIndex((f) => f.name === "allocateInJs");
      const cxx = stack.findIndex((f) => f.name.startsWith("MemtraceFixture::AllocateBlocks("));
      t.ok(
        cxx >= 0 && js > cxx,
        `named in one native stack, the JS function outside the C++ one: ${names(inJs[0]).join(" < ")}`,
      );
      t.ok(stack[js]?.file.endsWith("every-line.js"), "with the JS function's file");

      const samples = capture.events.filter((e) => e.kind === JS_SAMPLE && e.pid === main);
      const sampled = samples.reduce((sum, e) => sum + e.size, 0);
      const inRows = samples.filter((e) => names(e).includes("buildRows")).reduce((sum, e) => sum + e.size, 0);
      t.ok(inRows > 5e6, `the JS heap sampled under buildRows: ${inRows} bytes`);
      t.ok(inRows / sampled > 0.5, `most of what was sampled: ${((100 * inRows) / sampled).toFixed(0)}%`);
      const rowIds = new Set(samples.filter((e) => names(e).includes("buildRows")).map((e) => e.address));
      const freed = capture.events.filter((e) => e.kind === JS_SAMPLE_FREED && e.pid === main && rowIds.has(e.address));
      t.ok(freed.length > 0.9 * rowIds.size, `and freed once collected: ${freed.length} of ${rowIds.size} samples`);
      const gcs = capture.messages.flatMap((m) => (m.type === "gc" && m.pid === main ? [m.gc] : []));
      t.ok(
        gcs.some((g) => g.kind === GcKind.GC_MARK_SWEEP_COMPACT),
        "global.gc()'s full collection is recorded",
      );

      const inWorker = blocks(3071);
      t.equal(inWorker.length, 300, "the worker's blocks");
      t.equal(capture.threads(main).get(inWorker[0].tid)?.role, ThreadRole.ROLE_WORKER, "in a worker thread");
      t.ok(names(inWorker[0]).includes("workerBlocks"), "under the worker's JS function");

      // The app view: each thread under its kind, and the runtime's part named for what it is, on every line.
      const view = appView(await profileOf(run.stdout));
      const paths = Array.from({ length: view.rows }, (_, r) => ({
        labels: view.scope
          .stackFrames(view.stack.data[r])
          .reverse()
          .map((f) => view.label(f)),
        bytes: view.bytes.data[r],
      }));
      const roots = new Set(paths.map((p) => p.labels[0]).filter((l) => l !== undefined));
      // A thread the recorder gave no role (node's inspector or signal threads, under load) may show as
      // "(other thread)"; V8's and libuv's pool threads never do, and they hold next to nothing.
      t.same(
        [...roots].filter((r) => r.startsWith("(") && r.endsWith("thread)") && r !== "(other thread)").sort(),
        ["(main thread)", "(worker thread)"],
        "the main thread and the worker",
      );
      const total = paths.reduce((sum, p) => sum + p.bytes, 0);
      const otherBytes = paths.filter((p) => p.labels[0] === "(other thread)").reduce((sum, p) => sum + p.bytes, 0);
      t.ok(otherBytes < total / 100, `little under "(other thread)": ${otherBytes} of ${total} bytes`);
      t.notOk(roots.has("(libuv threadpool)"), "no libuv pool thread (the app uses none): V8's are not taken for it");
      t.ok(roots.has("(V8 platform)"), `V8's platform threads: ${[...roots].join(", ")}`);
      const underKeep = paths.filter((p) => p.labels.some((l) => /^keepBuffer \(.*every-line\.js:\d+\)$/.test(l)));
      const named = new Map<string, number>();
      for (const p of underKeep) named.set(p.labels.at(-1)!, (named.get(p.labels.at(-1)!) ?? 0) + p.bytes);
      t.ok((named.get("Buffer backing store") ?? 0) >= 1 << 20, `the Buffer: ${[...named.keys()].join(", ")}`);
      t.ok((named.get("zlib deflate state") ?? 0) > 0, "the deflate stream's state");

      for (const [size, name, node] of [
        [2047, "childBlocks", line],
        [1023, "otherBlocks", other],
      ] as const) {
        const made = blocks(size);
        t.equal(made.length, size === 2047 ? 200 : 100, `${name}: the child's blocks`);
        const pid = made[0]?.pid;
        t.ok(children.includes(pid), `${name}: in a child process`);
        t.match(
          capture.header(pid),
          { v8Version: v8Of(node.binary), agent: `memtrace-agent ${VERSION} for V8 ${node.v8}`, notes: [] },
          `${name}: recorded with the agent for its own node (V8 ${node.v8})`,
        );
        t.ok(names(made[0]).includes(name), `${name}: under the child's JS function`);
      }
    },
  );

  t.test(`given Node.js ${line.node}, when the app is killed by a signal`, unavailable, async (t) => {
    const script = "Buffer.alloc(1 << 20); setTimeout(() => process.kill(process.pid, 'SIGKILL'), 200)";
    const run = await memtrace(["record", "--no-paired", "--", line.binary, "-e", script], { withoutTestHooks: true });
    t.equal(run.signal, "SIGKILL", "memtrace ends by the same signal");
    const capture = new Capture(run.stdout);
    const [pid] = capture.pids;
    t.equal(capture.header(pid)?.v8Version, v8Of(line.binary), "the capture holds the process");
    t.ok(
      capture.events.some((e) => isAllocation(e.kind) && e.size >= 1 << 20),
      `with what it allocated: ${capture.events.length} events`,
    );
  });
}
