// Pairing at record time (MEMTRACE_PAIRED, format version 4): the recorder's writer thread pairs every free with
// its allocation, and fold of what it wrote equals fold of the same events unpaired. MEMTRACE_PAIRED=2 writes both
// into one capture, so that one recording is folded both ways. The paired rows are folded in the native kernel (from
// their bytes, and from decoded columns) and in TypeScript: the same bytes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import { FREE_STEP, type Message } from "../../src/codec/model";
import { foldMessages, type FoldOptions } from "../../src/transforms/fold";
import { collect } from "../fixtures/inspect";
import { APPS, ROOT, userEnv } from "./capture";

const tmp = mkdtempSync(join(tmpdir(), "memtrace-paired-"));

// LZ4, so that fold without the kernel reads it on every Node.js line (Node.js 20 has no zstd of its own).
function record(app: string[], paired: string): Message[] {
  const out = join(tmp, `${paired}-${app[0]}.mtrace`);
  const bin = join(ROOT, "bin", "memtrace.js");
  const r = spawnSync(
    "/usr/bin/env",
    ["-u", "NODE_OPTIONS", process.execPath, bin, "record", "--compressor", "lz4", "-o", out, ...app],
    { cwd: APPS, env: userEnv({ env: { MEMTRACE_PAIRED: paired } }), timeout: 60_000, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`memtrace record ${app.join(" ")}: ${r.status} ${r.signal} ${r.stderr}`);
  return decodeAll(readFileSync(out), { paired: true });
}

/** A folded stream's bytes. */
async function folded(messages: Message[], options: FoldOptions): Promise<Buffer> {
  return Buffer.from(encodeAll(await collect(foldMessages(messages, options))));
}

const rows = (messages: Message[], type: "events" | "paired") =>
  messages.reduce((n, m) => n + (m.type === type ? m.batch.length : 0), 0);

// A process family (worker threads, a forked and a spawned child), JS heap samples in workers, and blocks freed in
// one thread and allocated again at once in another (the time leads).
const APPS_FOLDED: [string[], FoldOptions[]][] = [
  [["family.js"], [{}, { measure: "leaks" }]],
  [["js-workers.js"], [{ heap: "js" }, { measure: "temporary" }]],
  [
    ["hand-off.js", "5000", "64"],
    [{}, { measure: "temporary" }],
  ],
];
for (const [app, folds] of APPS_FOLDED) {
  t.test(`given ${app[0]} recorded paired and unpaired at once, then fold gives the same of both`, async (t) => {
    const both = record(app, "2");
    const headers = both.flatMap((m) => (m.type === "header" ? [m.header] : []));
    t.ok(
      headers.every((h) => h.version === 4),
      "every process's scope says version 4",
    );
    const stacks = both.filter((m) => m.type === "stacks");
    t.ok(stacks.length > 0 && stacks.every((m) => m.parentDistance), "its stacks give parent distances (version 4)");
    t.ok(rows(both, "paired") > 1000, "the recorder wrote paired events");
    t.ok(
      both.every((m) => m.type !== "paired" || m.batch.freeReference === FREE_STEP),
      "its frees as steps",
    );
    t.equal(rows(both, "paired"), rows(both, "events"), "one paired row per event");
    const pairedOnly = both.filter((m) => m.type !== "events");
    const file = readFileSync(join(tmp, `2-${app[0]}.mtrace`));
    const pairedBytes = decodeAll(file, { paired: "raw" }).filter((m) => m.type !== "events");
    const unpaired = both
      .filter((m) => m.type !== "paired" && m.type !== "sites")
      .map((m) => (m.type === "header" ? { ...m, header: { ...m.header, version: 1 } } : m));
    for (const options of folds) {
      const [a, b] = [await folded(pairedOnly, options), await folded(unpaired, options)];
      t.ok(a.equals(b), `the same folded bytes, ${JSON.stringify(options)}`);
      const inTs = await folded(pairedOnly, { ...options, kernel: false });
      t.ok(inTs.equals(b), `the same folded bytes in TypeScript, ${JSON.stringify(options)}`);
      const fromBytes = await folded(pairedBytes, options);
      t.ok(fromBytes.equals(b), `the same folded bytes from the batches' bytes, ${JSON.stringify(options)}`);
    }
  });
}

t.test("given MEMTRACE_PAIRED=1, then the capture holds no EventBatch, and the reports read it", async (t) => {
  const messages = record(["pool.js"], "1");
  t.equal(rows(messages, "events"), 0, "no EventBatch");
  t.ok(rows(messages, "paired") > 1000, "paired events");
  const summary = spawnSync(
    process.execPath,
    [join(ROOT, "bin", "memtrace.js"), "summary", join(tmp, "1-pool.js.mtrace")],
    {
      env: userEnv(),
      timeout: 60_000,
      encoding: "utf8",
    },
  );
  t.equal(summary.status, 0, summary.stderr);
  t.match(summary.stdout, /Peak memory/, "summary of the raw paired capture");
  // fold reads it, also with a time given as a percentage of the run; its output is a folded capture of version 1.
  const folded = join(tmp, "pool-at.mtrace");
  const fold = spawnSync(
    process.execPath,
    [join(ROOT, "bin", "memtrace.js"), "fold", "--at", "50%", "-o", folded, join(tmp, "1-pool.js.mtrace")],
    { env: userEnv(), timeout: 60_000, encoding: "utf8" },
  );
  t.equal(fold.status, 0, fold.stderr);
  const out = decodeAll(readFileSync(folded));
  t.ok(
    out.some((m) => m.type === "folded" && m.batch.length > 0),
    "fold --at 50% of the paired capture has rows",
  );
  // The command's own fold: with the kernel, without it, and where it cannot be loaded (silently).
  const outputs = [{}, { MEMTRACE_NO_KERNEL: "1" }, { MEMTRACE_NATIVE_DIR: join(tmp, "no-such-dir") }].map((env) => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, "bin", "memtrace.js"), "fold", "--temporary", join(tmp, "1-pool.js.mtrace")],
      { env: userEnv({ env }), timeout: 60_000 },
    );
    t.equal(r.status, 0, r.stderr.toString());
    t.equal(r.stderr.toString(), "", `nothing on stderr, ${JSON.stringify(env)}`);
    return r.stdout;
  });
  t.ok(outputs[2].equals(outputs[1]), "fold without a loadable kernel: the same bytes");
  t.ok(
    outputs[0].length > 1000 && outputs[0].equals(outputs[1]),
    "fold --temporary: the same bytes with the kernel and without",
  );
});

t.test(
  "given record --paired or --no-paired, then the option, not MEMTRACE_PAIRED, says how events are written; without either, record pairs and --live does not",
  async (t) => {
    const recordWith = (options: string[], env: NodeJS.ProcessEnv) => {
      const out = join(tmp, `flag${options.join("")}.mtrace`);
      const r = spawnSync(
        "/usr/bin/env",
        [
          "-u",
          "NODE_OPTIONS",
          process.execPath,
          join(ROOT, "bin", "memtrace.js"),
          "record",
          ...options,
          "-o",
          out,
          "pool.js",
        ],
        { cwd: APPS, env: userEnv({ env }), timeout: 60_000, encoding: "utf8" },
      );
      t.equal(r.status, 0, r.stderr);
      const messages = decodeAll(readFileSync(out), { paired: true });
      return { version: messages.find((m) => m.type === "header")?.header.version, events: rows(messages, "events") };
    };
    const paired = recordWith(["--paired"], { MEMTRACE_PAIRED: "0" });
    t.equal(paired.version, 4, "--paired: version 4");
    t.equal(paired.events, 0, "--paired: no EventBatch");
    const unpaired = recordWith(["--no-paired"], { MEMTRACE_PAIRED: "1" });
    t.equal(unpaired.version, 1, "--no-paired: version 1");
    t.ok(unpaired.events > 1000, "--no-paired: events");
    const byDefault = recordWith([], {});
    t.equal(byDefault.version, 4, "neither, nor MEMTRACE_PAIRED: version 4, the default");
    t.equal(byDefault.events, 0, "the default: no EventBatch");
    // The live view reads paired captures: served to no viewer, with the capture also written to a file.
    const liveOut = join(tmp, "live-paired.mtrace");
    const live = spawnSync(
      process.execPath,
      [join(ROOT, "bin", "memtrace.js"), "record", "--live-port", "0", "--paired", "-o", liveOut, "pool.js"],
      { cwd: APPS, env: userEnv(), timeout: 60_000, encoding: "utf8" },
    );
    t.equal(live.status, 0, live.stderr);
    const served = decodeAll(readFileSync(liveOut), { paired: true });
    t.equal(served.find((m) => m.type === "header")?.header.version, 4, "--live-port --paired: version 4");
    t.equal(rows(served, "events"), 0, "--live-port --paired: no EventBatch");
    // --live-port alone records unpaired (LIVE_PAIRED_BY_DEFAULT).
    const liveDefault = spawnSync(
      process.execPath,
      [join(ROOT, "bin", "memtrace.js"), "record", "--live-port", "0", "-o", liveOut, "pool.js"],
      { cwd: APPS, env: userEnv(), timeout: 60_000, encoding: "utf8" },
    );
    t.equal(liveDefault.status, 0, liveDefault.stderr);
    const servedDefault = decodeAll(readFileSync(liveOut), { paired: true });
    t.equal(servedDefault.find((m) => m.type === "header")?.header.version, 1, "--live-port alone: version 1");
    const help = spawnSync(process.execPath, [join(ROOT, "bin", "memtrace.js"), "record", "--help"], {
      env: userEnv(),
      timeout: 60_000,
      encoding: "utf8",
    });
    t.match(help.stdout, /--paired +pair each free with its allocation as it records/);
    t.match(help.stdout, /--no-paired/);
  },
);
