// Bad input and bad usage: one clear line on stderr naming the command, no stack trace, exit 1 or 2.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t, { type Test } from "tap";
import { encodeAll } from "../../src/codec/encoder";
import { handComputed } from "../fixtures/captures";
import { memtrace, staleBuild, type CliResult } from "../fixtures/cli";
import { builtSinks, fixturePath } from "../fixtures/golden";

const NUMBERS = fixturePath("numbers");
const tmp = mkdtempSync(join(tmpdir(), "memtrace-cli-"));

/**
 * A failure as the user sees it: one line on stderr naming the command, no stack trace. Reports that write as
 * they read (dump, filter) may have written the records before the bad one; the others write nothing.
 */
function oneClearLine(t: Test, r: CliResult, status: number, command: string, what: RegExp, label: string): void {
  t.equal(r.status, status, `${label}: exit ${status}`);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  t.equal(lines.length, 1, `${label}: one line (${JSON.stringify(r.stderr)})`);
  t.match(lines[0] ?? "", new RegExp(`^memtrace${command ? ` ${command}` : ""}: `), `${label}: names the command`);
  t.match(lines[0] ?? "", what, label);
  t.notMatch(r.stderr, /\n\s+at |internal error|: : /, `${label}: no stack trace, no internal error`);
  if (command !== "dump" && command !== "filter") t.equal(r.stdout.length, 0, `${label}: nothing on stdout`);
}

const stale = staleBuild();
if (stale) t.fail(stale);
else {
  const sinks = builtSinks();
  const reports = sinks.map((s) => s.name);
  const profileReports = sinks.filter((s) => s.input === "profile").map((s) => s.name);
  const commands = ["fold", "filter", ...reports];
  const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

  t.test("given a PNG, when any command reads it, then one clear line and exit 1", async (t) => {
    for (const c of commands) {
      oneClearLine(
        t,
        await memtrace([c], { input: png }),
        1,
        c,
        /^memtrace \S+: stdin: byte 0: not a memtrace capture: this looks like a PNG image$/,
        c,
      );
    }
  });

  t.test("given bad input of every kind, when read, then one clear line and exit 1", async (t) => {
    const header = encodeAll(handComputed().messages.slice(0, 1));
    const inputs: [string, Uint8Array, RegExp][] = [
      ["empty input", new Uint8Array(0), /stdin: byte 0: empty input/],
      [
        "random bytes",
        Buffer.from("f3a9c1d40072be11aa09", "hex"),
        /stdin: byte 0: not a memtrace capture: it starts with bytes f3 a9/,
      ],
      [
        "a length prefix announcing gigabytes",
        Buffer.concat([header, Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08])]),
        new RegExp(`stdin: byte ${header.length}: a record announces 2147483648 bytes`),
      ],
      [
        "a malformed Record",
        Buffer.concat([header, Buffer.from([4, 8, 1, 0x3a, 50])]),
        /stdin: byte \d+: malformed record/,
      ],
      ["collapsed stacks", Buffer.from("main;alloc 100\n"), /this looks like a text file/],
      ["a capture cut inside its header", header.subarray(0, 20), /the input ends inside its first record/],
    ];
    // Every kind goes through the same decoder: each kind once, each command at least once.
    for (let i = 0; i < Math.max(inputs.length, commands.length); i++) {
      const [what, input, message] = inputs[i % inputs.length];
      const c = commands[i % commands.length];
      oneClearLine(t, await memtrace([c], { input }), 1, c, message, `${c} on ${what}`);
    }
    const file = join(tmp, "picture.png");
    writeFileSync(file, png);
    oneClearLine(
      t,
      await memtrace(["dump", file]),
      1,
      "dump",
      new RegExp(`${file}: byte 0: not a memtrace capture`),
      "a file is named",
    );
    oneClearLine(
      t,
      await memtrace(["fold", join(tmp, "missing.mtrace")]),
      1,
      "fold",
      /no such file: .*missing\.mtrace/,
      "a missing file",
    );
    oneClearLine(t, await memtrace(["summary", tmp]), 1, "summary", new RegExp(`${tmp} is a directory`), "a directory");
  });

  t.test("given bad usage, when a command runs, then one clear line and exit 2", async (t) => {
    const cases: [string[], string, RegExp][] = [
      [["dump", "--bogus", NUMBERS], "", /unknown option '--bogus'/],
      [["nosuch"], "", /unknown command 'nosuch'/],
      [["filter", "--min-size", "12zz", NUMBERS], "", /expected a size such as 4096, 64k or 1\.5MiB, got "12zz"/],
      [["filter", "--thread", "abc", NUMBERS], "", /expected a positive whole number, got "abc"/],
      [["filter", "--allocator", "mallocc", NUMBERS], "", /unknown allocator "mallocc"/],
      [["filter", "--frame", "(", NUMBERS], "filter", /invalid regular expression "\("/],
      [["fold", "--peak", "--leaks", NUMBERS], "fold", /choose one measure: --peak and --leaks/],
      [["summary", "--after-teardown", NUMBERS], "summary", /--after-teardown goes with --leaks/],
      [["fold", "--total", "--after-teardown", NUMBERS], "fold", /--after-teardown goes with --leaks/],
      ...profileReports.map((r): [string[], string, RegExp] => [
        [r, "--total", "--leaks", NUMBERS],
        r,
        /choose one measure/,
      ]),
    ];
    for (const [args, command, message] of cases)
      oneClearLine(t, await memtrace(args), 2, command, message, args.join(" "));
  });

  t.test("given a truncated capture, when read, then the report is made, with a warning, and exit 0", async (t) => {
    for (const c of ["dump", ...profileReports]) {
      const r = await memtrace([c, fixturePath("truncated-mid-record")]);
      t.equal(r.status, 0, c);
      t.ok(r.stdout.length > 0, `${c}: a report`);
      t.match(r.stderr, /warning: .*truncated-mid-record\.mtrace: the capture ends inside a record/, `${c}: warns`);
      t.notMatch(r.stderr, /\n\s+at /, `${c}: no stack trace`);
    }
  });
}
