// Lines of frames V8 has not optimised: by default memtrace records with V8's interpreter and TurboFan only (no
// Sparkplug, no Maglev), and keys each interpreted frame by the bytecode it runs, so that a function called once,
// a loop before TurboFan, a loop through every tier and their callers carry the line (and column) executing in
// them, on every Node.js line (docs/js-frames.md). One recording per line, on the tests' own node and on each
// fetched line; --all-tiers (Sparkplug and Maglev kept, their frames at their function's first line) once.
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

const position = (frames: { name: string; line: number; column: number }[]) =>
  frames.map((f) => `${f.name || "(top)"}:${f.line}:${f.column}`).join(" < ");
const expect = (...frames: [string, { line: number; column: number }][]) =>
  frames.map(([name, p]) => `${name}:${p.line}:${p.column}`).join(" < ");
const warmLoop = expect(["warming", at("warming up", "allocUnsafeSlow")], ["(top)", at("the long loop", "warming")]);

/** Records the app on `binary`; the app's frames of each block of `size` bytes, innermost first. */
async function record(binary: string, options: string[] = []) {
  const run = await memtrace(["record", "--no-paired", ...options, "--", binary, app], {
    withoutTestHooks: true,
    timeoutMs: 60_000,
  });
  const capture = new Capture(run.stdout);
  const [pid] = capture.pids;
  const where = (...sizes: number[]) =>
    capture.events
      .filter((e) => e.pid === pid && e.kind === MALLOC && sizes.includes(e.size))
      .map((e) => capture.frames(pid, e.stack).filter((f) => f.file === app));
  return { run, where };
}

for (const line of lines) {
  t.test(`given Node.js ${line.node}, when allocations happen in code V8 has not optimised`, async (t) => {
    const { run, where } = await record(line.binary);
    t.equal(run.status, 0, run.stderr);

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

    const looped = where(4099, 4100);
    t.equal(looped.length, 200, "the loop's 200 blocks");
    const want = expect(["inLoop", at("in the loop", "allocUnsafeSlow")], ["(top)", at("the loop", "inLoop")]);
    const right = looped.filter((frames) => position(frames) === want).length;
    t.equal(right, 200, `every block at the loop's lines: ${position(looped.find((f) => position(f) !== want) ?? [])}`);

    const long = where(4101, 4102);
    t.equal(long.length, 20000, "the long loop's blocks");
    const wrong = long.filter((frames) => position(frames) !== warmLoop);
    t.equal(wrong.length, 0, `every block at the long loop's lines: ${position(wrong[0] ?? [])}`);
  });
}

t.test("given --all-tiers, when the long loop runs in Sparkplug's and Maglev's code too", async (t) => {
  const { run, where } = await record(process.execPath, ["--all-tiers"]);
  t.equal(run.status, 0, run.stderr);
  const long = where(4101, 4102);
  t.equal(long.length, 20000, "the long loop's blocks");
  const warmingLine = source.findIndex((l) => l.startsWith("function warming")) + 1;
  const firstLine = long.filter((frames) => frames[0]?.line === warmingLine).length;
  t.ok(firstLine > 100, `some at their function's first line: ${firstLine}`);
});
