#!/usr/bin/env node
"use strict";
// The memtrace command. The TypeScript sources are compiled to dist/ by `npm install` (the prepare script).
let cli;
try {
  cli = require("../dist/src/cli/main.js");
} catch (e) {
  if (e && e.code === "MODULE_NOT_FOUND") {
    process.stderr.write("memtrace: not built yet: run `npm install` (or `npm run build`) in the memtrace folder\n");
    process.exit(1);
  }
  throw e;
}
cli.main();
