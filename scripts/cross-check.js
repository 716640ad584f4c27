// Checks of another architecture's prebuilds on this machine. Under qemu-user when it can run that architecture's
// node, always with a time limit; on hosts where it cannot (docs/packaging.md), a static check of what the loader
// would do: every symbol an agent needs is defined by its node or by a library it names, since agents bind every
// symbol at load (-z now).
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const GNU_ARCH = { arm64: "aarch64", x64: "x86_64" };
const EMULATOR_START_MS = 60 * 1000;

/** How to run a program of `arch` here: directly, or under qemu-user. */
function runner(arch) {
  if (arch === process.arch) return [];
  return [`qemu-${GNU_ARCH[arch]}-static`, "-L", sysroot(arch)];
}

function sysroot(arch) {
  return `/usr/${GNU_ARCH[arch]}-linux-gnu`;
}

/** Runs `binary args` of `arch` (under qemu for another one) with a time limit; spawnSync's result. */
function runAs(arch, binary, args, options = {}) {
  const command = [...runner(arch), binary, ...args];
  // NODE_EXTRA_CA_CERTS makes every node start-up parse the whole CA bundle: minutes under emulation.
  const env = { ...process.env, ...options.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return spawnSync(command[0], command.slice(1), {
    encoding: "utf8",
    timeout: options.timeout ?? EMULATOR_START_MS,
    ...options,
    env,
  });
}

const emulatorCache = new Map();

/**
 * undefined when `binary` (a node of `arch`) starts here within the limit; else why not, as a phrase. An emulator
 * that hangs or cannot run is taken to do so for every binary of the architecture (one wait, not one a line).
 */
function emulatorProblem(arch, binary) {
  if (arch === process.arch) return undefined;
  if (emulatorCache.has(arch)) return emulatorCache.get(arch);
  if (!emulatorCache.has(binary)) {
    const r = runAs(arch, binary, ["-e", "0"]);
    const problem =
      r.error?.code === "ETIMEDOUT"
        ? `${runner(arch)[0]} does not start ${binary} within ${EMULATOR_START_MS / 1000} s on this host`
        : r.error
          ? `${runner(arch)[0]} cannot run here (${r.error.message})`
          : r.status !== 0
            ? `${binary} exits with ${r.status ?? r.signal} under ${runner(arch)[0]}: ${r.stderr.trim().split("\n")[0]}`
            : undefined;
    emulatorCache.set(binary, problem);
    if (r.error) emulatorCache.set(arch, `${problem} (and so, taken to be, any ${arch} node)`);
  }
  return emulatorCache.get(binary);
}

/** The dynamic symbols of an ELF file, from readelf (which reads every architecture's). */
function dynamicSymbols(file) {
  const r = spawnSync("readelf", ["--dyn-syms", "--wide", file], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`readelf cannot read ${file}: ${r.stderr.trim()}`);
  const defined = new Set();
  const needed = [];
  for (const line of r.stdout.split("\n")) {
    // Num: Value Size Type Bind Vis Ndx Name
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !/^\d+:$/.test(f[0])) continue;
    const name = f[7].replace(/@.*$/, "");
    if (!name) continue;
    if (f[6] === "UND") {
      if (f[4] !== "WEAK") needed.push(name);
    } else defined.add(name);
  }
  return { defined, needed };
}

/** The libraries an ELF file names (DT_NEEDED). */
function neededLibraries(file) {
  const r = spawnSync("readelf", ["--dynamic", "--wide", file], { encoding: "utf8" });
  return [...r.stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
}

/**
 * The symbols `agent` needs that neither `node` nor a library either names defines (empty when it would load),
 * for an architecture whose libraries are in its cross sysroot.
 */
function unresolvedSymbols(arch, agent, node) {
  const available = new Set(dynamicSymbols(node).defined);
  const libraries = new Set([...neededLibraries(agent), ...neededLibraries(node)]);
  for (const name of libraries) {
    const file = [
      path.join(sysroot(arch), "lib", name),
      path.join("/usr/lib", `${GNU_ARCH[arch]}-linux-gnu`, name),
    ].find((f) => fs.existsSync(f));
    if (!file) throw new Error(`${name}, which ${agent} or ${node} needs, is not in ${sysroot(arch)}/lib`);
    for (const s of dynamicSymbols(file).defined) available.add(s);
  }
  return dynamicSymbols(agent).needed.filter((s) => !available.has(s));
}

module.exports = { GNU_ARCH, runner, runAs, emulatorProblem, unresolvedSymbols };
