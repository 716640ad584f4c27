// Regenerates every golden file in test/golden/: the fixture captures, their dumps and every report made from
// them (see test/fixtures/golden.ts for what and how they are named). Review the diff like code.
//
//   npm run snap            (builds first: the reports come from the real `memtrace` command in dist/)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES, GOLDEN_DIR, fixturePath, goldenCases, produceAll, stderrName } from "../test/fixtures/golden";

async function main(): Promise<void> {
  const keep = new Set<string>();
  for (const f of FIXTURES) {
    const path = fixturePath(f.name);
    keep.add(`${f.name}.mtrace`);
    if (f.make) writeFileSync(path, f.make());
  }
  // The LZ4 file made by the real lz4 tool: kept as it is when the tool is not installed here.
  const lz4 = spawnSync("lz4", ["-c", "-q", fixturePath("multi")], { maxBuffer: 64 * 1024 * 1024 });
  if (lz4.status === 0) writeFileSync(fixturePath("multi.lz4cli"), lz4.stdout);
  else if (existsSync(fixturePath("multi.lz4cli")))
    console.warn("lz4 is not installed: test/golden/multi.lz4cli.mtrace kept as it was");
  else throw new Error("lz4 is not installed (apt-get install lz4): cannot write test/golden/multi.lz4cli.mtrace");

  const outputs = await produceAll(goldenCases());
  let failed = 0;
  for (const o of outputs) {
    if (o.result.status !== 0) {
      console.error(`${o.name}: exit ${o.result.status}: ${o.result.stderr.trim()}`);
      failed++;
      continue;
    }
    writeFileSync(join(GOLDEN_DIR, o.name), o.result.stdout);
    keep.add(o.name);
    if (o.result.stderr !== "") {
      writeFileSync(join(GOLDEN_DIR, stderrName(o)), o.result.stderr);
      keep.add(stderrName(o));
    }
  }
  if (failed > 0) throw new Error(`${failed} golden files could not be made`);
  let removed = 0;
  for (const name of readdirSync(GOLDEN_DIR)) {
    if (!keep.has(name)) {
      rmSync(join(GOLDEN_DIR, name));
      removed++;
    }
  }
  console.log(`${keep.size} golden files written to test/golden/${removed ? `, ${removed} stale ones removed` : ""}`);
}

main().catch((e: Error) => {
  console.error(`snap: ${e.message}`);
  process.exit(1);
});
