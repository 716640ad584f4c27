// The memtrace command's input and output as a user meets them: files, stdin, -o, a terminal, --help.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { MEMTRACE, memtrace, onTerminal, staleBuild } from "../fixtures/cli";
import { builtSinks, fixturePath } from "../fixtures/golden";

const NUMBERS = fixturePath("numbers");
const tmp = mkdtempSync(join(tmpdir(), "memtrace-cli-"));

const stale = staleBuild();
if (stale) t.fail(stale);
else {
  const sinks = builtSinks();
  const reports = sinks.map((s) => s.name);
  const commands = ["fold", "filter", ...reports];

  t.test("given --help on every command, then it exits 0 with usage and examples", async (t) => {
    const top = await memtrace(["--help"]);
    t.equal(top.status, 0);
    for (const c of commands) t.match(top.stdout.toString(), new RegExp(`\\n  ${c} `), `memtrace --help lists ${c}`);
    t.match(top.stdout.toString(), /Examples:\n\s+\$ memtrace /);
    for (const c of commands) {
      const r = await memtrace([c, "--help"]);
      t.equal(r.status, 0, `${c} --help exits 0`);
      t.match(r.stdout.toString(), new RegExp(`^Usage: memtrace ${c} \\[options\\] \\[file\\]`), `${c}: usage`);
      t.match(r.stdout.toString(), /-o, --output <file>/, `${c}: -o`);
      t.match(r.stdout.toString(), new RegExp(`Examples:\\n\\s+\\$ .*memtrace ${c}`), `${c}: examples`);
    }
  });

  t.test(
    "given a capture, when each command reads it from a file and from stdin, then the output is the same",
    async (t) => {
      const input = readFileSync(NUMBERS);
      for (const c of commands) {
        const fromFile = await memtrace([c, NUMBERS]);
        const fromStdin = await memtrace([c], { input });
        t.equal(fromFile.status, 0, `${c} file: ${fromFile.stderr}`);
        t.ok(fromFile.stdout.length > 0, `${c}: some output`);
        t.ok(fromFile.stdout.equals(fromStdin.stdout), `${c}: the same from a file and from stdin`);
        if (c === "fold" || c === reports.at(-1)) {
          const out = join(tmp, `${c}.out`);
          const toFile = await memtrace([c, NUMBERS, "-o", out]);
          t.equal(toFile.status, 0);
          t.equal(toFile.stdout.length, 0, `${c} -o: nothing on stdout`);
          t.ok(readFileSync(out).equals(fromFile.stdout), `${c} -o: the file holds the output`);
        }
      }
    },
  );

  t.test(
    "given a terminal as stdout, when a command's output is binary, then it refuses and says what to do",
    async (t) => {
      for (const c of ["fold", "filter"]) {
        const r = await onTerminal(`${MEMTRACE} ${c} ${NUMBERS}`);
        t.equal(r.status, 2, `${c}: exit 2`);
        const text = r.stdout.toString();
        t.match(text, new RegExp(`memtrace ${c}: the output of ${c} is binary and stdout is a terminal`));
        t.match(text, /with -o \(memtrace \w+ -o out\.mtrace\) or pipe it into another command/);
        t.notOk(text.includes("\u0000"), "no binary reached the terminal");
      }
      const ok = await onTerminal(`${MEMTRACE} fold ${NUMBERS} -o ${join(tmp, "tty.mtrace")}`);
      t.equal(ok.status, 0, "fold -o FILE on a terminal is fine");
      const text = await onTerminal(`${MEMTRACE} dump ${NUMBERS}`);
      t.equal(text.status, 0, "dump writes text to a terminal");
      t.match(text.stdout.toString(), /pid 10 header format="memtrace"/);
    },
  );

  t.test("given a terminal as stdin and no file, when a command runs, then it says how to give it input", async (t) => {
    const r = await onTerminal(`${MEMTRACE} ${reports.at(-1)}`);
    t.equal(r.status, 2);
    t.match(r.stdout.toString(), /no input: give a capture file .* or pipe one in/);
  });
}
