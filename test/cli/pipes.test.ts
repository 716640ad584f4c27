// memtrace in pipes: a reader that goes away, fold piped into reports, LZ4 from fold --compress and from the real
// lz4 tool, captures concatenated by cat.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { encodeAll } from "../../src/codec/encoder";
import { hostileNames, multiProcess } from "../fixtures/captures";
import { MEMTRACE, memtrace, sh, staleBuild } from "../fixtures/cli";
import { builtSinks, fixturePath } from "../fixtures/golden";
import { pipelineInProcess, runInProcess } from "../fixtures/inprocess";

const MULTI = fixturePath("multi");
const tmp = mkdtempSync(join(tmpdir(), "memtrace-pipes-"));
const hasLz4 = spawnSync("lz4", ["--version"]).status === 0;

const stale = staleBuild();
if (stale) t.fail(stale);
else {
  const profileReports = builtSinks()
    .filter((s) => s.input === "profile")
    .map((s) => s.name);

  t.test("given a reader that goes away (| head), when a command writes, then it exits 0 quietly", async (t) => {
    // Larger than a pipe's buffer, so that the writer is still writing when head exits.
    const big = join(tmp, "big.mtrace");
    writeFileSync(big, encodeAll([...multiProcess(1).messages, ...multiProcess(2).messages]));
    const scripts: [string, string][] = [
      ["dump", `${MEMTRACE} dump ${big} | head -1`],
      ["dump reading a pipe", `cat ${big} | ${MEMTRACE} dump | head -2`],
      ["fold", `${MEMTRACE} fold --total ${big} | head -c 10`],
      ["filter", `${MEMTRACE} filter ${big} | head -c 10`],
      ...profileReports.map((r): [string, string] => [r, `${MEMTRACE} ${r} --total ${big} | head -c 1`]),
      // Help is written by commander, outside any pipeline; `true` is gone before memtrace writes a byte.
      ...["", "fold", "filter", "diff", "record", "attach", "detach", "doctor", ...builtSinks().map((s) => s.name)].map(
        (c): [string, string] => [`${c} --help`, `${MEMTRACE} ${c} --help | true`],
      ),
      ["fold --help | head -1", `${MEMTRACE} fold --help | head -1`],
    ];
    for (const [what, script] of scripts) {
      const r = await sh(`${script} >/dev/null; echo "memtrace exited \${PIPESTATUS[0]}"`);
      t.match(r.stdout.toString(), /^memtrace exited 0\n$/, `${what}: exit 0`);
      t.equal(r.stderr, "", `${what}: nothing on stderr`);
    }
  });

  t.test("given fold piped into each report, then the output equals the report's own fold", async (t) => {
    const input = readFileSync(MULTI);
    for (const r of profileReports) {
      for (const m of [[], ["--peak"], ["--leaks"], ["--total"]]) {
        const alone = await runInProcess([r, ...m, "multi.mtrace"], input, "multi.mtrace");
        const piped = await pipelineInProcess([["fold", ...m, "multi.mtrace"], [r]], input, "multi.mtrace");
        t.ok(
          alone.stdout.length > 0 && alone.stdout.equals(piped.stdout),
          `fold ${m.join("")} | ${r} == ${r} ${m.join("")}`,
        );
      }
      // And through a real pipe between two processes.
      const [alone, piped] = [
        await sh(`${MEMTRACE} ${r} --leaks ${MULTI}`),
        await sh(`${MEMTRACE} fold --leaks ${MULTI} | ${MEMTRACE} ${r}`),
      ];
      t.equal(piped.status, 0);
      t.ok(alone.stdout.equals(piped.stdout), `a shell pipe: fold --leaks | ${r} == ${r} --leaks`);
    }
    const once = await sh(`${MEMTRACE} fold --leaks ${MULTI} | ${MEMTRACE} dump`);
    const twice = await sh(`${MEMTRACE} fold --leaks ${MULTI} | ${MEMTRACE} fold | ${MEMTRACE} dump`);
    t.equal(twice.stdout.toString(), once.stdout.toString(), "fold | fold == fold");
  });

  t.test(
    "given LZ4 from fold --compress and filter --compress, when read, then it is detected without being told",
    async (t) => {
      const compressed = join(tmp, "fold.lz4.mtrace");
      t.equal((await memtrace(["fold", "--compress", "--leaks", MULTI, "-o", compressed])).status, 0);
      t.same([...readFileSync(compressed).subarray(0, 4)], [0x04, 0x22, 0x4d, 0x18], "fold --compress writes LZ4");
      const viaLz4 = await memtrace(["dump", compressed]);
      const direct = await sh(`${MEMTRACE} fold --leaks ${MULTI} | ${MEMTRACE} dump`);
      t.equal(viaLz4.stdout.toString(), direct.stdout.toString(), "fold --compress | dump == fold | dump");
      const filtered = await sh(
        `${MEMTRACE} filter --compress --thread 4102 ${MULTI} | ${MEMTRACE} fold --total | ${MEMTRACE} dump`,
      );
      const plain = await sh(`${MEMTRACE} filter --thread 4102 ${MULTI} | ${MEMTRACE} fold --total | ${MEMTRACE} dump`);
      t.equal(filtered.stdout.toString(), plain.stdout.toString(), "filter --compress | fold == filter | fold");
    },
  );

  t.test(
    "given a capture compressed by the real lz4 tool, when read, then it is detected without being told",
    { skip: hasLz4 ? false : "the lz4 tool is not installed (Debian: apt-get install lz4)" },
    async (t) => {
      // Many blocks, and the options that change the frame: linked blocks, 64 KiB blocks, checksums, content size.
      const large = join(tmp, "large.mtrace");
      writeFileSync(
        large,
        encodeAll([...multiProcess(3).messages, ...hostileNames().messages, ...multiProcess(4).messages]),
      );
      const expected = (await memtrace(["dump", large])).stdout.toString();
      for (const flags of ["-B4 -BD", "-B5 -BX --content-size", "--no-frame-crc -9"]) {
        const r = await sh(`lz4 -q -c ${flags} ${large} | ${MEMTRACE} dump`);
        t.equal(r.status, 0, `lz4 ${flags}: ${r.stderr}`);
        t.equal(r.stdout.toString(), expected, `lz4 ${flags || "(defaults)"} | memtrace dump`);
      }
    },
  );

  t.test("given two captures concatenated by cat, when read, then both are reported", async (t) => {
    const a = fixturePath("numbers");
    const b = fixturePath("hostile");
    const dump = await sh(`cat ${a} ${b} | ${MEMTRACE} dump`);
    t.equal(dump.status, 0);
    const [da, db] = [await memtrace(["dump", a]), await memtrace(["dump", b])];
    const shift = readFileSync(a).length;
    const shifted = db.stdout.toString().replace(/^@(\d+) /gm, (_, n: string) => `@${Number(n) + shift} `);
    t.equal(dump.stdout.toString(), da.stdout.toString() + shifted, "dump: the records of both, offsets running on");
    const folded = await sh(`cat ${a} ${b} | ${MEMTRACE} fold | ${MEMTRACE} dump`);
    t.match(
      folded.stdout.toString(),
      /\n {2}process 10 .*\n {2}process 20 .*\n {2}process 666 /,
      "fold: every process",
    );
    for (const r of profileReports) {
      const out = await sh(`cat ${a} ${b} | ${MEMTRACE} ${r}`);
      t.equal(out.status, 0, `${r}: ${out.stderr}`);
    }
  });
}
