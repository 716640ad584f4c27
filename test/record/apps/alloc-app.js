// Calls the fixture addon's MemtraceFixture::AllocateBlocks from a named JS function:
//   node alloc-app.js <count> <size> <freeCount>
"use strict";
const path = require("node:path");
const fixture = require(path.join(__dirname, "..", "..", "..", "native", "build", "Release", "memtrace_fixture.node"));

function allocateForTest(count, size, freeCount) {
  return fixture.allocateBlocks(count, size, freeCount);
}

const [count, size, freeCount] = process.argv.slice(2).map(Number);
console.log(`allocated ${allocateForTest(count, size, freeCount)}`);
