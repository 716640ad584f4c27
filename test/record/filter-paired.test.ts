// filter reads paired captures: one recording written both ways at once (MEMTRACE_PAIRED=2), filtered in each
// form and folded, gives the same bytes; its output is a paired capture that every report reads.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import type { Message } from "../../src/codec/model";
import { filterMessages, type FilterOptions } from "../../src/transforms/filter";
import { foldMessages, type FoldOptions } from "../../src/transforms/fold";
import { collect } from "../fixtures/inspect";
import { APPS, ROOT, userEnv } from "./capture";

const tmp = mkdtempSync(join(tmpdir(), "memtrace-filter-paired-"));
const BIN = join(ROOT, "bin", "memtrace.js");

/** One recording of `app`, as its paired and its unpaired form. */
function recordBoth(app: string[]): { paired: Message[]; unpaired: Message[] } {
  const out = join(tmp, `${app[0]}.mtrace`);
  const r = spawnSync("/usr/bin/env", ["-u", "NODE_OPTIONS", process.execPath, BIN, "record", "-o", out, ...app], {
    cwd: APPS,
    env: userEnv({ env: { MEMTRACE_PAIRED: "2" } }),
    timeout: 60_000,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`memtrace record ${app.join(" ")}: ${r.status} ${r.signal} ${r.stderr}`);
  const both = decodeAll(readFileSync(out), { paired: true });
  return {
    paired: both.filter((m) => m.type !== "events"),
    unpaired: both
      .filter((m) => m.type !== "paired" && m.type !== "sites")
      .map((m) => (m.type === "header" ? { ...m, header: { ...m.header, version: 1 } } : m)),
  };
}

async function filteredFold(messages: Message[], filter: FilterOptions, fold: FoldOptions): Promise<Buffer> {
  const filtered = await collect(filterMessages(messages, filter));
  // Through the wire, as `filter | fold` reads it.
  const again = decodeAll(encodeAll(filtered), { paired: true });
  return Buffer.from(encodeAll(await collect(foldMessages(again, fold))));
}

// Threads of libuv's pool, and blocks handed between threads (late frees); one recording each.
const RECORDINGS = [["pool.js"], ["hand-off.js", "3000", "64"]].map((app) => [app[0], recordBoth(app)] as const);

const threadsOf = (messages: Message[]) => [
  ...new Set(messages.flatMap((m) => (m.type === "thread" ? [m.thread.tid] : []))),
];

t.test("given a recording in both forms, when filtered and folded, then both forms give the same bytes", async (t) => {
  for (const [app, { paired, unpaired }] of RECORDINGS) {
    if (app === "hand-off.js") {
      const named = paired.reduce((n, m) => n + (m.type === "paired" ? (m.batch.lateAge?.length ?? 0) : 0), 0);
      t.ok(named > 0, `${named} late frees name their block`);
    }
    const end = Math.max(...paired.flatMap((m) => (m.type === "paired" ? [m.batch.time[m.batch.length - 1]] : [0])));
    // Each filter with a measure of its own: a test file must stay quick.
    const cases: [FilterOptions, FoldOptions][] = [
      [{ minSize: 1000, maxSize: 3001 }, {}],
      [{ maxSize: 64 }, { measure: "total" }],
      [{ tids: threadsOf(paired).slice(1, 3) }, { measure: "leaks" }],
      [{ from: end / 2 }, {}],
      [{ to: end / 3 }, { measure: "leaks" }],
      [{ frames: [/deflate|allocateBlocks|HandOff/i], excludeFrames: [/node::Start/] }, {}],
    ];
    for (const [filter, fold] of cases) {
      const [a, b] = [await filteredFold(paired, filter, fold), await filteredFold(unpaired, filter, fold)];
      t.ok(a.equals(b), `${app}: filter ${JSON.stringify(filter)} | fold ${JSON.stringify(fold)}: the same`);
    }
  }
});

t.test("given a paired capture, then `filter | fold` reads it as the user runs it", async (t) => {
  const file = join(tmp, "pool-paired.mtrace");
  writeFileSync(file, encodeAll(RECORDINGS[0][1].paired));
  const r = spawnSync(
    "/bin/sh",
    ["-c", `"${process.execPath}" "${BIN}" filter --min-size 1000 "${file}" | "${process.execPath}" "${BIN}" summary`],
    {
      env: userEnv(),
      timeout: 60_000,
      encoding: "utf8",
    },
  );
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stderr, "", "no warning");
  t.match(r.stdout, /Peak memory/, "summary of the filtered paired capture");
});
