// Lines of frames V8 has not optimised: by default memtrace records with V8's interpreter and TurboFan only (no
// Sparkplug, no Maglev), and keys each interpreted frame by the bytecode it runs, so that a function called once,
// a loop before TurboFan and their callers carry the line (and column) executing in them, on every Node.js line
// (docs/js-frames.md). One recording per line, on the tests' own node and on each fetched line.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { nodeLines, type NodeLine } from "../fixtures/node-lines";
import { APPS, Capture, MALLOC, memtrace } from "./capture";

t.setTimeout(15 * 60 * 1000); // a fresh clone fetches and builds the lines first (CI does it before the tests)

const app = join(APPS, "interpreted-lines.js");
const source = readFileSync(app, "utf8").split("\n");
/** The 1-based line whose comment is `// marker`, and the 1-based column of `word` on it. */
const at = (marker: string, word: string) => {
  const index = source.findIndex((l) => l.endsWith(`// ${marker}`));
  return { line: index + 1, column: source[index].indexOf(word) + 1 };
};

const self: NodeLine = {
  node: process.versions.node,
  v8: process.versions.v8.split(".").slice(0, 2).join("."),
  binary: process.execPath,
};
const fetched = nodeLines();
const lines = typeof fetched === "string" ? [self] : [self, ...fetched.filter((l) => l.v8 !== self.v8)];
if (typeof fetched === "string" && process.env.CI) t.fail(fetched);

for (const line of lines) {
  t.test(`given Node.js ${line.node}, when allocations happen in code V8 has not optimised`, async (t) => {
    const run = await memtrace(["record", "--", line.binary, app], { withoutTestHooks: true, timeoutMs: 60_000 });
    t.equal(run.status, 0, run.stderr);
    const capture = new Capture(run.stdout);
    const [pid] = capture.pids;
    const where = (size: number) =>
      capture.events
        .filter((e) => e.pid === pid && e.kind === MALLOC && e.size === size)
        .map((e) => capture.frames(pid, e.stack).filter((f) => f.file === app));
    const position = (frames: { name: string; line: number; column: number }[]) =>
      frames.map((f) => `${f.name || "(top)"}:${f.line}:${f.column}`).join(" < ");
    const expect = (...frames: [string, { line: number; column: number }][]) =>
      frames.map(([name, p]) => `${name}:${p.line}:${p.column}`).join(" < ");

    const once = where(1234567);
    t.equal(once.length, 1, "the block of the function called once");
    t.equal(
      position(once[0]),
      expect(
        ["keepOnce", at("once", "allocUnsafeSlow")],
        ["caller", at("the call", "keepOnce")],
        ["(top)", at("the script's call", "caller")],
      ),
      "each frame at the line and column of its call",
    );

    const looped = [...where(4099), ...where(4100)];
    t.equal(looped.length, 200, "the loop's 200 blocks");
    const want = expect(["inLoop", at("in the loop", "allocUnsafeSlow")], ["(top)", at("the loop", "inLoop")]);
    const right = looped.filter((frames) => position(frames) === want).length;
    t.equal(right, 200, `every block at the loop's lines: ${position(looped.find((f) => position(f) !== want) ?? [])}`);
  });
}
