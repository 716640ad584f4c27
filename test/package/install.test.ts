// memtrace as a user installs it: `npm pack` (which builds the prebuilds of every line), then the tarball installed
// with npm's defaults into a fresh project and globally, on a PATH that has node and npm but no cmake, make or
// C/C++ compiler; then `npx memtrace record app.js` and `npx memtrace summary`, with this node and another line's.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import t from "tap";
import { Capture, MALLOC, userEnv } from "../record/capture";
import { nodeLines } from "../fixtures/node-lines";

t.setTimeout(15 * 60 * 1000);

const ROOT = join(__dirname, "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "memtrace-package-"));
const TOOLS = ["cmake", "make", "cc", "gcc", "g++", "c++", "clang", "clang++"];

/** A bin folder with node, npm, npx and sh: what a machine without build tools has. */
function userBin(): string {
  const bin = join(tmp, "bin");
  mkdirSync(bin);
  const npm = realpathSync(join(dirname(process.execPath), "npm"));
  symlinkSync(process.execPath, join(bin, "node"));
  symlinkSync(npm, join(bin, "npm"));
  symlinkSync(join(dirname(npm), "npx-cli.js"), join(bin, "npx"));
  symlinkSync("/bin/sh", join(bin, "sh"));
  return bin;
}

const bin = userBin();
/**
 * The user's shell on a PATH without build tools. The rest of the environment stays (HOME for npm's cache and
 * settings, a proxy's CA certificates), but for what `npm test` and tap set.
 */
function run(command: string, args: string[], cwd: string): SpawnSyncReturns<Buffer> {
  const env: NodeJS.ProcessEnv = { ...userEnv({ keepExtraCerts: true }), PATH: bin };
  for (const key of Object.keys(env)) if (/^npm_/i.test(key)) delete env[key];
  return spawnSync(command, args, { cwd, env, maxBuffer: 1 << 30, timeout: 5 * 60 * 1000 });
}

const app = `function keepBuffers() {
  const kept = [];
  for (let i = 0; i < 100; i++) kept.push(Buffer.allocUnsafeSlow(10007));
  return kept;
}
keepBuffers();
console.log("app done");
`;

/** A capture's mallocs of 10007 bytes under keepBuffers. */
function buffersIn(bytes: Buffer): number {
  const capture = new Capture(bytes);
  return capture.events.filter(
    (e) =>
      e.kind === MALLOC && e.size === 10007 && capture.frames(e.pid, e.stack).some((f) => f.name === "keepBuffers"),
  ).length;
}

// npm pack builds the arm64 prebuilds too: a cross compiler and qemu-user (.ci/run installs them).
const crossTools = ["aarch64-linux-gnu-g++", "qemu-aarch64-static"].filter(
  (tool) => spawnSync(tool, ["--version"], { stdio: "ignore" }).error,
);
const unavailable =
  crossTools.length && !process.env.CI ? { skip: `${crossTools.join(" and ")} not installed (see .ci/run)` } : {};

t.test("given the packed tarball, installed on a machine without a compiler", unavailable, async (t) => {
  const available = run("sh", ["-c", `command -v ${TOOLS.join(" ")}`], tmp);
  t.equal(available.stdout.toString(), "", "no build tool is on the PATH");

  const packed = spawnSync("npm", ["pack", "--pack-destination", tmp, "--json"], { cwd: ROOT, encoding: "utf8" });
  t.equal(packed.status, 0, packed.stderr);
  // The lifecycle scripts' output comes first on stdout, then npm's JSON.
  const json = packed.stdout.slice(packed.stdout.lastIndexOf("\n[\n") + 1);
  const [pack] = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
  const files = pack.files.map((f) => f.path);
  const lines = nodeLines();
  if (typeof lines === "string") throw new Error(lines);
  for (const line of lines) {
    t.ok(files.includes(`prebuilds/linux-x64/memtrace-agent-v8-${line.v8}.node`), `the agent for V8 ${line.v8}`);
  }
  for (const arch of ["x64", "arm64"]) {
    t.ok(files.includes(`prebuilds/linux-${arch}/libmemtrace_preload.so`), `the interposer for ${arch}`);
    t.ok(files.includes(`prebuilds/linux-${arch}/memtrace-kernel.node`), `fold's native kernel for ${arch}`);
  }
  const arm64 = nodeLines("arm64");
  if (typeof arm64 === "string") throw new Error(arm64);
  for (const line of arm64) {
    t.ok(
      files.includes(`prebuilds/linux-arm64/memtrace-agent-v8-${line.v8}.node`),
      `arm64: the agent for V8 ${line.v8}`,
    );
  }
  t.same(
    files.filter((f) => /^(native\/build|test|scratch|bench)\//.test(f)),
    [],
    "no build tree, tests or benchmarks",
  );
  const tarball = join(tmp, pack.filename);

  const project = join(tmp, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "fresh", version: "1.0.0", private: true }));
  writeFileSync(join(project, "app.js"), app);
  const installed = run("npm", ["install", tarball], project);
  t.equal(installed.status, 0, `npm install: ${installed.stderr}`);

  const recorded = run("npx", ["memtrace", "record", "--no-paired", "app.js"], project);
  t.equal(recorded.status, 0, `npx memtrace record: ${recorded.stderr}`);
  t.equal(recorded.stderr.toString(), "app done\n", "the app's stdout, on stderr since the capture takes stdout");
  t.equal(buffersIn(recorded.stdout), 100, "the app's buffers, under its JS function");
  writeFileSync(join(project, "app.mtrace"), recorded.stdout);
  const summary = run("npx", ["memtrace", "summary", "app.mtrace"], project);
  t.equal(summary.status, 0, summary.stderr.toString());
  t.match(summary.stdout.toString(), /app\.js \(pid \d+\): [\d,]+ allocations/, "and summarised");
  // To a file the capture is zstd, through the packaged kernel and the system's libzstd: no LZ4 fallback said.
  const toFile = run("npx", ["memtrace", "record", "--no-paired", "-o", "app.zst.mtrace", "app.js"], project);
  t.equal(toFile.status, 0, `npx memtrace record -o: ${toFile.stderr}`);
  t.notMatch(toFile.stderr.toString(), /LZ4|zstd/, "no fallback to LZ4 said");
  const zst = readFileSync(join(project, "app.zst.mtrace"));
  t.same([...zst.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd], "a zstd capture");
  t.equal(buffersIn(zst), 100, "that reads back");
  // The pages inline scripts that ship as files (src/sinks/**/*.js): each page is made from the package.
  for (const args of [["flame"], ["flame", "--html"], ["table", "--format", "html"], ["diff", "--flame"]]) {
    const files = args[0] === "diff" ? ["app.mtrace", "app.mtrace"] : ["app.mtrace"];
    const page = run("npx", ["memtrace", ...args, ...files], project);
    t.equal(page.status, 0, `npx memtrace ${args.join(" ")}: ${page.stderr}`);
    t.match(page.stdout.toString(), /<script[^>]*>/, `npx memtrace ${args.join(" ")}: a page with its script`);
  }

  // Another line's node, with the agent the tarball holds for it.
  const other = lines.find((l) => l.v8 !== process.versions.v8.split(".").slice(0, 2).join("."));
  if (other) {
    const withOther = run("npx", ["memtrace", "record", "--no-paired", "--", other.binary, "app.js"], project);
    t.equal(withOther.status, 0, withOther.stderr.toString());
    t.equal(buffersIn(withOther.stdout), 100, `Node.js ${other.node}: the app's buffers, under its JS function`);
  }

  const prefix = join(tmp, "global");
  const global = run("npm", ["install", "-g", "--prefix", prefix, tarball], project);
  t.equal(global.status, 0, `npm install -g: ${global.stderr}`);
  const globally = run(join(prefix, "bin", "memtrace"), ["record", "--no-paired", "app.js"], project);
  t.equal(globally.status, 0, globally.stderr.toString());
  t.equal(buffersIn(globally.stdout), 100, "installed globally, it records too");
  t.match(readFileSync(join(prefix, "lib", "node_modules", "memtrace", "package.json"), "utf8"), /"name": "memtrace"/);
});
