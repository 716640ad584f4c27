// heapprofile export: the same shape as the sampling heap profile V8 itself writes (taken in this process through
// the inspector), the JS view's rules on the hand-computed capture, and opened by speedscope's importer for
// .heapprofile files in headless Chromium.
import { Session } from "node:inspector/promises";
import t from "tap";
import { handComputed, multiProcess } from "../fixtures/captures";
import { heapprofile, type CallFrame } from "../../src/sinks/heapprofile";
import { openInSpeedscope } from "./export-browser";
import { hasChromium, needs } from "./tools";
import { runSink } from "./export-helpers";

interface Node {
  callFrame: CallFrame;
  selfSize: number;
  id: number;
  children: Node[];
}
interface HeapProfile {
  head: Node;
  samples: { size: number; nodeId: number; ordinal: number }[];
}

async function exported(options: Parameters<typeof runSink>[2] = {}): Promise<HeapProfile> {
  return JSON.parse((await runSink(heapprofile, handComputed().bytes(), options)).toString("utf8")) as HeapProfile;
}

function nodes(head: Node): Node[] {
  const out: Node[] = [];
  const todo = [head];
  while (todo.length > 0) {
    const n = todo.pop()!;
    out.push(n);
    todo.push(...n.children);
  }
  return out;
}

/** The tree as "name url:line" lines with self sizes, indented by depth, for exact comparisons. */
function outline(node: Node, depth = 0): string[] {
  const f = node.callFrame;
  const where = f.url ? ` ${f.url}:${f.lineNumber}:${f.columnNumber}` : "";
  return [
    `${"  ".repeat(depth)}${f.functionName}${where} ${node.selfSize}`,
    ...node.children.flatMap((c) => outline(c, depth + 1)),
  ];
}

/** Every field of a profile with its type, as "where.field:type", nodes at any depth counting as one "node". */
function fieldTypes(profile: unknown): string[] {
  const out = new Set<string>();
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      out.add(`${path}:array`);
      for (const v of value) walk(v, path.endsWith("children") ? "node" : `${path}[]`);
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(v, k === "head" ? "node" : `${path}.${k}`);
    } else out.add(`${path}:${typeof value}`);
  };
  walk(profile, "profile");
  return [...out].sort();
}

t.test(
  "given an export, when compared with a profile V8 itself writes, then it has the same fields and types",
  async (t) => {
    const session = new Session();
    session.connect();
    let v8: HeapProfile;
    try {
      await session.post("HeapProfiler.enable");
      await session.post("HeapProfiler.startSampling", { samplingInterval: 64 });
      const kept = Array.from({ length: 20_000 }, (_, i) => ({ i, text: `item ${i}` }));
      v8 = ((await session.post("HeapProfiler.stopSampling")) as { profile: HeapProfile }).profile;
      t.ok(kept.length > 0 && v8.samples.length > 0, "V8 sampled something");
    } finally {
      session.disconnect();
    }
    const ours = await exported();
    t.same(fieldTypes(ours), fieldTypes(v8));
    t.same(ours.head.callFrame, v8.head.callFrame, "the root is V8's (root)");
  },
);

t.test("given the hand-computed capture, when exported, then it is the JS view of the peak", async (t) => {
  const p = await exported();
  // Peak rows: C (main > gamma) 300, F (main > phi, the child) 3000; B and D have no JS frame: (native).
  // Positions are 0-based: gamma starts at line 30, column 1.
  t.same(outline(p.head), [
    "(root) 0",
    "  (native) 16584",
    "  main /app/child.js:0:0 0",
    "    phi /app/child.js:1:0 3000",
    "  main /app/numbers.js:0:0 0",
    "    gamma /app/numbers.js:29:0 300",
  ]);
  const all = nodes(p.head);
  const byName = (name: string) => all.find((n) => n.callFrame.functionName === name)!;
  const mainOfNumbers = all.find((n) => n.callFrame.functionName === "main" && n.callFrame.url === "/app/numbers.js")!;
  t.equal(byName("gamma").callFrame.scriptId, mainOfNumbers.callFrame.scriptId, "one script, one id");
  t.not(byName("phi").callFrame.scriptId, byName("gamma").callFrame.scriptId, "another script, another id");
  t.not(byName("gamma").callFrame.scriptId, "0", "0 is for frames without a script");
  t.equal(new Set(all.map((n) => n.id)).size, all.length, "ids are unique");
  // One sample per node that holds bytes, of its size: the samples add up to the tree.
  t.same(
    p.samples.map((s) => [all.find((n) => n.id === s.nodeId)!.callFrame.functionName, s.size]),
    [
      ["(native)", 16584],
      ["phi", 3000],
      ["gamma", 300],
    ],
  );
  t.same(
    p.samples.map((s) => s.ordinal),
    [1, 2, 3],
  );
});

t.test("given --total, when exported, then a JS frame below native frames keeps its bytes", async (t) => {
  const p = await exported({ measure: "total" });
  // E is uv_worker (native) > epsilon (JS): the JS view drops the native caller.
  t.same(outline(p.head), [
    "(root) 0",
    "  (native) 16584",
    "  epsilon /app/numbers.js:49:0 1024",
    "  main /app/child.js:0:0 0",
    "    gamma /app/numbers.js:29:0 500",
    "    phi /app/child.js:1:0 3000",
    "  main /app/numbers.js:0:0 0",
    "    alpha /app/numbers.js:9:0 100",
    "    gamma /app/numbers.js:29:0 900",
  ]);
});

t.test("given --native-frames, when exported, then native frames are nodes with their module as url", async (t) => {
  const p = await exported({ nativeFrames: true });
  t.same(outline(p.head), [
    "(root) 0",
    "  main /app/child.js:0:0 0",
    "    phi /app/child.js:1:0 3000",
    "  main /app/numbers.js:0:0 0",
    "    gamma /app/numbers.js:29:0 300",
    "  uv_worker /usr/bin/node:-1:-1 0",
    "    beta /usr/bin/node:-1:-1 200",
    "    delta /usr/bin/node:-1:-1 16384",
  ]);
});

t.test("given --split-threads, when exported, then the thread frames stay at the top", async (t) => {
  const p = await exported({ fold: { splitThreads: true } });
  t.same(
    p.head.children.map((c) => c.callFrame.functionName),
    ["thread 10 (node)", "thread 11 (libuv-worker)", "thread 20 (node)"],
  );
  t.same(
    p.head.children[1].children.map((c) => c.callFrame.functionName),
    ["(native)"],
  );
});

t.test(
  "given the realistic capture's export, when speedscope imports it as a .heapprofile in Chromium, then it shows the JS frames",
  needs(hasChromium(), "chromium"),
  async (t) => {
    const profile = await runSink(heapprofile, multiProcess().bytes());
    const opened = await openInSpeedscope("multi.heapprofile", profile);
    t.same(opened.errors, []);
    t.equal(opened.title, "multi.heapprofile - speedscope");
    for (const name of ["crunch", "cacheSet", "renderTemplate", "processTicksAndRejections", "(native)"]) {
      t.match(opened.text, name);
    }
    for (const name of ["v8::internal::MemoryAllocator", "uv_run", "[libz.so"]) t.notMatch(opened.text, name);
  },
);
