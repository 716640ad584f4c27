#!/usr/bin/env node
// `npm run prebuilds` (and `prepack`, so that a packed tarball always holds every line): for every architecture
// of native/node-lines.json, the interposer and an agent for every line (fetched by scripts/node-lines.js), and
// for the node running this, into prebuilds/linux-<arch>/; then each agent is loaded into its own node, which
// fails on a symbol that node lacks (agents bind every symbol at load).
//
//   node scripts/prebuilds.js [--quiet] [--arch x64|arm64] [--tests] [--no-load-check]
//
// --no-load-check: build only (the tests' fixtures, after `npm test` checked the loads).
// --tests (`npm test`): an architecture whose cross tools this machine lacks is skipped with a line, as the
// tests of that architecture skip, unless CI is set (CI must not pass by skipping).
//
// Another architecture than this machine's is cross-built (Debian's g++-aarch64-linux-gnu for arm64), and its
// agents loaded into their nodes under qemu-user (qemu-user-static, with the cross toolchain's C library).
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");
const native = require("../native/build");
const { fetchLines, nodeArches } = require("./node-lines");
const { GNU_ARCH, runAs, emulatorProblem, unresolvedSymbols } = require("./cross-check");

/** The Debian packages a cross-build for `arch` needs and this machine lacks. */
function missingCrossTools(arch) {
  if (arch === process.arch) return [];
  const gnu = GNU_ARCH[arch];
  const has = (command) => !spawnSync(command, ["--version"], { stdio: "ignore" }).error;
  return [
    ...(has(`${gnu}-linux-gnu-g++`) ? [] : [`g++-${gnu.replace("_", "-")}-linux-gnu`]),
    ...(has(`qemu-${gnu}-static`) ? [] : ["qemu-user-static"]),
  ];
}

/** Builds and checks one architecture's prebuilds; 0 when done, else 1 with a line said. */
function prebuild(arch, quiet, loadCheck) {
  const lines = fetchLines(arch);
  const nodes = lines.map((l) => ({ binary: l.binary, headers: l.headers, v8: l.v8 }));
  // The node running this builds its own line too, from its own headers, unless a fetched line is the same.
  const own = native.v8Line(process.versions.v8);
  const ownHeaders = native.ownHeaders();
  if (arch === process.arch && ownHeaders && !lines.some((l) => l.v8 === own)) {
    nodes.unshift({ binary: process.execPath, headers: ownHeaders, v8: own });
  }
  const status = native.build({ agents: nodes.map((n) => n.headers), stdio: quiet ? "ignore" : "inherit", arch });
  if (status !== 0) {
    process.stderr.write(`prebuilds: the native build for ${arch} failed (cmake exited with ${status})\n`);
    return 1;
  }
  const dir = native.prebuildsDir(arch);
  let staticallyChecked;
  for (const n of loadCheck ? nodes : []) {
    const agent = path.join(dir, native.agentFile(n.v8));
    const problem = emulatorProblem(arch, n.binary);
    if (problem) {
      const missing = unresolvedSymbols(arch, agent, n.binary);
      if (missing.length > 0) {
        process.stderr.write(
          `prebuilds: ${agent} needs symbols ${n.binary} lacks: ${missing.slice(0, 5).join(", ")}\n`,
        );
        return 1;
      }
      staticallyChecked = problem;
      continue;
    }
    const r = runAs(arch, n.binary, ["-p", `typeof require(${JSON.stringify(agent)}).start`], {
      timeout: 5 * 60 * 1000,
    });
    if (r.status !== 0 || r.stdout.trim() !== "function") {
      process.stderr.write(`prebuilds: ${agent} does not load in ${n.binary}: ${r.error ?? (r.stderr || r.stdout)}\n`);
      return 1;
    }
  }
  if (staticallyChecked) {
    process.stderr.write(
      `prebuilds: ${staticallyChecked}; ${arch}'s agents were checked against their nodes' symbols\n`,
    );
  }
  if (!quiet) process.stderr.write(`prebuilds: ${dir}: agents for V8 ${nodes.map((n) => n.v8).join(", ")}\n`);
  return 0;
}

function main() {
  const args = process.argv.slice(2);
  const quiet = args.includes("--quiet");
  const skipMissing = args.includes("--tests") && process.env.CI !== "true";
  const arches = args.includes("--arch") ? [args[args.indexOf("--arch") + 1]] : nodeArches();
  for (const arch of arches) {
    const tools = missingCrossTools(arch);
    if (tools.length > 0) {
      process.stderr.write(
        `prebuilds: building for ${arch} here needs ${tools.join(" and ")} (apt-get install ${tools.join(" ")})${skipMissing ? "; skipped" : ""}\n`,
      );
      if (skipMissing) continue;
      return 1;
    }
    if (prebuild(arch, quiet, !args.includes("--no-load-check")) !== 0) return 1;
  }
  return 0;
}

process.exitCode = main();
