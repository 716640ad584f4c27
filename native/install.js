// memtrace's install script. An installed package ships its native parts prebuilt (prebuilds/<platform>-<arch>/),
// and npm may not even run this script: then it does nothing when a prebuilt fits this machine and this node
// (this node loads it: the prebuilds need the C library they were built against, or a newer one).
// Otherwise it builds from source for the node that runs npm (never a download), and says in one line what a
// build needs when something is missing. Only the interposer is essential: without an agent for this node's V8,
// memtrace still records, with JS frames unnamed, so that alone never fails the install.
//
// A development checkout (it has test/) always builds, so that the native parts follow the sources.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const native = require("./build");

function say(line) {
  process.stderr.write(`memtrace: ${line}\n`);
}

function main() {
  if (process.platform !== "linux") {
    say(`recording needs Linux (this is ${process.platform}); memtrace's other commands work here`);
    return 0;
  }
  const development = fs.existsSync(path.join(native.ROOT, "test"));
  const line = native.v8Line(process.versions.v8);
  const agent = native.agentFile(line);
  const has = (file) => fs.existsSync(path.join(native.PREBUILDS_DIR, file));
  const hasInterposer = has(native.INTERPOSER) && native.loads(native.INTERPOSER);
  if (!development && hasInterposer && has(agent) && native.loads(agent)) return 0;

  const headers = native.ownHeaders();
  const missing = native.missingTools(headers);
  const needs =
    `a source build needs cmake, a C++20 compiler and Node.js's headers (${path.dirname(path.dirname(process.execPath))}` +
    `/include/node, or npm's nodedir); missing here: ${missing.join(", ")}`;
  if (!development && hasInterposer) {
    // Only this node's agent is missing: build it alone, or go on without it.
    if (missing.length === 0) {
      const status = native.build({ agents: [headers], targets: [native.agentTarget(line)], stdio: "ignore" });
      if (status === 0) return 0;
    }
    say(
      `no agent for this Node.js (V8 ${line}) and it could not be built ` +
        `(${missing.length ? needs : "the build failed"}): recordings will have unnamed JS frames and no JS heap`,
    );
    return 0;
  }
  if (missing.length > 0) {
    say(`no prebuilt native recorder for ${native.PLATFORM}, and ${needs}`);
    return 1;
  }
  return native.build({ agents: [headers] });
}

process.exitCode = main();
