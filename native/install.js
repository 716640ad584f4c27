// Builds the native parts during `npm install` / `npm ci`: runs cmake-js against the headers of the node that
// runs this script (never a download: cmake-js reads npm's `nodedir`, which we point at this node's prefix).
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const prefix = process.env.npm_config_nodedir || path.dirname(path.dirname(process.execPath));
if (!fs.existsSync(path.join(prefix, "include", "node", "node.h"))) {
  console.error(
    `memtrace: no Node.js headers in ${prefix}/include/node; set npm's nodedir to a Node.js prefix that has them`,
  );
  process.exit(1);
}
const cmakeJs = require.resolve("cmake-js/bin/cmake-js");
const result = spawnSync(
  process.execPath,
  [cmakeJs, "build", "--directory", __dirname, "--out", path.join(__dirname, "build"), "--parallel", "2"],
  { stdio: "inherit", env: { ...process.env, npm_config_nodedir: prefix } },
);
process.exit(result.status === null ? 1 : result.status);
