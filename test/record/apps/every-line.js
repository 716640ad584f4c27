// What the agent does, for test/record/lines.test.ts to check on every Node.js line:
//
//   node --expose-gc every-line.js <another node> <exit code>
//
// - allocateInJs: the fixture addon mallocs 500 blocks of 4093 bytes, under a named JS function;
// - keepBuffer: a Buffer of 1 MiB made from a string, and deflated (the app view names the runtime's part of each);
// - buildRows: 200,000 objects kept, then released and collected (global.gc());
// - a worker thread: workerBlocks mallocs 300 blocks of 3071 bytes;
// - a child running this same node (childBlocks: 200 of 2047) and one running another node (otherBlocks: 100
//   of 1023), each recorded with the agent for its own V8;
// then exits with the code given.
"use strict";
const { execFileSync } = require("node:child_process");
const path = require("node:path");
const { Worker } = require("node:worker_threads");
const zlib = require("node:zlib");

const FIXTURE = path.join(__dirname, "..", "..", "..", "native", "build", "Release", "memtrace_fixture.node");
const fixture = require(FIXTURE);

function allocateInJs() {
  return fixture.allocateBlocks(500, 4093, 500);
}

let kept = null;
function keepBuffer() {
  kept = Buffer.from("x".repeat(1 << 20), "latin1");
  return zlib.deflateSync(kept).length;
}

function buildRows() {
  return Array.from({ length: 200000 }, (_, i) => ({ id: i, name: `row ${i}` }));
}

function child(node, name, count, size) {
  const code = `function ${name}() { require(${JSON.stringify(FIXTURE)}).allocateBlocks(${count}, ${size}, ${count}); } ${name}();`;
  execFileSync(node, ["-e", code], { stdio: "inherit" });
}

allocateInJs();
keepBuffer();
let rows = buildRows();
// Kept across a poll of the JS heap sampler, then released.
setTimeout(() => {
  // (Written before the release, process.stderr's first use keeps the rows alive through the collection.)
  const count = rows.length;
  rows = null;
  globalThis.gc();
  const worker = new Worker(
    `function workerBlocks() { require(${JSON.stringify(FIXTURE)}).allocateBlocks(300, 3071, 300); } workerBlocks();`,
    { eval: true },
  );
  worker.on("exit", () => {
    child(process.execPath, "childBlocks", 200, 2047);
    child(process.argv[2], "otherBlocks", 100, 1023);
    process.stderr.write(`rows ${count}\n`);
    process.exitCode = Number(process.argv[3]);
  });
}, 300);
