// memtrace diff on two recordings of one app with a small and a large input: the function whose allocations grew
// leads the report, and --fail-over sets the exit status. One pair of recordings serves every assertion; the
// diffs run in-process.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { ROOT } from "../fixtures/cli";
import { runArgsInProcess } from "../fixtures/inprocess";
import { APPS, userEnv } from "./capture";

const app = join(APPS, "diff-app.js");
const dir = mkdtempSync(join(tmpdir(), "memtrace-diff-"));

/** `memtrace record` of the app with this many rows, within a time limit. */
function record(rows: number, file: string): Promise<void> {
  const args = [
    join(ROOT, "bin", "memtrace.js"),
    "record",
    "--js-interval",
    "16384",
    "-o",
    file,
    "--",
    process.execPath,
  ];
  return new Promise((resolve, reject) =>
    execFile(
      "/usr/bin/env",
      ["-u", "NODE_OPTIONS", process.execPath, ...args, app, String(rows)],
      { env: userEnv(), timeout: 60_000 },
      (error, _stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve()),
    ),
  );
}

t.test("given a small and a large run of one app, when diffed, then the function that grew leads", async (t) => {
  const small = join(dir, "small.mtrace");
  const large = join(dir, "large.mtrace");
  await record(2_000, small);
  await record(100_000, large);
  const files = { "small.mtrace": readFileSync(small), "large.mtrace": readFileSync(large) };
  const diff = (...args: string[]) => runArgsInProcess(["diff", ...args, "-o", "out"], files);

  // The JS heap: where JavaScript functions allocate (the native heap's own bytes are the runtime's until the
  // reports' app view gives them to the app's frames).
  const text = await diff("--leaks", "--heap", "js", "small.mtrace", "large.mtrace");
  t.equal(text.status, 0, text.stderr);
  const out = text.stdout.toString();
  t.match(out, /^Leaked memory \(JS heap, estimated\), BASE to NEW: \+\d/);
  const grew = /locations? grew.*:\n.*\n(.*)\n/.exec(out)?.[1] ?? "";
  t.match(grew, /^ *\+\d+(\.\d)? MiB .*fillCache \(.*diff-app\.js:\d+\)$/, `fillCache leads: ${grew}`);
  const stack = /stacks? grew.*:\n.*\n(.*)\n/.exec(out)?.[1] ?? "";
  t.match(stack, / fillCache \(.*diff-app\.js:\d+\) ← /, `the stack that grew most ends in fillCache: ${stack}`);

  const json = JSON.parse(
    (await diff("--json", "--leaks", "--heap", "js", "small.mtrace", "large.mtrace")).stdout.toString(),
  );
  t.match(json.locations[0].location, /^fillCache /);
  const growth = json.change.bytes;
  t.ok(
    json.locations[0].change.bytes > 0.8 * growth,
    `fillCache: ${json.locations[0].change.bytes} of ${growth} bytes`,
  );
  t.ok(growth > 4 * 2 ** 20, `the JS heap grew by ${growth} bytes (98,000 more rows)`);

  const reversed = (await diff("--leaks", "--heap", "js", "large.mtrace", "small.mtrace")).stdout.toString();
  const shrank = /locations? shrank.*:\n.*\n(.*)\n/.exec(reversed)?.[1] ?? "";
  t.match(shrank, /^ *-\d+(\.\d)? MiB .*fillCache /, `the other way round, fillCache shrank most: ${shrank}`);

  // The whole capture (both heaps): the growth is over a budget of 1 MiB, within one of 1 GiB.
  const over = await diff("--leaks", "--fail-over", "1MiB", "small.mtrace", "large.mtrace");
  t.equal(over.status, 3, "over the budget: exit 3");
  t.match(over.stderr, /^memtrace diff: Growth \+\d+(\.\d)? MiB is over the budget of 1\.0 MiB \(--fail-over\)\.\n$/);
  const within = await diff("--leaks", "--fail-over", "1GiB", "small.mtrace", "large.mtrace");
  t.equal(within.status, 0, "within the budget: exit 0");
  t.equal(within.stderr, "");
});
