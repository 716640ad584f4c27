// A frame id names one function for good: the recorder retires the frames where V8 puts new code and keeps
// V8's code ranges as its CPU profiler does. A C++ check (test/fixtures/addon/tables_check.cpp) holds the
// interning map, the code ranges and the retirement to simple models with random operations, fixed seeds here.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import t from "tap";

const CHECK = join(__dirname, "..", "..", "native", "build", "Release", "memtrace_tables_check");

for (const seed of [1, 2]) {
  t.test(
    `given random operations (seed ${seed}), then the tables and code ranges agree with their models`,
    async (t) => {
      const run = spawnSync(CHECK, [String(seed), "100000"], { encoding: "utf8" });
      t.equal(run.status, 0, run.stderr);
      const summary = /(\d+) operations on each model agreed; (\d+) frames retired/.exec(run.stdout);
      t.ok(summary, run.stdout);
      t.ok(Number(summary![2]) > 10_000, `the check retired frames (${summary![2]})`);
    },
  );
}
