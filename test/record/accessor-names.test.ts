// V8 names a getter's and a setter's code "get big" and "set big": the space in the name is not where the script
// begins, so their frames keep their names and point at the app's file and lines.
import { join } from "node:path";
import t from "tap";
import { APPS, collapsedStacks, memtrace } from "./capture";

t.test("native memory allocated in a getter and a setter is under their names, in the app's file", async (t) => {
  const dir = t.testdir({});
  const app = join(APPS, "accessors.js");
  const file = join(dir, "acc.mtrace");
  const run = await memtrace(["record", "-o", file, app]);
  t.equal(run.status, 0, run.stderr);
  t.equal(run.stdout.toString(), "kept 80 buffers\n");
  const folded = await memtrace(["collapsed", "--total", file]);
  t.equal(folded.status, 0, folded.stderr);
  const stacks = collapsedStacks(folded.stdout.toString());
  const under = (frame: RegExp) =>
    stacks.filter(([frames]) => frames.some((f) => frame.test(f))).reduce((s, [, bytes]) => s + bytes, 0);
  t.ok(under(new RegExp(`^get big \\(${app}:5\\)$`)) >= 40 * 256 * 1024, "the getter's buffers under get big");
  t.ok(under(new RegExp(`^set big \\(${app}:8\\)$`)) >= 40 * 128 * 1024, "the setter's buffers under set big");
  // Before, the property name was taken as the start of the script: "get (big /path/accessors.js:5)".
  const glued = stacks.flatMap(([frames]) => frames).filter((f) => /^(get|set) \(\S+ (\/|node:)/.test(f));
  t.same([...new Set(glued)], [], "no frame with the property name glued to its script");
});
