// Allocates 10 blocks of 5555 bytes, then waits (without allocating a known size) until the file named on its
// command line exists. A test creates that file only after it has seen the blocks in the live capture.
"use strict";
const fs = require("node:fs");
const { setInterval, clearInterval } = require("node:timers");
const path = require("node:path");
const fixture = require(path.join(__dirname, "..", "..", "..", "native", "build", "Release", "memtrace_fixture.node"));
fixture.allocateBlocks(10, 5555, 0);
const timer = setInterval(() => {
  if (fs.existsSync(process.argv[2])) {
    clearInterval(timer);
    console.log("saw the go file");
  }
}, 20);
