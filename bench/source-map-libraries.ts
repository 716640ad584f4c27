// Which source-map library memtrace's launcher maps JS frames with: @jridgewell/trace-mapping (a dependency) beside
// source-map-js (the synchronous fork of mozilla's source-map 0.6), on a bundle-sized map.
//
//   npm run build && NODE_PATH=<a folder with source-map-js installed> node dist/bench/source-map-libraries.js
//
// The map is TypeScript's own, for a generated module of 2,000 functions (~40,000 lines). Each round: parse the map
// (and decode its mappings), then look up the start of every function and 100,000 random positions (GREATEST_LOWER_BOUND, as the launcher
// does), for each library in turn; 7 rounds, medians. Install sizes are those of the packages in node_modules.
import { execFileSync } from "node:child_process";
import { dirname } from "node:path";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import ts from "typescript";
import { median } from "./lib/util";

const FUNCTIONS = 2000;
const LOOKUPS = 100_000;
const ROUNDS = 7;

/** source-map-js's consumer, as far as this benchmark uses it (it is not a dependency: loaded if installed). */
interface SourceMapJs {
  SourceMapConsumer: new (map: string) => {
    originalPositionFor(p: { line: number; column: number; bias?: number }): { line: number | null };
  };
}

function generatedModule(): { code: string; map: string } {
  const lines: string[] = [];
  for (let i = 0; i < FUNCTIONS; i++) {
    lines.push(`export function f${i}(items: Array<{ id: number; data: string }>, n: number): number {`);
    lines.push(`  let total: number = 0;`);
    lines.push(`  for (const item of items) total += item.id * n + item.data.length;`);
    for (let k = 0; k < 14; k++) lines.push(`  total += Math.max(${k}, n % ${k + 3}) as number;`);
    lines.push(`  return total;`, `}`);
  }
  const out = ts.transpileModule(lines.join("\n"), {
    compilerOptions: { sourceMap: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS },
    fileName: "big.ts",
  });
  return { code: out.outputText, map: out.sourceMapText! };
}

interface Timing {
  /** Parse and decode, then every lookup, in ms. */
  ms: number;
  lookupMs: number;
  found: number;
}

let lookupTiming = { ms: 0, found: 0 };

/** Times the lookups apart from the parse that comes before them. */
function lookups(f: () => number): number {
  const start = process.hrtime.bigint();
  const found = f();
  lookupTiming = { ms: Number(process.hrtime.bigint() - start) / 1e6, found };
  return found;
}

function timeMs(f: () => number): Timing {
  const start = process.hrtime.bigint();
  f();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, lookupMs: lookupTiming.ms, found: lookupTiming.found };
}

/** The installed size of packages (apparent, in KiB), with the dependencies they bring. */
function installedKiB(dirs: string[]): number {
  const out = execFileSync("du", ["-skc", "--apparent-size", ...dirs], { encoding: "utf8" })
    .trim()
    .split("\n");
  return Number(out[out.length - 1].split("\t")[0]);
}

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

function main(): void {
  const { code, map } = generatedModule();
  const lineCount = code.split("\n").length;
  // Positions: every function's start ("function fN(" at column 9 + name), then random ones.
  const needles: [number, number][] = [];
  code.split("\n").forEach((text, i) => {
    const at = text.indexOf("(");
    if (text.startsWith("function ")) needles.push([i + 1, at]);
  });
  let seed = 1;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < LOOKUPS; i++) needles.push([1 + Math.floor(random() * lineCount), Math.floor(random() * 40)]);

  let smj: SourceMapJs | undefined;
  try {
    smj = require("source-map-js") as SourceMapJs;
  } catch {
    process.stderr.write("source-map-js is not installed: npm install --no-save source-map-js\n");
  }
  const candidates: [string, () => number][] = [
    [
      "@jridgewell/trace-mapping",
      () => {
        const m = new TraceMap(map);
        originalPositionFor(m, { line: 1, column: 0 }); // decodes the mappings
        return lookups(() => {
          let found = 0;
          for (const [line, column] of needles) if (originalPositionFor(m, { line, column }).line !== null) found++;
          return found;
        });
      },
    ],
  ];
  if (smj) {
    const { SourceMapConsumer } = smj;
    candidates.push([
      "source-map-js",
      () => {
        const m = new SourceMapConsumer(map);
        m.originalPositionFor({ line: 1, column: 0 }); // decodes the mappings
        return lookups(() => {
          let found = 0;
          for (const [line, column] of needles) if (m.originalPositionFor({ line, column }).line !== null) found++;
          return found;
        });
      },
    ]);
  }
  const times = new Map<string, number[]>(candidates.map(([name]) => [name, []]));
  const lookupTimes = new Map<string, number[]>(candidates.map(([name]) => [name, []]));
  const found = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of candidates) {
      const r = timeMs(run);
      times.get(name)!.push(r.ms - r.lookupMs);
      lookupTimes.get(name)!.push(r.lookupMs);
      found.set(name, r.found);
    }
  }
  console.log(`map: ${(map.length / 1024).toFixed(0)} KiB for ${lineCount} generated lines; ${needles.length} lookups`);
  for (const [name] of candidates) {
    const loadMs = median(times.get(name)!);
    const ms = median(lookupTimes.get(name)!);
    // trace-mapping brings @jridgewell/sourcemap-codec and resolve-uri; source-map-js has no dependencies.
    const dirs =
      name === "source-map-js"
        ? [packageDir(name)]
        : ["trace-mapping", "sourcemap-codec", "resolve-uri"].map((p) => packageDir(`@jridgewell/${p}`));
    const size = installedKiB(dirs);
    console.log(
      `${name.padEnd(26)} parse ${loadMs.toFixed(1).padStart(7)} ms  lookups ${ms.toFixed(1).padStart(7)} ms ` +
        `(${((ms * 1e6) / needles.length).toFixed(0)} ns each)  found ${found.get(name)}  installed ${size} KiB`,
    );
  }
}

main();
