// The install script, in an installed package's layout (no test/ folder): nothing to do when the prebuilds fit;
// this node's agent built from source when only it is missing, and one line instead when it cannot be (the
// install goes on: memtrace records without it); one line and a failed install when there is no interposer and
// nothing to build one with.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { agentFileName, nativeDir, v8LineOf } from "../../src/record/native";

t.setTimeout(10 * 60 * 1000);

const ROOT = join(__dirname, "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "memtrace-install-script-"));
const agent = agentFileName(v8LineOf(process.versions.v8));
const NEEDS = "a source build needs cmake, a C++20 compiler and Node.js's headers";

/** A copy of what the package ships of native/, with its prebuilds. */
function installedPackage(name: string): string {
  const pkg = join(tmp, name);
  const shipped = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { files: string[] }).files;
  for (const f of ["package.json", ...shipped.filter((f) => f.startsWith("native/"))]) {
    cpSync(join(ROOT, f), join(pkg, f), { recursive: true });
  }
  cpSync(nativeDir(), join(pkg, "prebuilds", "linux-x64"), { recursive: true });
  return pkg;
}

/** PATH with node alone: no cmake, no compiler. */
const nodeOnly = join(tmp, "bin");
mkdirSync(nodeOnly);
symlinkSync(process.execPath, join(nodeOnly, "node"));

function install(pkg: string, PATH: string) {
  return spawnSync(process.execPath, [join(pkg, "native", "install.js")], {
    cwd: pkg,
    encoding: "utf8",
    env: { ...process.env, PATH, NODE_OPTIONS: "" },
  });
}

t.test("given prebuilds that fit this node, the install script does nothing", async (t) => {
  const run = install(installedPackage("fits"), nodeOnly);
  t.equal(run.status, 0);
  t.equal(run.stderr, "");
  t.equal(run.stdout, "");
});

t.test("given no agent for this node and nothing to build it with, the install goes on and says so", async (t) => {
  const pkg = installedPackage("no-agent");
  rmSync(join(pkg, "prebuilds", "linux-x64", agent));
  const run = install(pkg, nodeOnly);
  t.equal(run.status, 0, "the install does not fail");
  t.match(run.stderr, new RegExp(`^memtrace: no agent for this Node.js \\(V8 [\\d.]+\\) and it could not be built`));
  t.match(run.stderr, `${NEEDS} (`);
  t.match(run.stderr, "missing here: cmake, a C++20 compiler): recordings will have unnamed JS frames");
  t.equal(run.stderr.split("\n").length, 2, "in one line");
});

t.test("given no prebuilt interposer and nothing to build one with, the install fails in one line", async (t) => {
  const pkg = installedPackage("nothing");
  rmSync(join(pkg, "prebuilds"), { recursive: true });
  const run = install(pkg, nodeOnly);
  t.equal(run.status, 1);
  t.ok(run.stderr.startsWith(`memtrace: no prebuilt native recorder for linux-x64, and ${NEEDS}`), run.stderr);
  t.equal(run.stderr.split("\n").length, 2, "in one line");
});

t.test("given no agent for this node and a compiler, the install script builds it from source", async (t) => {
  const pkg = installedPackage("build");
  rmSync(join(pkg, "prebuilds", "linux-x64", agent));
  const run = install(pkg, process.env.PATH ?? "");
  t.equal(run.status, 0, run.stderr);
  t.ok(existsSync(join(pkg, "prebuilds", "linux-x64", agent)), `${agent} is built`);
  t.notOk(existsSync(join(pkg, "native", "build", "Release", "memtrace_fixture.node")), "and no test fixture");
});
