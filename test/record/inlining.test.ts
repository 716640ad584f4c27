// A function that TurboFan inlines into its caller has no frame of its own, and in the caller's optimised code
// V8 does not say which function each instruction came from: by default the recorder keeps V8 from inlining, so
// that an allocating helper in a hot loop is in the stack with its line, and its caller with the line of the
// call. --inlining lets V8 inline as it does without memtrace.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { APPS, collapsedStacks, shell } from "./capture";

const app = join(APPS, "inlined-helper.js");
const source = readFileSync(app, "utf8").split("\n");
const lineOf = (text: string) => source.findIndex((l) => l.includes(text)) + 1;
const BLOCKS = "50000";

/** Bytes of the helper's blocks (4000-4007 bytes) by folded stack. */
async function blocksByStack(recordOptions: string[]): Promise<[string, number][]> {
  const bin = `"${process.execPath}" bin/memtrace.js`;
  const run = await shell(
    `${bin} record ${recordOptions.join(" ")} "${app}" ${BLOCKS} | ` +
      `${bin} filter --min-size 4000 --max-size 4007 | ${bin} fold --total | ${bin} collapsed --frames all`,
    { withoutTestHooks: true },
  );
  return collapsedStacks(run.stdout.toString("utf8")).map(([frames, bytes]) => [frames.join(";"), bytes]);
}

t.test("given a hot loop whose allocating helper TurboFan inlines", async (t) => {
  const traced = spawnSync(process.execPath, ["--trace-turbo-inlining", app, BLOCKS], { encoding: "utf8" });
  t.match(traced.stdout, /Inlining .*makeBlock.* into .*fill/, "without memtrace, V8 inlines makeBlock into fill");

  const helperAndCall = `fill (${app}:${lineOf("makeBlock(i).length")});makeBlock (${app}:${lineOf("allocUnsafeSlow")})`;
  const share = (stacks: [string, number][]) => {
    const total = stacks.reduce((sum, [, bytes]) => sum + bytes, 0);
    const under = stacks.filter(([stack]) => stack.includes(helperAndCall)).reduce((sum, [, b]) => sum + b, 0);
    return { total, under };
  };

  const recorded = share(await blocksByStack([]));
  t.ok(recorded.total >= 50000 * 4000, "every block is in the capture");
  t.ok(
    recorded.under >= 0.9 * recorded.total,
    `at least 90% under the helper at its line, called from the loop's line: ${((100 * recorded.under) / recorded.total).toFixed(1)}%`,
  );

  const inlined = share(await blocksByStack(["--inlining"]));
  t.ok(
    inlined.under < 0.5 * inlined.total,
    `with --inlining, V8 inlines the helper and most blocks have no frame of it: ${((100 * inlined.under) / inlined.total).toFixed(1)}%`,
  );
});
