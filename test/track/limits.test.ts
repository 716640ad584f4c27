// require("memtrace/test") in the test runners users have: node:test and tap run files that use limitMemory and
// limitLeaks; a test within its budget passes, one over it fails with the function's name and where its memory went.
import { join } from "node:path";
import t from "tap";
import { node } from "../record/capture";

const apps = join(__dirname, "apps");
const nodeTest = (over: string) =>
  node(["--test", "--test-reporter=tap", join(apps, "budget.node-test.js")], { env: { MEMTRACE_OVER: over } });

t.test("given node:test files within their budgets, then every test passes", async (t) => {
  const run = await nodeTest("");
  t.equal(run.status, 0, run.stdout.toString());
  t.match(run.stdout.toString(), /# pass 3/);
});

t.test("given limitMemory over its budget, then the test fails naming the function and its bytes", async (t) => {
  const run = await nodeTest("memory");
  const out = run.stdout.toString();
  t.equal(run.status, 1);
  t.match(out, /# fail 1/);
  t.match(out, /limitMemory: buildIndex peaked at 16\.\d MiB, over its limit of 8\.0 MiB/);
  t.match(
    out,
    /16\.0 MiB {2}buildIndex \(.*budget\.node-test\.js:12\)/,
    "the top location is the function at its allocating line (12), with its bytes",
  );
  t.match(out, /The capture is kept: memtrace summary .*buildIndex\.mtrace/);
});

t.test("given limitLeaks over its budget, then the test fails naming what the function kept", async (t) => {
  const run = await nodeTest("leaks");
  const out = run.stdout.toString();
  t.equal(run.status, 1);
  t.match(out, /# fail 1/);
  // All threads count: a compile V8 runs beside the function in the window can add to its 8 MiB.
  const left = /limitLeaks: rememberRequests left (\d+\.\d) MiB allocated, over its limit of 4\.0 MiB/.exec(out);
  t.ok(left && Number(left[1]) >= 8 && Number(left[1]) < 12, `what was left: ${left?.[1]} MiB`);
  t.match(out, /8\.0 MiB {2}rememberRequests \(/);
  t.match(out, /ok 3 - churn leaks nothing/, "what was dropped and collected is not a leak");
});

t.test("given tap, then a budget passes and fails the same way", async (t) => {
  // The file runs as tap files do, under node; not under the tap runner, whose .tap folder is this suite's own.
  const file = join(apps, "budget.tap-test.js");
  const pass = await node([file]);
  t.equal(pass.status, 0, pass.stdout.toString());
  t.match(pass.stdout.toString(), /# \{ total: 1, pass: 1 \}/);
  const fail = await node([file], { env: { MEMTRACE_OVER: "memory" } });
  t.equal(fail.status, 1);
  t.match(fail.stdout.toString(), /not ok 1 - limitMemory: buildIndex peaked at 16\.\d MiB/);
});
