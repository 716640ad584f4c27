// Every report reads a raw paired capture (format version 4) as fold does: one recording written in both forms at
// once (MEMTRACE_PAIRED=2), split into a paired capture and an unpaired one, gives the same report from each.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import type { Message } from "../../src/codec/model";
import { APPS, memtrace as run } from "../record/capture";

// Without the test runner's hooks in each command: they would triple this file's time.
const memtrace = (args: string[]) => run(args, { withoutTestHooks: true, timeoutMs: 60_000 });

const tmp = mkdtempSync(join(tmpdir(), "memtrace-paired-readers-"));
// The same file name in two folders: reports that name their input say the same.
const PAIRED = join(tmp, "paired", "app.mtrace");
const UNPAIRED = join(tmp, "unpaired", "app.mtrace");

t.before(async () => {
  const both = join(tmp, "both.mtrace");
  // pool.js: libuv's pool threads; small enough for a report a second. (test/record/paired.test.ts folds process
  // families and JS samples both ways.)
  const r = await run(["record", "-o", both, join(APPS, "pool.js")], {
    env: { MEMTRACE_PAIRED: "2" },
    withoutTestHooks: true,
    timeoutMs: 60_000,
  });
  if (r.status !== 0) throw new Error(`memtrace record: ${r.status} ${r.signal} ${r.stderr}`);
  const messages = decodeAll(readFileSync(both), { paired: true });
  const pairedOnly = messages.filter((m) => m.type !== "events");
  const unpaired = messages
    .filter((m) => m.type !== "paired" && m.type !== "sites")
    .map((m): Message => (m.type === "header" ? { ...m, header: { ...m.header, version: 1 } } : m));
  for (const [file, form] of [
    [PAIRED, pairedOnly],
    [UNPAIRED, unpaired],
  ] as const) {
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, encodeAll(form));
  }
});

const REPORTS: string[][] = [
  ["summary"],
  ["summary", "--leaks"],
  ["summary", "--at", "50%"],
  ["table", "--total"],
  ["tree", "--frames", "all"],
  ["stats"],
  ["stats", "--json", "--leaks"],
  ["flame"],
  ["flame", "--html"],
  ["collapsed", "--total"],
  ["pprof"],
  ["speedscope"],
  ["heapprofile"],
  ["csv", "--frames", "all"],
];

t.test("given a raw paired capture, then every report writes what it writes of the unpaired form", async (t) => {
  for (const args of REPORTS) {
    const [a, b] = await Promise.all([memtrace([...args, PAIRED]), memtrace([...args, UNPAIRED])]);
    t.equal(a.status, 0, `${args.join(" ")}: ${a.stderr}`);
    t.equal(a.stderr, b.stderr, `${args.join(" ")}: the same warnings`);
    t.ok(a.stdout.length > 100, `${args.join(" ")} writes a report`);
    t.ok(a.stdout.equals(b.stdout), `${args.join(" ")}: the same bytes`);
  }
});

t.test("given a paired and an unpaired capture, then diff compares them as two unpaired ones", async (t) => {
  const [a, b] = await Promise.all([memtrace(["diff", PAIRED, UNPAIRED]), memtrace(["diff", UNPAIRED, UNPAIRED])]);
  t.equal(a.status, 0, a.stderr);
  t.ok(a.stdout.length > 0);
  // The comparison names its inputs.
  t.equal(a.stdout.toString().replaceAll(PAIRED, UNPAIRED), b.stdout.toString(), "the same comparison");
  t.match(a.stdout.toString(), /BASE to NEW: 0 B/, "nothing changed");
});

t.test("given a raw paired capture, then fold | summary equals summary", async (t) => {
  const folded = join(tmp, "folded.mtrace");
  t.equal((await memtrace(["fold", "--leaks", PAIRED, "-o", folded])).status, 0);
  const [a, b] = await Promise.all([memtrace(["summary", folded]), memtrace(["summary", "--leaks", UNPAIRED])]);
  t.equal(a.stdout.toString(), b.stdout.toString());
});

t.test("given a raw paired capture, then dump prints its sites and every paired row readably", async (t) => {
  const [a, b] = await Promise.all([memtrace(["dump", PAIRED]), memtrace(["dump", UNPAIRED])]);
  t.equal(a.status, 0, a.stderr);
  const [paired, unpaired] = [a.stdout.toString(), b.stdout.toString()];
  const rows = (text: string) => text.split("\n").filter((l) => l.startsWith("  t=")).length;
  t.equal(rows(paired), rows(unpaired), "a row per event");
  t.match(paired, /pid \d+ sites first=1 n=\d+\n {2}site 1 \S+ size=\d+ stack=\d+ count=1\n/, "sites by id");
  t.match(paired, /\n {2}t=\d+ tid=\d+ site=\d+\n/, "an allocation names its site");
  t.match(paired, /\n {2}t=\d+ tid=\d+ free age=\d+\n/, "a free names its allocation by age");
  t.match(paired, /\n {2}t=\d+ tid=\d+ munmap 0x[0-9a-f]+ length=\d+\n/, "a munmap keeps its address");
  t.match(paired, /\n {2}t=\d+ tid=\d+ site=\d+ address=0x[0-9a-f]+\n/, "so does an mmap");
});

t.test("given a raw paired capture, then `filter | fold` gives what it gives of the unpaired form", async (t) => {
  const folded = await Promise.all(
    [PAIRED, UNPAIRED].map(async (file) => {
      const out = join(tmp, `filtered-${file === PAIRED ? "paired" : "unpaired"}.mtrace`);
      const f = await memtrace(["filter", "--min-size", "64", file, "-o", out]);
      t.equal(f.status, 0, f.stderr);
      const r = await memtrace(["fold", "--leaks", out]);
      t.equal(r.status, 0, r.stderr);
      return r.stdout;
    }),
  );
  t.ok(folded[0].length > 0 && folded[0].equals(folded[1]), "the same folded bytes");
});
