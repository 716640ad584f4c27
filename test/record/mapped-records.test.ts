// The launcher's rewriting of Records as they pass: JS functions of a mapped script and their frames' call lines
// are placed in the original source, the generated positions are kept, the strings the rewriter adds shift the
// writer's later ids without breaking a reader's tables, and everything else passes byte for byte.
import { encode } from "@jridgewell/sourcemap-codec";
import { TraceMap } from "@jridgewell/trace-mapping";
import { fromBinary } from "@bufbuild/protobuf";
import t from "tap";
import { RecordSchema } from "../../src/codec/gen/memtrace_pb";
import { decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import { BODY_FIELD } from "../../src/codec/records";
import { FunctionKind, newHeader, type FunctionInfo, type Message } from "../../src/codec/model";
import { Scopes } from "../../src/model/scope";
import { join } from "node:path";
import { MappedRecords, SCANNED, mappedOnThisMachine, mappedWith } from "../../src/record/mapped-records";
import { ScriptMap } from "../../src/record/script-maps";
import { lastPos, readVarint } from "../../src/codec/wire";

// out.js, line 1: "function f(){g()}" from app.ts: f's "(" (column 11) at 3:11, the call g() (column 14) at 4:3.
// Line 2: a call the map places in another source (glue.ts).
const map = new ScriptMap(
  new TraceMap({
    version: 3,
    sources: ["app.ts", "glue.ts"],
    names: [],
    mappings: encode([
      [
        [0, 0, 2, 0],
        [10, 0, 2, 10],
        [13, 0, 3, 2],
      ],
      [[0, 1, 0, 0]],
    ]),
    sourceRoot: "/src/",
  }),
  "function f(){g()}\nglue();\n",
);
const maps = { get: (script: string) => (script === "/app/out.js" ? map : undefined) };

const js = (name: number, file: number, line: number, column: number): FunctionInfo => ({
  name,
  file,
  module: 0,
  line,
  column,
  kind: FunctionKind.KIND_JS,
});
const column = (...values: number[]) => new Uint32Array(values);

/** A process's Records as the recorder writes them: strings, functions, frames, resolutions, then more strings. */
function recorded(pid: number): Message[] {
  return [
    { type: "header", pid, header: newHeader() },
    { type: "strings", pid, firstId: 1, values: ["/app/out.js", "f", "/app/plain.js"] },
    {
      type: "functions",
      pid,
      firstId: 1,
      functions: [js(2, 1, 1, 11), js(0, 3, 4, 1), js(0, 1, 1, 1)],
    },
    {
      type: "frames",
      pid,
      firstId: 1,
      length: 4,
      function: column(0, 0, 0, 0),
      address: new Float64Array([16, 32, 48, 64]),
      line: column(0, 0, 0, 0),
      column: column(0, 0, 0, 0),
    },
    { type: "stacks", pid, firstId: 1, length: 2, parent: column(0, 1), frame: column(1, 2) },
    {
      type: "resolution",
      pid,
      length: 4,
      frame: column(1, 2, 3, 4),
      function: column(1, 1, 2, 1),
      line: column(1, 2, 7, 0),
      column: column(15, 1, 3, 0),
    },
    { type: "strings", pid, firstId: 4, values: ["malloc", "libc.so.6"] },
    {
      type: "functions",
      pid,
      firstId: 4,
      functions: [{ ...js(4, 0, 0, 0), module: 5, kind: FunctionKind.KIND_NATIVE }],
    },
    { type: "watermark", pid, timeNs: 5 },
  ];
}

/** The capture's bytes cut into chunks of whole Records, as the channels' framer hands them on. */
function chunks(bytes: Uint8Array, recordsPerChunk: number): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  let p = 0;
  let inChunk = 0;
  while (p < bytes.length) {
    const length = readVarint(bytes, p, bytes.length);
    p = lastPos() + length;
    if (++inChunk === recordsPerChunk || p === bytes.length) {
      out.push(Buffer.from(bytes.subarray(start, p)));
      start = p;
      inChunk = 0;
    }
  }
  return out;
}

t.test("given processes whose scripts have no map, when their Records pass, then the pass never loads", async (t) => {
  // First in this file: the other tests load the rewriting pass into this process.
  const asked: string[] = [];
  const mapped = new MappedRecords(
    (script) => (asked.push(script), false),
    () => t.fail("no maps are made") as never,
  );
  const input = Buffer.from(encodeAll([...recorded(100), ...recorded(200)]));
  const chunked = chunks(input, 3);
  t.equal(mapped.rewrite(chunked), chunked, "the same chunks");
  t.notOk(mapped.rewriting, "nothing is rewritten");
  t.same(asked, ["/app/out.js", "/app/plain.js", "/app/out.js", "/app/plain.js"], "each script asked once a process");
  const loaded = Object.keys(require.cache);
  t.notOk(
    loaded.some((f) => /record-rewriter|transforms\/source-maps/.test(f)),
    "nor its modules",
  );
});

t.test("given a process scanned before a map appears in another, when its own mapped script comes later", async (t) => {
  // Process 300 runs a plain script, then process 100 a mapped one (the pass loads), then 300 the mapped one.
  const before: Message[] = [
    { type: "header", pid: 300, header: newHeader() },
    { type: "strings", pid: 300, firstId: 1, values: ["/app/plain.js", "g"] },
    { type: "functions", pid: 300, firstId: 1, functions: [js(2, 1, 4, 1)] },
  ];
  const after: Message[] = [
    { type: "strings", pid: 300, firstId: 3, values: ["/app/out.js"] },
    { type: "functions", pid: 300, firstId: 2, functions: [js(0, 3, 1, 11)] },
    {
      type: "frames",
      pid: 300,
      firstId: 1,
      length: 2,
      function: column(0, 0),
      address: new Float64Array([16, 32]),
      line: column(0, 0),
      column: column(0, 0),
    },
    {
      type: "resolution",
      pid: 300,
      length: 2,
      frame: column(1, 2),
      function: column(1, 2),
      line: column(5, 1),
      column: column(1, 15),
    },
  ];
  const input = encodeAll([...before, ...recorded(100), ...after]);
  for (const perChunk of [1, 4, 100]) {
    const mapped = mappedWith(maps);
    const messages = decodeAll(Buffer.concat(mapped.rewrite(chunks(input, perChunk))));
    t.ok(mapped.rewriting, "the pass is on");
    const scopes = new Scopes();
    for (const m of messages) scopes.apply(m);
    const scope = scopes.get(300)!;
    t.match(scope.frame(1), { name: "g", file: "/app/plain.js", line: 5 }, `${perChunk} a chunk: the plain script`);
    t.match(scope.frame(2), { file: "/src/app.ts", line: 4, column: 3 }, "the mapped script's call, at its .ts line");
    t.match(scopes.get(100)!.frame(1), { name: "f", file: "/src/app.ts", line: 4 }, "and the other process's");
  }
});

t.test("given Records the scan cannot read, when they pass before any map, then they pass as they came", async (t) => {
  const header = [4, 0x08, 0x07, 0x12, 0x00]; // pid 7, an empty Header
  const cut = [5, 0x08, 0x07, 0x1a, 0x02, 0x12]; // pid 7, strings: a value whose length is missing
  const long = [7, 0x08, 0x07, 0x1a, 0x03, 0x12, 0x09, 0x41]; // pid 7, strings: a value longer than its table
  const odd = [8, 0x08, 0x07, 0x22, 0x04, 0x12, 0x02, 0x3a, 0x00]; // pid 7, a Function with a string in field 7
  const chunk = Buffer.from([...header, ...cut, ...long, ...odd]);
  const mapped = mappedWith(maps);
  t.same(mapped.rewrite([chunk]), [chunk], "the same bytes");
  t.notOk(mapped.rewriting, "and no pass");
});

t.test("given the scan's field numbers, then they are the codec's", async (t) => {
  t.same(
    SCANNED,
    {
      header: BODY_FIELD.header,
      strings: BODY_FIELD.strings,
      functions: BODY_FIELD.functions,
      kindJs: FunctionKind.KIND_JS,
    },
    "Record's bodies and FunctionKind",
  );
});

t.test("given a process whose script has a map, when its Records pass the launcher", async (t) => {
  const input = encodeAll([...recorded(100), ...recorded(200)]);
  for (const perChunk of [1, 3, 100]) {
    const rewritten = mappedWith(maps).rewrite(chunks(input, perChunk));
    const messages = decodeAll(Buffer.concat(rewritten));
    const scopes = new Scopes();
    for (const m of messages) scopes.apply(m); // throws on an id the rules do not allow
    for (const pid of [100, 200]) {
      const scope = scopes.get(pid)!;
      t.match(
        scope.frame(1),
        { name: "f", file: "/src/app.ts", line: 4, column: 3, functionLine: 3, functionColumn: 11 },
        `${perChunk} a chunk, process ${pid}: the call in f, at its .ts line`,
      );
      t.match(scope.frame(2), { file: "/src/app.ts", line: 3, column: 11 }, "a frame at the function's start");
      t.match(scope.frame(3), { file: "/app/plain.js", line: 7, column: 3 }, "a script without a map as it was");
      t.match(scope.frame(4), { file: "/src/app.ts", line: 3 }, "a frame with no line shows its function's");
      t.match(scope.functions[4], { kind: FunctionKind.KIND_NATIVE }, "a function defined after the added strings");
      t.equal(scope.strings[scope.functions[4].name], "malloc", "names the writer's string");
      t.equal(scope.strings[scope.functions[4].module], "libc.so.6", "and its module");
    }
  }
});

t.test("given the rewritten Records, when read field by field, then what V8 ran is kept", async (t) => {
  const input = encodeAll(recorded(100));
  const messages = decodeAll(Buffer.concat(mappedWith(maps).rewrite(chunks(input, 1))));
  const strings = messages.flatMap((m) => (m.type === "strings" ? m.values : []));
  const str = (id: number | undefined) => ["", ...strings][id ?? 0];
  const functions = messages.flatMap((m) => (m.type === "functions" ? m.functions : []));
  t.match(functions[0], { line: 3, column: 11, generatedLine: 1, generatedColumn: 11, generatedName: 0 });
  t.equal(str(functions[0].generatedFile), "/app/out.js", "the script V8 ran");
  t.equal(str(functions[0].file), "/src/app.ts", "the original source");
  t.equal(functions[1].generatedFile, undefined, "a function of a script without a map has none");
  t.match(functions[2], { line: 3, column: 1, generatedLine: 1 }, "the script's top level, where its line 1 maps");
  const resolution = messages.find((m) => m.type === "resolution")!;
  t.same(
    resolution.type === "resolution" && [...resolution.line, ...resolution.column],
    [4, 0, 7, 0, 3, 0, 3, 0],
    "original lines and columns; a call the map puts in another source has none",
  );
  t.same(
    resolution.type === "resolution" && [...resolution.generatedLine!, ...resolution.generatedColumn!],
    [1, 2, 0, 0, 15, 1, 0, 0],
    "and the positions in out.js",
  );
  // The codec's field numbers, held to the .proto's generated schema: each Record without its length prefix.
  const records = chunks(Buffer.concat(mappedWith(maps).rewrite(chunks(input, 1))), 1).map((r) => {
    let p = 0;
    while (r[p] & 0x80) p++;
    return fromBinary(RecordSchema, r.subarray(p + 1));
  });
  const pbFunction = records.flatMap((r) => (r.body.case === "functions" ? r.body.value.functions : []))[0];
  t.match(
    pbFunction,
    { line: 3, generatedLine: 1, generatedColumn: 11 },
    "Function's fields, as the .proto numbers them",
  );
  const pbResolution = records.find((r) => r.body.case === "resolution")?.body.value;
  t.match(pbResolution, { generatedLine: [1, 2, 0, 0], generatedColumn: [15, 1, 0, 0] }, "and FrameResolution's");

  const events = encodeAll([{ type: "watermark", pid: 100, timeNs: 5 }]);
  const passed = mappedWith(maps).rewrite([Buffer.from(events)]);
  t.same(Buffer.concat(passed), Buffer.from(events), "a Record of no concern passes as it came");
});

t.test("given a process without maps, when its Records pass, then they come out as they went in", async (t) => {
  const input = Buffer.from(encodeAll(recorded(100)));
  const chunked = chunks(input, 2);
  const out = mappedWith({ get: () => undefined }).rewrite(chunked);
  t.equal(out, chunked, "the same chunks");
  const garbage = [Buffer.from([3, 0x22, 0x01, 0xff])];
  t.equal(mappedWith(maps).rewrite(garbage), garbage, "a Record it cannot read passes as it is");
});

t.test("given scripts on this machine, one with a broken map, when two processes run them", async (t) => {
  const dir = t.testdir({
    "out.js": "function f(){g()}\n//# sourceMappingURL=out.js.map\n",
    "out.js.map": JSON.stringify({ version: 3, sources: ["app.ts"], names: [], mappings: "AAEA,UAAU" }),
    "broken.js": "function f(){g()}\n//# sourceMappingURL=broken.js.map\n",
    "broken.js.map": "{",
  });
  const said: string[] = [];
  const mapped = mappedOnThisMachine((line) => said.push(line));
  const scope = (pid: number, script: string): Message[] => [
    { type: "header", pid, header: newHeader() },
    { type: "strings", pid, firstId: 1, values: [join(dir, script)] },
    { type: "functions", pid, firstId: 1, functions: [js(0, 1, 1, 11)] },
  ];
  const bytes = encodeAll([...scope(1, "out.js"), ...scope(2, "broken.js"), ...scope(3, "broken.js")]);
  const messages = decodeAll(Buffer.concat(mapped.rewrite(chunks(bytes, 2))));
  const files = messages.flatMap((m) => (m.type === "strings" ? m.values : []));
  t.ok(files.includes(join(dir, "app.ts")), "the mapped script's function is in its .ts");
  t.equal(said.length, 1, "the broken map is said once");
  t.match(said[0], `${join(dir, "broken.js")}: source map ${join(dir, "broken.js.map")} cannot be read`);
});
