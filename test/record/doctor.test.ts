// `memtrace --version` and `memtrace doctor`: what a user pastes into a bug report, and a check that finds, by
// recording a probe, what would make a recording incomplete here.
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { nativeDir } from "../../src/record/native";
import { memtrace } from "./capture";

const VERSION: string = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")).version;
const line = process.versions.v8.split(".").slice(0, 2).join(".");

/** The doctor's lines by topic. */
function topics(stdout: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of stdout.toString().trimEnd().split("\n")) {
    const m = /^(\S+(?: \S+)?)\s{2,}(.*)$/.exec(l);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

t.test("memtrace --version prints the package's version", async (t) => {
  const run = await memtrace(["--version"]);
  t.equal(run.status, 0);
  t.equal(run.stdout.toString(), `${VERSION}\n`);
});

for (const paired of ["0", "1"])
  t.test(`given memtrace as installed here (MEMTRACE_PAIRED=${paired}), the doctor finds nothing wrong`, async (t) => {
    // A recorder that pairs events writes them paired (format version 4): the doctor reads both forms.
    const run = await memtrace(["doctor"], { env: { MEMTRACE_PAIRED: paired } });
    t.equal(run.status, 0, run.stdout.toString());
    const found = topics(run.stdout);
    t.match(found.get("memtrace"), `${VERSION} (`);
    t.match(found.get("platform"), /^linux-x64, glibc \d+\.\d+, kernel /);
    t.equal(
      found.get("node"),
      `${process.execPath} ${process.version} (V8 ${process.versions.v8}, ABI ${process.versions.modules})`,
    );
    t.match(found.get("native files"), `interposer, an agent for V8 ${line}`);
    t.match(found.get("interposer"), /^loads: the probe's recording holds [\d,]+ allocations$/);
    t.match(found.get("agent"), new RegExp(`^memtrace-agent ${VERSION} for V8 ${line}: \\d+ code events; 64 of 64 `));
    const rooted = Number(/^(\d+)%/.exec(found.get("frame pointers") ?? "")?.[1]);
    t.ok(rooted >= 90, `frame pointers: ${found.get("frame pointers")}`);
  });

t.test("given no agent for this node, the doctor says so and exits with 1", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "memtrace-doctor-"));
  copyFileSync(join(nativeDir(), "libmemtrace_preload.so"), join(dir, "libmemtrace_preload.so"));
  const run = await memtrace(["doctor"], { env: { MEMTRACE_NATIVE_DIR: dir } });
  t.equal(run.status, 1);
  const found = topics(run.stdout);
  t.match(found.get("native files"), `interposer, no agent for V8 ${line}`);
  t.match(found.get("agent"), new RegExp(`^PROBLEM: none: .*V8 ${line}.*: JS frames are not named`));
});

t.test("given no native files at all, or a node that does not run, the doctor says so", async (t) => {
  const empty = mkdtempSync(join(tmpdir(), "memtrace-doctor-"));
  const bare = await memtrace(["doctor"], { env: { MEMTRACE_NATIVE_DIR: empty } });
  t.equal(bare.status, 1);
  t.match(topics(bare.stdout).get("native files"), /^PROBLEM: .*: no interposer/);
  const missing = await memtrace(["doctor", "--node", "/nonexistent/node"]);
  t.equal(missing.status, 1);
  t.match(topics(missing.stdout).get("node"), /^PROBLEM: \/nonexistent\/node does not run/);
});
