// `memtrace fold x | memtrace <report>` must write exactly what `memtrace <report> x` writes: a report folds its
// input first, and fold is idempotent. Checked in-process for every measure, and once through a real shell pipe of
// the built command.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { decode } from "../../src/codec/decoder";
import { encode } from "../../src/codec/encoder";
import type { Message } from "../../src/codec/model";
import { collapsed } from "../../src/sinks/collapsed";
import type { SinkDefinition } from "../../src/sinks/sink";
import { flame } from "../../src/sinks/flame";
import { summary } from "../../src/sinks/summary";
import { foldMessages } from "../../src/transforms/fold";
import { runReport, workedExample } from "./capture";

// Known bug, in fold rather than in the reports: folding a folded stream lists each process twice in
// FoldInfo.processes (the process's own header, passed through by the first fold, starts an empty process in the
// second), so the reports whose title names the processes differ. Remove `todo` when fold is fixed.
const REFOLD_BUG = "fold | fold lists every process twice in FoldInfo.processes (src/transforms/fold.ts)";

const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "bin", "memtrace.js");

/** Why the built command cannot be tested: dist/ older than a source file (`npm test` builds first). */
function staleDist(): string | undefined {
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
      ),
    );
  return newest(join(ROOT, "src")) > newest(join(ROOT, "dist", "src"))
    ? "dist/ is older than src/: run `npm run build`"
    : undefined;
}

/** Runs a shell command line as a user would, without the test runner's loader options. */
function sh(command: string) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return spawnSync("/bin/sh", ["-c", command], { env, maxBuffer: 64 * 1024 * 1024 });
}

type AnySink = SinkDefinition<Record<string, unknown>>;
const REPORTS: { sink: AnySink; options: Record<string, unknown>; todo?: string }[] = [
  { sink: flame as AnySink, options: {}, todo: REFOLD_BUG },
  { sink: summary as AnySink, options: { color: false }, todo: REFOLD_BUG },
  { sink: collapsed as AnySink, options: {} },
];

/** `memtrace fold [--measure]` as bytes. */
async function folded(bytes: Uint8Array, measure?: "peak" | "leaks" | "total"): Promise<Uint8Array> {
  const messages: AsyncIterable<Message> = foldMessages(decode([bytes]), { measure });
  const parts: Uint8Array[] = [];
  for await (const chunk of encode(messages)) parts.push(chunk);
  return Buffer.concat(parts);
}

for (const { sink, options, todo } of REPORTS) {
  for (const measure of [undefined, "peak", "leaks", "total"] as const) {
    t.test(
      `given a capture folded ${measure ?? "by default"}, when ${sink.name} reads it, then it writes what it writes for the raw capture`,
      async (t) => {
        const raw = workedExample();
        const direct = await runReport(sink, raw, options, measure);
        const again = await runReport(sink, await folded(raw, measure), options);
        t.equal(again, direct, "fold | report", { todo });
        const same = await runReport(sink, await folded(raw, measure), options, measure);
        t.equal(same, direct, "fold | report with the same measure", { todo });
      },
    );
  }
}

t.test(
  "given the built command, when a shell pipes fold into each report, then the bytes equal the report's own",
  { skip: process.env.CI ? undefined : staleDist() },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "memtrace-pipe-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "worked.mtrace");
    writeFileSync(file, workedExample());
    const memtrace = `"${process.execPath}" "${BIN}"`;
    for (const { sink, todo } of REPORTS) {
      const report = sink.name;
      // The measures are checked in-process above; here, the default one through real processes and a real pipe.
      const direct = sh(`${memtrace} ${report} "${file}"`);
      const piped = sh(`${memtrace} fold "${file}" | ${memtrace} ${report}`);
      t.equal(direct.status, 0, `${report}: ${direct.stderr}`);
      t.equal(piped.status, 0, `fold | ${report}: ${piped.stderr}`);
      t.equal(piped.stderr.toString(), "");
      t.ok(direct.stdout.length > 0);
      t.ok(piped.stdout.equals(direct.stdout), `fold | ${report} = ${report}`, { todo });
    }
  },
);
