// The golden files in test/golden/: every fixture's bytes, its dump, and every report made from it, compared
// with what the code makes now. A change in output fails here with a diff; if the change is intended, run
// `npm run snap` and review the golden diff like code. The golden files are compared as files (tap's snapshot
// files hold strings in a JavaScript module: a binary capture and an SVG to open in a browser fit files better).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import t, { type Test } from "tap";
import { staleBuild } from "../fixtures/cli";
import {
  FIXTURES,
  GOLDEN_DIR,
  builtSinks,
  fixturePath,
  goldenCases,
  produce,
  produceByProcesses,
  stderrName,
  type GoldenCase,
} from "../fixtures/golden";

const SNAP = "if the change is intended, run `npm run snap` and review the diff of test/golden/";

const stale = staleBuild();
if (stale) {
  t.fail(stale);
} else {
  const cases = goldenCases();
  const expected = new Set<string>(FIXTURES.map((f) => `${f.name}.mtrace`));

  t.test(
    "given each fixture generator, when run again, then it makes the committed capture byte for byte",
    async (t) => {
      for (const f of FIXTURES) {
        const path = fixturePath(f.name);
        if (!existsSync(path)) {
          t.fail(`test/golden/${f.name}.mtrace is missing: run \`npm run snap\``);
          continue;
        }
        if (!f.make || !f.exactBytes) continue;
        const now = Buffer.from(f.make());
        const committed = readFileSync(path);
        let at = 0;
        while (at < now.length && at < committed.length && now[at] === committed[at]) at++;
        t.ok(
          now.equals(committed),
          `${f.name}.mtrace: ${now.equals(committed) ? "same" : `differs from byte ${at}`}; ${SNAP}`,
        );
      }
    },
  );

  t.test("given every report of every fixture, when made now, then it equals its golden file", async (t) => {
    for (const c of cases) {
      const out = await produce(c);
      expected.add(out.name);
      t.equal(out.result.status, 0, `${out.name}: exit status (${out.result.stderr.trim()})`);
      compare(t, out.name, out.result.stdout, c.binary);
      if (c.fixture.complete) t.equal(out.result.stderr, "", `${out.name}: nothing on stderr for a complete capture`);
      else {
        expected.add(stderrName(out));
        compare(t, stderrName(out), Buffer.from(out.result.stderr), false);
      }
    }
  });

  t.test(
    "given a fixture in another wrapping (LZ4, zstd), when every report is made from it, then it equals the plain one's",
    async (t) => {
      for (const f of FIXTURES.filter((x) => x.sameAs)) {
        const base = FIXTURES.find((x) => x.name === f.sameAs)!;
        for (const c of cases.filter((x) => x.fixture === base)) {
          const commands = c.commands.map((args) =>
            args.map((a) => (a === `${base.name}.mtrace` ? `${f.name}.mtrace` : a)),
          );
          const out = await produce({ ...c, fixture: f, commands });
          const name = out.name.replace(f.name, base.name);
          t.equal(out.result.status, 0, `${f.name}: ${name}: exit status (${out.result.stderr.trim()})`);
          compare(t, name, out.result.stdout, c.binary, `${f.name}.mtrace`);
        }
      }
    },
  );

  t.test("given the golden folder, when listed, then it holds nothing that no test makes", async (t) => {
    const extra = readdirSync(GOLDEN_DIR).filter((n) => !expected.has(n));
    t.same(extra, [], `stale golden files: ${SNAP}`);
  });

  t.test(
    "given a report of each kind, when made by real processes, then it equals the golden file made in-process",
    async (t) => {
      const multi = cases.filter((c) => c.fixture.name === "multi");
      const picked: GoldenCase[] = [];
      for (const sink of builtSinks()) picked.push(multi.find((c) => c.commands[0][0] === sink.name)!);
      // The HTML page inlines files that the built command finds beside its sources: from a real process too.
      picked.push(multi.find((c) => c.commands[0].includes("--html"))!);
      picked.push(multi.find((c) => c.commands[0][0] === "fold" && c.commands[0].includes("--leaks"))!);
      picked.push(cases.find((c) => !c.fixture.complete && c.commands.length === 2)!);
      for (const c of picked) {
        const out = await produceByProcesses(c);
        t.equal(out.result.status, 0, `${out.name}: exit status`);
        compare(t, out.name, out.result.stdout, c.binary);
        if (!c.fixture.complete) compare(t, stderrName(out), Buffer.from(out.result.stderr), false);
      }
    },
  );
}

/** Compares output with a golden file: text as text (tap prints a diff), binary output byte for byte. */
function compare(t: Test, name: string, output: Buffer, binary: boolean, from?: string): void {
  const path = join(GOLDEN_DIR, name);
  const what = from ? `${name} (made from ${from})` : name;
  if (!existsSync(path)) {
    t.fail(`${what}: no golden file test/golden/${name}: run \`npm run snap\``);
    return;
  }
  const golden = readFileSync(path);
  // Gzip output (pprof) is compared decompressed: another build of zlib may compress the same bytes differently.
  if (binary && isGzip(golden) && isGzip(output))
    t.ok(gunzipSync(golden).equals(gunzipSync(output)), `${what}: ${SNAP}`);
  else if (binary) t.ok(golden.equals(output), `${what}: ${SNAP}`);
  else t.equal(output.toString("utf8"), golden.toString("utf8"), `${what}: ${SNAP}`);
}

function isGzip(b: Buffer): boolean {
  return b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;
}
