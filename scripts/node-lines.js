#!/usr/bin/env node
// The Node.js release lines of native/node-lines.json, fetched from the npm registry (the official binaries with
// their headers, published as node-linux-<arch>) into scratch/node-lines/, once. Shared by the prebuilds
// (scripts/prebuilds.js), the tests that run on every line and CI (.ci/run).
//
//   node scripts/node-lines.js [--arch x64|arm64] [--json]
//
// prints each line as "<node version> <V8 line> <node binary>" (or the same as JSON), fetching what is missing.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const LINES_DIR = path.join(ROOT, "scratch", "node-lines");

/** The lines of native/node-lines.json: [{ node: "24.22.3", v8: "13.6" }, ...]. */
function nodeLines() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "native", "node-lines.json"), "utf8")).lines;
}

/** Where a line's package is (or goes): its bin/node and include/node. */
function linePrefix(line, arch = process.arch) {
  return path.join(LINES_DIR, `${line.node}-${arch}`, "node_modules", `node-linux-${arch}`);
}

function complete(prefix) {
  return fs.existsSync(path.join(prefix, "bin", "node")) && fs.existsSync(path.join(prefix, "include", "node", "v8.h"));
}

/** Fetches the lines not fetched yet; returns every line with its paths. Throws if npm cannot fetch one. */
function fetchLines(arch = process.arch, log = (s) => process.stderr.write(`${s}\n`)) {
  return nodeLines().map((line) => {
    const prefix = linePrefix(line, arch);
    if (!complete(prefix)) {
      const name = `node-linux-${arch}@${line.node}`;
      log(`node-lines: fetching ${name} from the npm registry`);
      const npm = process.env.npm_execpath
        ? [process.execPath, process.env.npm_execpath]
        : [process.platform === "win32" ? "npm.cmd" : "npm"];
      const r = spawnSync(
        npm[0],
        [
          ...npm.slice(1),
          "install",
          "--prefix",
          path.dirname(path.dirname(prefix)),
          "--no-save",
          "--no-package-lock",
          "--ignore-scripts",
          "--no-audit",
          "--no-fund",
          "--loglevel=error",
          // The package is for one platform: fetching another's (a cross-build's headers) needs npm's consent.
          `--os=linux`,
          `--cpu=${arch}`,
          name,
        ],
        { stdio: ["ignore", "ignore", "inherit"] },
      );
      if (r.error || r.status !== 0 || !complete(prefix)) {
        throw new Error(`could not fetch ${name} (npm exited with ${r.status ?? r.error})`);
      }
    }
    return {
      node: line.node,
      v8: line.v8,
      arch,
      prefix,
      binary: path.join(prefix, "bin", "node"),
      headers: path.join(prefix, "include", "node"),
    };
  });
}

module.exports = { LINES_DIR, nodeLines, linePrefix, fetchLines };

if (require.main === module) {
  const args = process.argv.slice(2);
  const archAt = args.indexOf("--arch");
  const arch = archAt >= 0 ? args[archAt + 1] : process.arch;
  try {
    const lines = fetchLines(arch);
    if (args.includes("--json")) process.stdout.write(`${JSON.stringify(lines, null, 2)}\n`);
    else for (const l of lines) process.stdout.write(`${l.node} ${l.v8} ${l.binary}\n`);
  } catch (e) {
    process.stderr.write(`node-lines: ${e.message}\n`);
    process.exitCode = 1;
  }
}
