// The app view (src/transforms/app-view/): on a recorded capture of examples/compress.js (test/golden/
// compress-app.mtrace) the bytes are those of every frame, the leaking function comes first and the flame graph's
// paths begin with the app's frames; on small built captures, each part of a stack goes where the view puts it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { FunctionKind, ThreadRole } from "../../src/codec/model";
import { decodeAll } from "../../src/codec/decoder";
import { ProfileBuilder, type Profile } from "../../src/model/profile";
import { shortName } from "../../src/sinks/names";
import { collapsed } from "../../src/sinks/collapsed";
import { summary } from "../../src/sinks/summary";
import { table } from "../../src/sinks/table-report";
import { originOf, packageOf } from "../../src/transforms/app-view/origin";
import { describeTail, type TailFrame } from "../../src/transforms/app-view/runtime";
import { threadKindOf } from "../../src/transforms/app-view/threads";
import { appView } from "../../src/transforms/app-view/view";
import { appLocations } from "../../src/transforms/app-view/locations";
import { foldMessages, type MeasureName } from "../../src/transforms/fold";
import { builtin, capture, js, native, runReport } from "../sinks/capture";

const recorded = readFileSync(join(__dirname, "..", "golden", "compress-app.mtrace"));

async function profileOf(bytes: Uint8Array, measure: MeasureName, inverted = false): Promise<Profile> {
  const builder = new ProfileBuilder();
  for await (const m of foldMessages(decodeAll(bytes), { measure, inverted })) builder.push(m);
  return builder.finish();
}

/** Bytes and counts by (pid, tid, allocator). */
function sums(p: Profile): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (let i = 0; i < p.rows; i++) {
    const key = `${p.pid.data[i]}/${p.tid.data[i]}/${p.kind.data[i]}`;
    const s = out.get(key) ?? [0, 0];
    s[0] += p.bytes.data[i];
    s[1] += p.count.data[i];
    out.set(key, s);
  }
  return out;
}

t.test(
  "given a recorded app, when seen in the app view, then every thread's bytes and counts stay exact",
  async (t) => {
    for (const measure of ["peak", "leaks", "total"] as const) {
      const all = await profileOf(recorded, measure);
      const view = appView(all);
      t.same([...sums(view)].sort(), [...sums(all)].sort(), `${measure}: the same bytes and counts by thread`);
      t.equal(view.totalBytes(), all.totalBytes(), `${measure}: the same total`);
      // Every stack of the view starts with a thread's kind.
      const roots = new Set<string>();
      for (let i = 0; i < view.rows; i++) {
        const frames = view.framesRootFirst(view.stack.data[i]);
        roots.add(view.label(frames[0]));
      }
      t.same([...roots].sort(), ["(V8 platform)", "(main thread)"], `${measure}: a root frame per kind of thread`);
    }
  },
);

t.test("given the leaking app, when summarised by what it leaked, then the leaking function is first", async (t) => {
  const out = await runReport(summary, recorded, { frames: "app" }, "leaks");
  const rows = out.split("\n");
  const first = rows[rows.findIndex((l) => l.startsWith("Location")) + 1];
  t.match(first, /^keepBuffers \(\/tmp\/app\/compress\.js:22\) +4\.0 MiB +56\.\d\d%/);
  const everyFrame = await runReport(summary, recorded, { frames: "all" }, "leaks");
  t.match(
    everyFrame,
    /\nnode::NodeArrayBufferAllocator::AllocateUninitialized\(…\) +4\.0 MiB/,
    "with every frame, node's",
  );
  const top = appLocations(await profileOf(recorded, "leaks"), 1)[0];
  t.match(top, { label: "keepBuffers (/tmp/app/compress.js:22)", count: 1044 }, "the test helpers name it too");
});

t.test(
  "given the leaking app, when its leaks are drawn, then the widest path begins with the app's frames",
  async (t) => {
    const lines = (await runReport(collapsed, recorded, { frames: "app" }, "leaks")).trim().split("\n");
    const widest = lines.sort((a, b) => Number(b.split(" ").pop()) - Number(a.split(" ").pop()))[0];
    t.equal(
      widest,
      "(main thread);executeUserEntryPoint (node:internal/modules/run_main:155);(anonymous) (/tmp/app/compress.js:1);" +
        "keepBuffers (/tmp/app/compress.js:22);allocUnsafeSlow (node:buffer:414);Buffer backing store 4227072",
    );
  },
);

// A stack as a recorder writes it for a Buffer a server keeps, root first.
const start = [native("node::Start(int, char**)"), native("uv_run"), native("JSEntry")];
const handler = js("handle", 5, "/srv/app.js");
const remember = js("rememberSession", 20, "/srv/sessions.js");
const bufferFrom = builtin("from", "node:buffer");
const runtime = [
  builtin("fromStringFast", "node:buffer"),
  builtin("CallApiCallback", ""),
  native("node::Buffer::(anonymous namespace)::CreateUnsafeArrayBuffer(v8::FunctionCallbackInfo<v8::Value> const&)"),
  native("v8::internal::BackingStore::Allocate(v8::internal::Isolate*, unsigned long)"),
  native("node::NodeArrayBufferAllocator::AllocateUninitialized(unsigned long)"),
];

t.test(
  "given a server's Buffer, when seen in the app view, then start-up and runtime fold around the app",
  async (t) => {
    const bytes = capture([
      { frames: [...start, handler, remember, bufferFrom, ...runtime], size: 4096 },
      { frames: [...start, handler, js("lodashClone", 3, "/srv/node_modules/lodash/clone.js")], size: 100 },
      { frames: [native("node::Start(int, char**)"), native("v8::internal::Isolate::Init()")], size: 64 },
    ]);
    const lines = await runReport(collapsed, bytes, { frames: "app" }, "total");
    t.equal(
      lines,
      "(main thread);V8 isolate set-up 64\n" +
        "(main thread);handle (/srv/app.js:5);lodashClone (/srv/node_modules/lodash/clone.js:3) 100\n" +
        "(main thread);handle (/srv/app.js:5);rememberSession (/srv/sessions.js:20);from (node:buffer);Buffer backing store 4096\n",
    );
    const sum = await runReport(summary, bytes, { frames: "app" }, "total");
    t.match(sum, /\nrememberSession \(\/srv\/sessions\.js:20\) +4\.0 KiB/, "own bytes go to the innermost app frame");
    t.match(sum, /\nBuffer backing store +0 B +0\.00% +4\.0 KiB/, "what the runtime did is in the total alone");
    const byPackage = await runReport(summary, bytes, { frames: "app", by: "package" }, "total");
    t.match(byPackage, /\n\(app\) +4\.0 KiB .*\nlodash +100 B /s, "the app's own code, then its dependency");
    const inverted = await runReport(summary, bytes, { frames: "app" }, { measure: "total", inverted: true });
    const ownRows = (text: string) =>
      text.split("\n").filter((l) => / [0-9.]+ (K|M)?i?B /.test(l) && !l.includes(" 0 B "));
    t.same(ownRows(inverted), ownRows(sum), "inverted stacks give the same own bytes");
    const rows = await runReport(table, bytes, { frames: "app", format: "json" }, "total");
    t.same(
      (JSON.parse(rows) as { rows: { location: string }[] }).rows.map((r) => r.location),
      [
        "rememberSession (/srv/sessions.js:20)",
        "lodashClone (/srv/node_modules/lodash/clone.js:3)",
        "V8 isolate set-up",
      ],
      "the table's location is the innermost app frame too",
    );
  },
);

const tail = (name: string, module = "/usr/bin/node", origin: TailFrame["origin"] = "runtime"): TailFrame => ({
  name,
  module,
  origin,
  label: name,
  builtin: false,
});

t.test("given runtime frames read off real captures, then each tail is named for what its memory is", async (t) => {
  const cases: [string, TailFrame[]][] = [
    [
      "Buffer backing store",
      [
        tail("node::NodeArrayBufferAllocator::AllocateUninitialized(unsigned long)"),
        tail(
          "node::Buffer::(anonymous namespace)::CreateUnsafeArrayBuffer(v8::FunctionCallbackInfo<v8::Value> const&)",
        ),
      ],
    ],
    ["zlib deflate state", [tail("node::(anonymous namespace)::AllocForZlib"), tail("deflateInit2_")]],
    ["OpenSSL", [tail("CRYPTO_zalloc"), tail("ossl_namemap_doall_names")]],
    ["V8 heap pages", [tail("v8::base::OS::RemapPages(void const*, unsigned long, void*)")]],
    ["JSON.parse", [tail("v8::internal::JsonParser<unsigned char>::ParseJson()")]],
    ["postMessage copy", [tail("v8::internal::ValueSerializer::ExpandBuffer(unsigned long)")]],
    ["V8 compiler", [tail("v8::internal::Zone::Expand(unsigned long)"), tail("v8::internal::Parser::Parser()")]],
    [
      "vips_image_new (libvips.so.42)",
      [
        tail("malloc"),
        { ...tail("vips_image_new", "/usr/lib/libvips.so.42", "library"), label: "vips_image_new (libvips.so.42)" },
      ],
    ],
    ["set (V8 builtin)", [{ ...tail("set"), builtin: true }]],
    [
      "node runtime",
      [tail("operator new(unsigned long)"), tail("node::fs::Read(v8::FunctionCallbackInfo<v8::Value> const&)")],
    ],
    ["native runtime", [tail("malloc", "/usr/lib/libc.so.6")]],
  ];
  for (const [what, frames] of cases) t.equal(describeTail(frames), what, frames.map((f) => f.name).join(" < "));
});

t.test("given frames, then their origin comes from their kind, file and module", async (t) => {
  const frame = (kind: FunctionKind, file: string, module = "") => ({
    name: "f",
    file,
    module,
    line: 1,
    column: 1,
    functionLine: 1,
    functionColumn: 1,
    kind,
    address: 0,
    resolved: true,
  });
  t.equal(originOf(frame(FunctionKind.KIND_JS, "/srv/app.js")), "app");
  t.equal(originOf(frame(FunctionKind.KIND_JS, "/srv/node_modules/@scope/pkg/x.js")), "dependency");
  t.equal(originOf(frame(FunctionKind.KIND_BUILTIN, "node:buffer")), "node");
  t.equal(originOf(frame(FunctionKind.KIND_BUILTIN, "")), "runtime");
  t.equal(originOf(frame(FunctionKind.KIND_NATIVE, "", "/srv/build/Release/sharp.node")), "addon");
  t.equal(originOf(frame(FunctionKind.KIND_NATIVE, "", "/usr/lib/memtrace-agent-v8-11.3.node")), "runtime");
  t.equal(originOf(frame(FunctionKind.KIND_NATIVE, "", "/usr/lib/x86_64-linux-gnu/libz.so.1")), "library");
  t.equal(originOf(frame(FunctionKind.KIND_NATIVE, "", "/usr/bin/node")), "runtime");
  t.equal(packageOf("/srv/node_modules/a/node_modules/@scope/pkg/lib/x.js"), "@scope/pkg");
  t.equal(packageOf("/srv/node_modules/lodash/clone.js"), "lodash");
  t.equal(packageOf("/srv/lib/x.js"), undefined);
});

t.test("given threads, then their kind comes from their role and name, else from their outermost frames", async (t) => {
  const info = (role: ThreadRole, name: string) => ({ tid: 1, name, role, workerId: 0, timeNs: 0, ended: false });
  t.equal(threadKindOf(info(ThreadRole.ROLE_MAIN, "node"), []), "(main thread)");
  t.equal(threadKindOf(info(ThreadRole.ROLE_WORKER, "worker"), []), "(worker thread)");
  t.equal(threadKindOf(info(ThreadRole.ROLE_POOL, "V8 worker"), []), "(V8 platform)");
  t.equal(threadKindOf(info(ThreadRole.ROLE_POOL, "libuv-worker"), []), "(libuv threadpool)");
  // Node 24 and later name V8's threads themselves.
  t.equal(threadKindOf(info(ThreadRole.ROLE_POOL, "V8Worker"), []), "(V8 platform)");
  t.equal(threadKindOf(info(ThreadRole.ROLE_POOL, "DelayedTaskSche"), []), "(V8 platform)");
  t.equal(threadKindOf(undefined, ["start_thread", "worker", "uv__fs_work"]), "(libuv threadpool)");
  t.equal(
    threadKindOf(undefined, ["start_thread", "node::worker::Worker::StartThread(node::worker::Worker*)"]),
    "(worker thread)",
  );
  t.equal(threadKindOf(undefined, ["start_thread", "inspector_io"]), "(other thread)");
});

t.test("given long C++ names, then terminal reports elide templates and argument lists", async (t) => {
  t.equal(
    shortName(
      "void std::vector<v8::internal::Object, std::allocator<v8::internal::Object> >::_M_realloc_insert<v8::internal::Object>(__gnu_cxx::__normal_iterator<v8::internal::Object*>, v8::internal::Object&&)",
    ),
    "void std::vector<…>::_M_realloc_insert<…>(…)",
  );
  t.equal(
    shortName("v8::internal::Isolate::InitializeCounters() [clone .part.0]"),
    "v8::internal::Isolate::InitializeCounters() [clone .part.0]",
  );
  t.equal(
    shortName("node::(anonymous namespace)::Parser::OnStreamRead(long, uv_buf_t const&)"),
    "node::(anonymous namespace)::Parser::OnStreamRead(…)",
  );
  t.equal(shortName("keepBody (/srv/a<b>.js:22)"), "keepBody (/srv/a<b>.js:22)", "JavaScript labels stay");
  t.equal(shortName("bool a::operator<(a::b const&)"), "bool a::operator<(…)");
  t.equal(shortName("f::g<int"), "f::g<int", "a name cut short stays");
  const wide = await runReport(summary, recorded, { frames: "all", wide: true, top: 40 }, "peak");
  t.match(wide, /std::vector<v8::internal::Object, std::allocator<v8::internal::Object> >/, "--wide keeps full names");
});

t.test("given memtrace's own JS files, built or as source maps name them, then they are the runtime's", async (t) => {
  const root = join(__dirname, "..", "..");
  const js = (file: string) => originOf({ file, kind: FunctionKind.KIND_JS, module: "" } as never);
  t.equal(js(join(root, "src", "record", "agent.ts")), "runtime");
  t.equal(js(join(root, "dist", "src", "record", "agent.js")), "runtime");
  t.equal(js(join(root, "examples", "compress.js")), "app");
  t.equal(js("/srv/app/node_modules/@scope/lib/index.js"), "dependency");
});
