// The command line's edges, run in-process (a few hundred commands in seconds): every mistake a user can make
// with options, ranges, files and foreign input ends in one line naming the command and exit 1 (bad input) or 2
// (bad usage), never an internal error or a stack trace. test/cli/errors.test.ts runs a few of these as processes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t, { type Test } from "tap";
import type { Command } from "commander";
import { ROOT, staleBuild, type CliResult } from "../fixtures/cli";
import { fixturePath } from "../fixtures/golden";
import { runArgsInProcess } from "../fixtures/inprocess";

const CAPTURE = readFileSync(fixturePath("numbers"));
const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
const FILES = {
  "app.mtrace": CAPTURE,
  "picture.png": PNG,
  "stacks.folded": Buffer.from("main;alloc 100\n"),
  "empty.mtrace": new Uint8Array(0),
  folder: "folder" as const,
};
/**
 * Commands that start or attach to processes, or need a terminal and write no output (live): their edges are
 * tested where they are (test/record, test/attach, test/live).
 */
const NOT_HERE = new Set(["record", "attach", "detach", "doctor", "live"]);
/** Options whose value is free text: any value is right. */
const FREE_TEXT = new Set(["--output", "--title", "--frame", "--exclude-frame"]);
const BAD_VALUES = ["abc", "-1", "0", "1e999", "99999999999999999999", "12zz", ""];
/** Options for which some of those are right: a time, a size or a share of 0; no least frame width. */
const RIGHT_VALUES: Record<string, string[]> = {
  ...Object.fromEntries(
    ["--at", "--between", "--from", "--to", "--min-size", "--max-size", "--threshold", "--fail-over"].map((o) => [
      o,
      ["0"],
    ]),
  ),
  "--minwidth": ["0", "99999999999999999999"],
};

/** The file arguments of a command: one capture, or BASE and NEW for diff. */
function files(c: Command, file: string): string[] {
  return c.registeredArguments.filter((a) => a.required).length === 2 ? [file, file] : [file];
}

function clean(t: Test, r: CliResult, label: string): void {
  t.notMatch(r.stderr, /internal error|\n\s+at |Error:/, `${label}: no internal error, no stack trace`);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  if (r.status !== 0) {
    t.equal(lines.length, 1, `${label}: one line (${JSON.stringify(r.stderr)})`);
    t.match(lines[0] ?? "", /^memtrace( \S+)?: /, `${label}: names memtrace`);
  }
}

function expectFailure(t: Test, r: CliResult, status: number, message: RegExp, label: string): void {
  clean(t, r, label);
  t.equal(r.status, status, `${label}: exit ${status}`);
  t.match(r.stderr, message, label);
  t.equal(r.stdout.length, 0, `${label}: nothing written`);
}

const stale = staleBuild();
if (stale) t.fail(stale);
else {
  const { buildProgram } = require(join(ROOT, "dist", "src", "cli", "main.js")) as typeof import("../../src/cli/main");
  const commands = buildProgram().commands.filter((c: Command) => !NOT_HERE.has(c.name()));

  t.test("given a bad value for any option of any command, then a usage error (exit 2), never more", async (t) => {
    for (const c of commands) {
      for (const o of c.options) {
        if (!o.required && !o.optional) continue;
        if (FREE_TEXT.has(o.long ?? "")) continue;
        for (const v of BAD_VALUES) {
          // --between takes two times; --temporary's count is optional (a word after it is the file).
          const args = o.long === "--between" ? [o.long, v, "1s"] : [o.long!, v];
          const label = `${c.name()} ${args.join(" ")}`;
          const r = await runArgsInProcess([c.name(), ...args, ...files(c, "app.mtrace"), "-o", "out"], FILES);
          clean(t, r, label);
          t.equal(r.status, RIGHT_VALUES[o.long!]?.includes(v) ? 0 : 2, `${label}: exit status`);
        }
      }
    }
  });

  t.test("given a range that ends before it starts, then a usage error naming it", async (t) => {
    const folding = commands.filter((c) => c.options.some((o) => o.long === "--between")).map((c) => c.name());
    const cases: [string[], RegExp][] = [
      ...folding.flatMap((c): [string[], RegExp][] => [
        [[c, "--between", "5s", "2s"], /--between: the window ends \(2s\) before it starts \(5s\)/],
        [[c, "--between", "50%", "20%"], /--between: the window ends \(20%\) before it starts \(50%\)/],
        [[c, "--leaks", "--between", "2000ms", "1s"], /--between: the window ends \(1s\) before it starts \(2s\)/],
      ]),
      [["filter", "--from", "5s", "--to", "2s"], /the time range ends \(--to\) before it starts \(--from\)/],
      [["filter", "--min-size", "2k", "--max-size", "1k"], /the size range ends \(--max-size\)/],
    ];
    for (const [args, message] of cases) {
      const label = args.join(" ");
      const c = commands.find((c) => c.name() === args[0])!;
      const r = await runArgsInProcess([...args, ...files(c, "app.mtrace"), "-o", "out"], FILES);
      expectFailure(t, r, 2, message, label);
      // The options are read before the file: a mistake in both names the options.
      const missing = await runArgsInProcess([...args, ...files(c, "missing.mtrace")], FILES);
      expectFailure(t, missing, 2, message, `${label} missing`);
    }
  });

  t.test("given files that are not captures, then bad input (exit 1) naming the file", async (t) => {
    const cases: [string, RegExp][] = [
      ["missing.mtrace", /: no such file: missing\.mtrace$/m],
      ["folder", /: folder is a directory, not a capture file$/m],
      ["picture.png", /: picture\.png: byte 0: not a memtrace capture: this looks like a PNG image$/m],
      ["stacks.folded", /: stacks\.folded: byte 0: not a memtrace capture: this looks like a text file/m],
      ["empty.mtrace", /: empty\.mtrace: byte 0: empty input/m],
    ];
    for (const c of commands) {
      for (const [file, message] of cases) {
        const label = `${c.name()} ${file}`;
        const r = await runArgsInProcess([c.name(), ...files(c, file), "-o", "out"], FILES);
        expectFailure(t, r, 1, message, label);
      }
      // A time as a share of the run reads the file before the fold does.
      if (c.options.some((o) => o.long === "--at")) {
        const r = await runArgsInProcess([c.name(), "--at", "50%", ...files(c, "missing.mtrace")], FILES);
        expectFailure(t, r, 1, /no such file: missing\.mtrace/, `${c.name()} --at 50% missing.mtrace`);
      }
    }
  });

  t.test("given an output that cannot be written, then bad input (exit 1) naming it", async (t) => {
    for (const c of commands) {
      const cases: [string, RegExp][] = [
        ["folder", /cannot write folder: it is a directory/],
        ["nowhere/out", /cannot write nowhere\/out: no such folder nowhere/],
      ];
      for (const [out, message] of cases) {
        const label = `${c.name()} -o ${out}`;
        const r = await runArgsInProcess([c.name(), ...files(c, "app.mtrace"), "-o", out], FILES);
        expectFailure(t, r, 1, message, label);
      }
    }
  });

  t.test("given unknown words, then a usage error", async (t) => {
    const cases: [string[], RegExp][] = [
      [["summary", "app.mtrace", "app.mtrace"], /too many arguments for 'summary'/],
      [["fold", "--bogus", "app.mtrace"], /unknown option '--bogus'/],
      [["filter", "--allocator", "toString", "app.mtrace"], /unknown allocator "toString"/],
      [["filter", "--allocator", ",", "app.mtrace"], /expected allocator names/],
      [["fold", "--heap", "gpu", "app.mtrace"], /argument 'gpu' is invalid/],
    ];
    for (const [args, message] of cases) {
      expectFailure(t, await runArgsInProcess(args, FILES), 2, message, args.join(" "));
    }
  });
}
