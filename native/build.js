// Builds memtrace's native parts from source with cmake (native/CMakeLists.txt): the interposer and one agent per
// Node.js include folder given, into prebuilds/<platform>-<arch>/; the build tree stays in native/build. Used by
// install.js (the node that runs npm), scripts/prebuilds.ts (every line of node-lines.json) and the tests.
// Nothing here downloads: the headers are the ones given.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const BUILD_DIR = path.join(__dirname, "build");
const PLATFORM = `${process.platform}-${process.arch}`;
const PREBUILDS_DIR = path.join(ROOT, "prebuilds", PLATFORM);
const INTERPOSER = "libmemtrace_preload.so";

/** "13.6" for V8 13.6.233.17-node.37. */
function v8Line(version) {
  return version.split(".").slice(0, 2).join(".");
}

/** The agent's file name for a V8 line. */
function agentFile(line) {
  return `memtrace-agent-v8-${line}.node`;
}

/** The include folder of a Node.js prefix (the folder holding bin/node), or undefined without its headers. */
function nodeHeaders(prefix) {
  const dir = path.join(prefix, "include", "node");
  return fs.existsSync(path.join(dir, "node_api.h")) && fs.existsSync(path.join(dir, "v8-version.h")) ? dir : undefined;
}

/** The headers of the node running this script: npm's nodedir if set, else its own prefix. */
function ownHeaders() {
  return nodeHeaders(process.env.npm_config_nodedir || path.dirname(path.dirname(process.execPath)));
}

function works(command, args) {
  const r = spawnSync(command, args, { stdio: "ignore" });
  return !r.error && r.status === 0;
}

/**
 * Whether this node loads a prebuilt file: the interposer as LD_PRELOAD (the loader refuses it, and says so on
 * stderr, when this machine's C library is older than the one it was built against), an agent with require().
 */
function loads(file) {
  const full = path.join(PREBUILDS_DIR, file);
  const r = file.endsWith(".node")
    ? spawnSync(process.execPath, ["-e", `require(${JSON.stringify(full)})`], { encoding: "utf8" })
    : spawnSync(process.execPath, ["-e", "0"], { encoding: "utf8", env: { ...process.env, LD_PRELOAD: full } });
  return r.status === 0 && !r.stderr;
}

/** What a source build lacks here, as words for a message; empty when it has everything. */
function missingTools(headers) {
  const missing = [];
  if (!works("cmake", ["--version"])) missing.push("cmake");
  const compilers = [process.env.CXX, "c++", "g++", "clang++"].filter(Boolean);
  if (!compilers.some((c) => works(c, ["--version"]))) missing.push("a C++20 compiler");
  if (!headers) missing.push("Node.js's headers");
  return missing;
}

/** Waits for, then holds, the build tree's lock: two builds at once (parallel test files) would clash. */
function withLock(buildDir, fn) {
  fs.mkdirSync(buildDir, { recursive: true });
  const lock = path.join(buildDir, ".lock");
  const deadline = Date.now() + 20 * 60 * 1000;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      const holder = Number(fs.readFileSync(lock, "utf8"));
      let alive = holder > 0;
      try {
        if (alive) process.kill(holder, 0);
      } catch {
        alive = false;
      }
      if (!alive) fs.rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`the native build is locked by process ${holder}`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

// GNU names of the architectures a cross-build targets (their compilers are <name>-linux-gnu-g++).
const GNU_ARCH = { x64: "x86_64", arm64: "aarch64" };

/** The prebuilds folder of an architecture. */
function prebuildsDir(arch = process.arch) {
  return path.join(ROOT, "prebuilds", `linux-${arch}`);
}

/**
 * Configures and builds. `agents`: Node.js include folders, one agent each. `targets`: only these cmake targets
 * (default: all). `stdio`: where cmake's output goes. `arch`: another architecture than this machine's is a
 * cross-build (with Debian's g++-<gnu arch>-linux-gnu), in a build tree of its own. Returns cmake's exit status
 * (0: built).
 */
function build({ agents, targets, stdio = "inherit", arch = process.arch }) {
  const cross = arch !== process.arch;
  const buildDir = cross ? path.join(__dirname, `build-linux-${arch}`) : BUILD_DIR;
  const toolchain = cross
    ? [
        "-DCMAKE_SYSTEM_NAME=Linux",
        `-DCMAKE_SYSTEM_PROCESSOR=${GNU_ARCH[arch]}`,
        `-DCMAKE_CXX_COMPILER=${GNU_ARCH[arch]}-linux-gnu-g++`,
      ]
    : [];
  return withLock(buildDir, () => {
    const configure = spawnSync(
      "cmake",
      [
        "-S",
        __dirname,
        "-B",
        buildDir,
        "-DCMAKE_BUILD_TYPE=Release",
        ...toolchain,
        `-DMEMTRACE_OUTPUT_DIR=${prebuildsDir(arch)}`,
        `-DMEMTRACE_AGENT_HEADERS=${agents.join(";")}`,
      ],
      { stdio },
    );
    if (configure.error || configure.status !== 0) return configure.status ?? 1;
    const args = ["--build", buildDir, "--parallel", "2"];
    for (const t of targets ?? []) args.push("--target", t);
    const made = spawnSync("cmake", args, { stdio });
    return made.error ? 1 : (made.status ?? 1);
  });
}

/** The cmake target of a V8 line's agent. */
function agentTarget(line) {
  return `memtrace_agent_v8_${line.replace(".", "_")}`;
}

module.exports = {
  ROOT,
  BUILD_DIR,
  PLATFORM,
  PREBUILDS_DIR,
  INTERPOSER,
  prebuildsDir,
  v8Line,
  agentFile,
  agentTarget,
  nodeHeaders,
  ownHeaders,
  missingTools,
  loads,
  build,
};
