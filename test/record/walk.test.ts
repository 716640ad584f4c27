// The recorder's stack walk reuses the frames a stack shares with the thread's last one, after checking them
// (native/preload/stack_walk.h). A C++ check (test/fixtures/addon/walk_check.cpp) holds it to the plain walk on
// synthetic stacks that change between walks (interpreted frames among them, whose bytecode moves on while their
// frame stays); here it runs with fixed seeds.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import t from "tap";

const CHECK = join(__dirname, "..", "..", "native", "build", "Release", "memtrace_walk_check");

for (const seed of [1, 2, 3]) {
  t.test(
    `given synthetic stacks (seed ${seed}), when walked with the cache, then every walk is the plain walk`,
    async (t) => {
      const run = spawnSync(CHECK, [String(seed), "300000"], { encoding: "utf8" });
      t.equal(run.status, 0, run.stderr);
      const summary =
        /(\d+) took the last walk whole, (\d+) in part; (\d+) truncated, (\d+) broken; (\d+) interpreted/.exec(
          run.stdout,
        );
      t.ok(summary, run.stdout);
      const [whole, partly, truncated, broken, interpreted] = summary!.slice(1).map(Number);
      // The check proves something only if it went through every path.
      t.ok(whole > 10_000, `whole stacks taken from the last walk: ${whole}`);
      t.ok(partly > 10_000, `stacks taken in part: ${partly}`);
      t.ok(truncated > 10_000 && truncated < 290_000, `truncated walks: ${truncated}`);
      t.ok(broken > 10_000, `broken walks: ${broken}`);
      t.ok(interpreted > 10_000, `frames keyed by their bytecode: ${interpreted}`);
    },
  );
}
