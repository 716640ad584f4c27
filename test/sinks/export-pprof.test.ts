// pprof export: read back with pprof-format's decoder for exact numbers, and with `go tool pprof` (Debian's
// golang-go), the program people read pprof files with, whose top function must be memtrace summary's.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Profile as PprofProfile } from "pprof-format";
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { formatBytes } from "../../src/sinks/format";
import { pprof } from "../../src/sinks/pprof";
import { asOldFolded, fold } from "../fixtures/inspect";
import { handComputed, hostileNames, HOSTILE_NAMES, multiProcess } from "../fixtures/captures";
import { cleanEnv, memtrace, staleBuild } from "../fixtures/cli";
import { runSink, tempDir } from "./export-helpers";
import { needs } from "./tools";

/** A decoded profile, with its strings looked up. */
function read(gz: Uint8Array) {
  const p = PprofProfile.decode(gunzipSync(gz));
  const s = (i: unknown) => p.stringTable.strings[Number(i)];
  const fn = new Map(p.function.map((f) => [Number(f.id), f]));
  const loc = new Map(p.location.map((l) => [Number(l.id), l]));
  const types = p.sampleType.map((v) => `${s(v.type)}/${s(v.unit)}`);
  const samples = p.sample.map((x) => {
    const labels: Record<string, string | number> = {};
    for (const l of x.label) labels[s(l.key)] = Number(l.str) ? s(l.str) : Number(l.num);
    const names = x.locationId.map((id) => s(fn.get(Number(loc.get(Number(id))!.line[0].functionId))!.name));
    // Root first, as people read stacks; pprof stores the leaf first.
    return { stack: names.reverse().join(" > "), labels, values: x.value.map(Number) };
  });
  return { p, s, fn, loc, types, samples, comments: p.comment.map(s), defaultType: s(p.defaultSampleType) };
}

const numbers = () => decodeAll(handComputed().bytes());

/** Values by "stack allocator pid/tid", for comparing with the hand-computed timeline. */
function byRow(samples: ReturnType<typeof read>["samples"]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const x of samples) out[`${x.stack} ${x.labels.allocator} ${x.labels.pid}/${x.labels.tid}`] = x.values;
  return out;
}

t.test(
  "given the hand-computed capture, when exported to pprof, then alloc_* hold every allocation and inuse_* the peak",
  async (t) => {
    const r = read(await runSink(pprof, numbers()));
    t.same(r.types, ["alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes"]);
    t.equal(r.defaultType, "inuse_space");
    // From the timeline in test/fixtures/captures.ts: totals by allocation; the peak of process 10 at t=500 (A freed,
    // no realloc yet, no JS sample yet) and of process 20 at t=200 (both blocks of F).
    t.same(byRow(r.samples), {
      "main > alpha malloc 10/10": [1, 100, 0, 0],
      "uv_worker > beta malloc 10/11": [1, 200, 1, 200],
      "main > gamma calloc 10/10": [1, 300, 1, 300],
      "main > gamma realloc 10/10": [1, 600, 0, 0],
      "uv_worker > delta mmap 10/11": [1, 16384, 1, 16384],
      "uv_worker > epsilon js 10/11": [3, 1024, 0, 0],
      "main > phi malloc 20/20": [2, 3000, 2, 3000],
      "main > gamma malloc 20/20": [1, 500, 0, 0],
    });
    t.ok(r.comments.some((c) => c.startsWith("inuse_objects, inuse_space: Peak memory") && c.endsWith("--peak.")));
    t.ok(r.comments.includes("Process 20: node /app/child.js"));
    t.equal(r.samples.find((x) => x.labels.tid === 11)!.labels.thread, "libuv-worker");
  },
);

t.test("given --leaks, when exported to pprof, then inuse_* is what was live at the end", async (t) => {
  const r = read(await runSink(pprof, numbers(), { measure: "leaks" }));
  const inuse = Object.entries(byRow(r.samples))
    .filter(([, v]) => v[3] > 0)
    .map(([k, v]) => `${k} ${v[2]} ${v[3]}`)
    .sort();
  t.same(inuse, [
    "main > gamma malloc 20/20 1 500",
    "main > gamma realloc 10/10 1 600",
    "main > phi malloc 20/20 1 2000",
    "uv_worker > delta mmap 10/11 1 12288",
  ]);
  t.ok(r.comments.some((c) => c.startsWith("inuse_objects, inuse_space: Leaked memory")));
});

t.test("given measures that are not one moment, when exported, then their sample types say so", async (t) => {
  const total = read(await runSink(pprof, numbers(), { measure: "total" }));
  t.same(total.types, ["alloc_objects/count", "alloc_space/bytes"], "--total is alloc_* alone");
  t.equal(total.defaultType, "alloc_space");
  const temporary = read(await runSink(pprof, numbers(), { measure: "temporary" }));
  t.same(temporary.types.slice(2), ["temporary_objects/count", "temporary_space/bytes"]);
  t.equal(temporary.defaultType, "temporary_space");
});

t.test(
  "given a stream folded before, when exported, then it has alloc_* from the total it keeps beside its own",
  async (t) => {
    const folded = await fold(numbers(), "leaks");
    const r = read(await runSink(pprof, folded));
    const raw = read(await runSink(pprof, numbers(), { measure: "leaks" }));
    t.same(r.types, ["alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes"]);
    const sum = (x: typeof r, i: number) => x.samples.reduce((s, y) => s + y.values[i], 0);
    t.equal(sum(r, 3), 600 + 12288 + 500 + 2000);
    t.same(
      [0, 1, 2, 3].map((i) => sum(r, i)),
      [0, 1, 2, 3].map((i) => sum(raw, i)),
      "as the raw capture gives them",
    );
  },
);

t.test(
  "given a stream folded before total was kept, when exported, then it has its own measure alone and says why",
  async (t) => {
    const folded = asOldFolded(await fold(numbers(), "leaks"));
    const r = read(await runSink(pprof, folded));
    t.same(r.types, ["inuse_objects/count", "inuse_space/bytes"]);
    t.ok(r.comments.some((c) => c.startsWith("No alloc_objects and alloc_space: the input was folded before")));
  },
);

t.test(
  "given the realistic capture, when exported, then functions and locations are as profile.proto asks",
  async (t) => {
    const r = read(await runSink(pprof, multiProcess().bytes()));
    const { p, s } = r;
    t.equal(p.stringTable.strings[0], "", "string_table[0] is empty");
    // Ids are nonzero and unique; every location is one frame: one line, of a function that exists.
    for (const table of [p.function, p.location, p.mapping]) {
      const ids = table.map((x) => Number(x.id));
      t.notOk(ids.includes(0));
      t.equal(new Set(ids).size, ids.length);
    }
    for (const l of p.location) {
      t.equal(l.line.length, 1);
      t.ok(r.fn.has(Number(l.line[0].functionId)));
    }
    // JS functions have their file and the line they start at; frames their own line.
    const crunch = p.function.find((f) => s(f.name) === "crunch")!;
    t.equal(s(crunch.filename), "/app/child.js");
    t.ok(Number(crunch.startLine) > 0);
    const crunchLocation = p.location.find((l) => Number(l.line[0].functionId) === Number(crunch.id))!;
    t.ok(Number(crunchLocation.line[0].line) > 0);
    // Native code names its module through a mapping, the program's own first ("mapping[0] will be the main binary").
    t.equal(s(p.mapping[0].filename), "/usr/bin/node");
    t.ok(p.mapping.every((m) => m.hasFunctions));
    t.ok(
      Number(p.timeNanos) > 1.7e18 && Number(p.durationNanos) > 0,
      "time and duration come from the processes' start and end",
    );
  },
);

t.test("given --inverted, when exporting to pprof, then it is refused as a usage error", async (t) => {
  t.throws(() => pprof.create({ fold: { inverted: true } }), { message: /leave out --inverted/ });
  const stale = staleBuild();
  if (stale) return t.fail(stale);
  const r = await memtrace(["pprof", "--inverted", "test/golden/numbers.mtrace", "-o", "/dev/null"]);
  t.equal(r.status, 2, r.stderr);
  t.match(r.stderr, /^memtrace pprof: pprof stacks start at the allocating frame/);
});

t.test("given hostile names, when exported, then every name is in the string table as it was", async (t) => {
  const r = read(await runSink(pprof, hostileNames().bytes()));
  for (const name of HOSTILE_NAMES) t.ok(r.p.stringTable.strings.includes(name), JSON.stringify(name));
  t.ok(r.p.stringTable.strings.includes('<b>main</b> & "co"'), "thread names too");
});

/** `go tool pprof` with its caches in a temp folder, offline; undefined when go is not installed. */
function goTool(dir: string) {
  const env = cleanEnv({
    HOME: dir,
    GOCACHE: join(dir, "cache"),
    GOPATH: join(dir, "gopath"),
    GOTOOLCHAIN: "local",
    GOPROXY: "off",
    GOTELEMETRY: "off",
  });
  if (spawnSync("go", ["version"], { env }).status !== 0) return undefined;
  return (args: string[]) => {
    const r = spawnSync("go", ["tool", "pprof", ...args], { env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`go tool pprof ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
}

/** The first row of `pprof -top -unit=B`: flat bytes and the function's name. */
function topOfPprof(text: string): { name: string; bytes: number } {
  const lines = text.split("\n");
  const row = lines[lines.findIndex((l) => /^\s*flat\s+flat%/.test(l)) + 1];
  const m = /^\s*(\d+)B\s+\S+\s+\S+\s+\S+\s+\S+\s+(.+)$/.exec(row)!;
  return { bytes: Number(m[1]), name: m[2] };
}

/** The first row of memtrace summary's table: the location's label and its own bytes as printed. */
function topOfSummary(text: string): { label: string; ownBytes: string } {
  const lines = text.split("\n");
  const row = lines[lines.findIndex((l) => l.startsWith("Location")) + 1];
  const m = /^(.+?)\s{2,}(\S+ \S?i?B)\s/.exec(row)!;
  return { label: m[1], ownBytes: m[2] };
}

const goDir = tempDir(t, "memtrace-go-");
const go = goTool(goDir);

t.test(
  "given the realistic capture, when go tool pprof reads the export, then its top function and bytes are memtrace summary's",
  needs(go !== undefined, "golang-go"),
  async (t) => {
    if (!go) return t.fail("go is not installed (apt-get install golang-go)");
    const stale = staleBuild();
    if (stale) return t.fail(stale);
    const dir = tempDir(t);
    const capture = join(dir, "multi.mtrace");
    writeFileSync(capture, multiProcess().bytes());
    const cases: [flags: string[], sampleIndex: string][] = [
      [[], "inuse_space"],
      [["--leaks"], "inuse_space"],
      [["--total"], "alloc_space"],
    ];
    for (const [flags, sampleIndex] of cases) {
      const out = join(dir, `multi${flags.join("")}.pb.gz`);
      const exported = await memtrace(["pprof", ...flags, capture, "-o", out]);
      t.equal(exported.status, 0, exported.stderr);
      const top = topOfPprof(go(["-top", "-unit=B", `-sample_index=${sampleIndex}`, out]));
      // pprof keeps every frame (its own tools hide frames): the summary of every frame.
      const summary = await memtrace(["summary", ...flags, "--frames", "all", "--no-color", "--width", "200", capture]);
      const expected = topOfSummary(summary.stdout.toString());
      t.ok(expected.label.startsWith(top.name), `${flags.join(" ") || "default"}: ${top.name} is ${expected.label}`);
      t.equal(formatBytes(top.bytes), expected.ownBytes, `${flags.join(" ") || "default"}: bytes of ${top.name}`);
    }
    // pprof's own view of the file: the four sample types, inuse_space the default, the measures in the comments.
    const raw = go(["-raw", join(dir, "multi.pb.gz")]);
    t.match(raw, /alloc_objects\/count alloc_space\/bytes inuse_objects\/count inuse_space\/bytes\[dflt\]/);
    t.match(raw, /Comment: inuse_objects, inuse_space: Peak memory/);
  },
);
