#!/usr/bin/env node
// The Node.js release lines of native/node-lines.json, fetched from the npm registry (the official binaries with
// their headers, published as node-linux-<arch>) into scratch/node-lines/<version>-<arch>/, once. Shared by the prebuilds
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

/** The architectures whose prebuilds the package ships: ["x64", "arm64"]. */
function nodeArches() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "native", "node-lines.json"), "utf8")).arches;
}

/** Where a line's package is unpacked (or goes): its bin/node and include/node. */
function linePrefix(line, arch = process.arch) {
  return path.join(LINES_DIR, `${line.node}-${arch}`);
}

function complete(prefix) {
  return fs.existsSync(path.join(prefix, "bin", "node")) && fs.existsSync(path.join(prefix, "include", "node", "v8.h"));
}

function run(command, args) {
  const r = spawnSync(command[0], [...command.slice(1), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.error || r.status !== 0) throw new Error(`${[...command, ...args].join(" ")} failed (${r.status ?? r.error})`);
  return r.stdout;
}

/**
 * Fetches the lines not fetched yet (`npm pack`, which takes any platform's package, then unpacked); returns
 * every line with its paths. Throws if one cannot be fetched.
 */
function fetchLines(arch = process.arch, log = (s) => process.stderr.write(`${s}\n`)) {
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ["npm"];
  return nodeLines().map((line) => {
    const prefix = linePrefix(line, arch);
    if (!complete(prefix)) {
      const name = `node-linux-${arch}@${line.node}`;
      log(`node-lines: fetching ${name} from the npm registry`);
      const download = path.join(LINES_DIR, "downloads");
      fs.mkdirSync(download, { recursive: true });
      const packed = JSON.parse(run(npm, ["pack", name, "--pack-destination", download, "--json", "--silent"]));
      const tarball = path.join(download, packed[0].filename);
      fs.rmSync(prefix, { recursive: true, force: true });
      fs.mkdirSync(prefix, { recursive: true });
      run(["tar"], ["-xzf", tarball, "-C", prefix, "--strip-components=1"]);
      fs.rmSync(tarball);
      if (!complete(prefix)) throw new Error(`${name} has no bin/node or include/node`);
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

module.exports = { LINES_DIR, nodeLines, nodeArches, linePrefix, fetchLines };

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
