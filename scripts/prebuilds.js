#!/usr/bin/env node
// `npm run prebuilds` (and `prepack`, so that a packed tarball always holds every line): the interposer and an
// agent for every line of native/node-lines.json (fetched by scripts/node-lines.js) and for the node running
// this, into prebuilds/<platform>-<arch>/; then each agent is loaded into its own node, which fails on a symbol
// that node lacks (agents bind every symbol at load).
//
//   node scripts/prebuilds.js [--quiet]
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");
const native = require("../native/build");
const { fetchLines } = require("./node-lines");

function main() {
  const quiet = process.argv.includes("--quiet");
  const lines = fetchLines();
  const nodes = lines.map((l) => ({ binary: l.binary, headers: l.headers, v8: l.v8 }));
  // The node running this builds its own line too, from its own headers, unless a fetched line is the same.
  const own = native.v8Line(process.versions.v8);
  const ownHeaders = native.ownHeaders();
  if (ownHeaders && !lines.some((l) => l.v8 === own)) {
    nodes.unshift({ binary: process.execPath, headers: ownHeaders, v8: own });
  }
  const status = native.build({ agents: nodes.map((n) => n.headers), stdio: quiet ? "ignore" : "inherit" });
  if (status !== 0) {
    process.stderr.write(`prebuilds: the native build failed (cmake exited with ${status})\n`);
    return 1;
  }
  for (const n of nodes) {
    const agent = path.join(native.PREBUILDS_DIR, native.agentFile(n.v8));
    const r = spawnSync(n.binary, ["-p", `typeof require(${JSON.stringify(agent)}).start`], { encoding: "utf8" });
    if (r.status !== 0 || r.stdout.trim() !== "function") {
      process.stderr.write(`prebuilds: ${agent} does not load in ${n.binary}: ${r.stderr || r.stdout}\n`);
      return 1;
    }
  }
  if (!quiet) {
    process.stderr.write(`prebuilds: ${native.PREBUILDS_DIR}: agents for V8 ${nodes.map((n) => n.v8).join(", ")}\n`);
  }
  return 0;
}

process.exitCode = main();
