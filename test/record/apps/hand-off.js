// Calls the fixture addon's MemtraceFixture::HandOff: a block freed in one thread and malloc'd again at once in
// another, over and over.
//   node hand-off.js <rounds> <size>
"use strict";
const path = require("node:path");
const fixture = require(path.join(__dirname, "..", "..", "..", "native", "build", "Release", "memtrace_fixture.node"));

const [rounds, size] = process.argv.slice(2).map(Number);
fixture.handOff(rounds, size);
