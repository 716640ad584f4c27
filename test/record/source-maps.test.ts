// A TypeScript app recorded with memtrace record is reported in its .ts files, at the lines of its calls: a module
// with its map in a file beside it (a relative sourceMappingURL), one with an inline map (a data: URL, in the old
// `//@` form), and a bundle of two sources with an index map beside it and no comment. A script whose map is broken
// is said in one line and left in its compiled code, one whose map is missing is left as it is. The same app run
// with node's --enable-source-maps is reported the same, and node's own stack traces still name the .ts lines.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import ts from "typescript";
import { collapsedStacks, memtrace } from "./capture";

/** A module whose loop calls an allocating helper: blocks of base to base + 7 bytes. Types make .ts lines differ. */
const moduleSource = (base: number) => `// Blocks of ${base}-${base + 7} bytes.
interface Made {
  bytes: number;
}

export function makeBlock(i: number): Buffer {
  const size: number = ${base} + (i & 7);
  return Buffer.allocUnsafeSlow(size); // ALLOC
}

type Count = number;

export function fill(blocks: Count): Count {
  const made: Made = { bytes: 0 };
  for (let i = 0; i < blocks; i++) made.bytes += makeBlock(i).length; // CALL
  return made.bytes;
}

export function where(): string {
  return new Error().stack!.split("\\n")[1]; // WHERE
}
`;

// The bundle's two sources, compiled as scripts: b.ts's helper is called by a.ts's loop.
const bundleHelper = `// The bundle's helper.
const BUNDLE_BASE: number = 6000;

function makeBundleBlock(i: number): Buffer {
  return Buffer.allocUnsafeSlow(BUNDLE_BASE + (i & 7)); // ALLOC
}
`;
const bundleLoop = `// The bundle's loop.
declare function makeBundleBlock(i: number): Buffer;

function fillBundle(blocks: number): number {
  let bytes: number = 0;
  for (let i = 0; i < blocks; i++) bytes += makeBundleBlock(i).length; // CALL
  return bytes;
}
`;

const lineOf = (source: string, marker: string) => source.split("\n").findIndex((l) => l.includes(marker)) + 1;

function compile(source: string, fileName: string, options: ts.CompilerOptions) {
  const out = ts.transpileModule(source, {
    fileName,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, ...options },
  });
  return { code: out.outputText, map: out.sourceMapText };
}

const withoutComment = (code: string) => code.replace(/\/\/# sourceMappingURL=.*\n?$/, "");

/** Writes the app's files into `dir`; its main script is main.js. */
function writeApp(dir: string): void {
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  write("helper.ts", moduleSource(4000));
  const helper = compile(moduleSource(4000), "helper.ts", { sourceMap: true });
  write("helper.js", helper.code); // ends with //# sourceMappingURL=helper.js.map
  write("helper.js.map", helper.map!);

  write("inline.ts", moduleSource(5000));
  const inline = compile(moduleSource(5000), "inline.ts", { inlineSourceMap: true });
  write("inline.js", inline.code.replace("//# sourceMappingURL=data:", "//@ sourceMappingURL=data:"));

  write("b.ts", bundleHelper);
  write("a.ts", bundleLoop);
  const b = compile(bundleHelper, "b.ts", { sourceMap: true, module: ts.ModuleKind.None });
  const a = compile(bundleLoop, "a.ts", { sourceMap: true, module: ts.ModuleKind.None });
  const bCode = withoutComment(b.code);
  write("bundle.js", `${bCode}${withoutComment(a.code)}module.exports = { fillBundle };\n`);
  const sections = [
    { offset: { line: 0, column: 0 }, map: JSON.parse(b.map!) },
    { offset: { line: bCode.split("\n").length - 1, column: 0 }, map: JSON.parse(a.map!) },
  ];
  write("bundle.js.map", JSON.stringify({ version: 3, file: "bundle.js", sections }));

  write(
    "broken.js",
    "exports.fill = function brokenFill(n) {\n  let b = 0;\n  for (let i = 0; i < n; i++) b += Buffer.allocUnsafeSlow(7000 + (i & 7)).length;\n  return b;\n};\n//# sourceMappingURL=broken.js.map\n",
  );
  write("broken.js.map", '{"version":3,"sources":["broken.ts"],"mappings":');
  write(
    "missing.js",
    "exports.once = function missingOnce() {\n  return Buffer.allocUnsafeSlow(7100).length;\n};\n//# sourceMappingURL=missing.js.map\n",
  );

  write(
    "main.js",
    `"use strict";
const helper = require("./helper.js");
const inline = require("./inline.js");
const bundle = require("./bundle.js");
const broken = require("./broken.js");
const missing = require("./missing.js");
let bytes = missing.once();
for (let done = 0; done < Number(process.argv[2]); done += 500) {
  bytes += helper.fill(500) + inline.fill(500) + bundle.fillBundle(500) + broken.fill(500);
}
process.stdout.write(\`\${helper.where().trim()}\\n\`);
process.stderr.write(\`\${bytes} bytes\\n\`);
`,
  );
}

const BLOCKS = "20000";

interface Recorded {
  stderr: string;
  stdout: string;
  stacks: [string[], number][];
  summary: string;
}

interface Variant {
  name: string;
  /** Node's own options for the app. */
  node: string[];
  /** Recorded with --no-source-maps, then mapped by filter --source-maps (as a capture of track() is). */
  afterwards: boolean;
}

const VARIANTS: Variant[] = [
  { name: "recorded", node: [], afterwards: false },
  { name: "recorded with node --enable-source-maps", node: ["--enable-source-maps"], afterwards: false },
  { name: "recorded with --no-source-maps, then mapped by filter --source-maps", node: [], afterwards: true },
];

async function recordApp(dir: string, v: Variant): Promise<Recorded> {
  const capture = join(dir, "app.mtrace");
  const record = ["record", ...(v.afterwards ? ["--no-source-maps"] : []), "-o", capture];
  const run = await memtrace([...record, "--", process.execPath, ...v.node, join(dir, "main.js"), BLOCKS], {
    withoutTestHooks: true,
  });
  if (run.status !== 0) throw new Error(`memtrace record failed: ${run.stderr}`);
  let stderr = run.stderr;
  if (v.afterwards) {
    const filtered = await memtrace(["filter", "--source-maps", capture, "-o", join(dir, "mapped.mtrace")]);
    stderr += filtered.stderr;
  }
  const folded = join(dir, "folded.mtrace");
  await memtrace(["fold", "--total", join(dir, v.afterwards ? "mapped.mtrace" : "app.mtrace"), "-o", folded]);
  const stacks = collapsedStacks((await memtrace(["collapsed", folded])).stdout.toString("utf8"));
  const summary = (await memtrace(["summary", "--sort", "total", "--top", "400", "--width", "1000", folded])).stdout;
  return { stderr, stdout: run.stdout.toString("utf8"), stacks, summary: summary.toString("utf8") };
}

/** Bytes of the stacks with a frame that starts with `frame`, and of those that hold `path` too. */
function bytesUnder(stacks: [string[], number][], frame: string, path: string): { all: number; at: number } {
  let all = 0;
  let at = 0;
  for (const [frames, bytes] of stacks) {
    if (!frames.some((f) => f.startsWith(frame))) continue;
    all += bytes;
    if (frames.join(";").includes(path)) at += bytes;
  }
  return { all, at };
}

for (const variant of VARIANTS) {
  t.test(`given a TypeScript app with source maps, ${variant.name}`, async (t) => {
    const dir = t.testdir({});
    writeApp(dir);
    const run = await recordApp(dir, variant);

    t.test("then the app ran as without memtrace", async (t) => {
      t.match(run.stderr, /\d+ bytes\n/);
      const where = `${dir}/helper.${variant.node.length > 0 ? "ts" : "js"}:`;
      t.match(run.stdout, where, "node's own stack trace (mapped by node with --enable-source-maps)");
    });

    for (const [what, file, base] of [
      ["a map beside it, named by a relative //# sourceMappingURL", "helper", 4000],
      ["an inline map in a //@ data: URL", "inline", 5000],
    ] as const) {
      t.test(`then the module with ${what} is reported in its .ts lines`, async (t) => {
        const source = moduleSource(base);
        const ts = join(dir, `${file}.ts`);
        const pair = `fill (${ts}:${lineOf(source, "// CALL")});makeBlock (${ts}:${lineOf(source, "// ALLOC")})`;
        const under = bytesUnder(run.stacks, `makeBlock (${dir}/${file}.`, pair);
        t.ok(under.all >= Number(BLOCKS) * base, `every block is under makeBlock: ${under.all} bytes`);
        t.ok(
          under.at >= 0.5 * under.all,
          `most under the helper's .ts line, called from the loop's: ${((100 * under.at) / under.all).toFixed(1)}%`,
        );
        t.notOk(
          run.stacks.some(([frames]) => frames.some((f) => f.includes(`${dir}/${file}.js`))),
          "no frame is in the compiled .js",
        );
        t.match(run.summary, `makeBlock (${ts}:${lineOf(source, "// ALLOC")})`, "summary has the .ts location");
      });
    }

    t.test("then the bundle of two sources with an index map beside it is reported in both", async (t) => {
      const pair =
        `fillBundle (${dir}/a.ts:${lineOf(bundleLoop, "// CALL")});` +
        `makeBundleBlock (${dir}/b.ts:${lineOf(bundleHelper, "// ALLOC")})`;
      const under = bytesUnder(run.stacks, "makeBundleBlock (", pair);
      t.ok(under.all >= Number(BLOCKS) * 6000, `every block is under makeBundleBlock: ${under.all} bytes`);
      t.ok(under.at >= 0.5 * under.all, `most at both lines: ${((100 * under.at) / under.all).toFixed(1)}%`);
      t.notOk(
        run.stacks.some(([frames]) => frames.some((f) => f.includes(`${dir}/bundle.js`))),
        "no frame is in bundle.js",
      );
    });

    t.test("then a broken map is said in one line and its script is left as it is", async (t) => {
      const warnings = run.stderr.split("\n").filter((l) => l.startsWith("memtrace"));
      t.equal(warnings.length, 1, `one warning: ${warnings.join(" | ")}`);
      t.match(warnings[0], `: ${dir}/broken.js: source map ${dir}/broken.js.map cannot be read (`);
      const under = bytesUnder(run.stacks, "brokenFill (", `brokenFill (${dir}/broken.js:`);
      t.ok(under.all >= Number(BLOCKS) * 7000 && under.at === under.all, "its frames are in broken.js");
      const missing = bytesUnder(run.stacks, "missingOnce (", `missingOnce (${dir}/missing.js:`);
      t.ok(missing.all >= 7100 && missing.at === missing.all, "a missing map leaves its script as it is");
    });
  });
}
