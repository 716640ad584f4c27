// A process family: three worker threads allocating at once, a forked child and a spawned node child, each
// allocating blocks of a size of its own through the fixture addon (and freeing them all):
//   workers: 2000 blocks of 1001, 1002, 1003 bytes; forked child: 500 of 2001; spawned child: 700 of 3001.
"use strict";
const path = require("node:path");
const { fork, spawn } = require("node:child_process");
const { Worker, isMainThread, workerData } = require("node:worker_threads");
const self = path.join(__dirname, "family.js");
const fixture = require(path.join(__dirname, "..", "..", "..", "native", "build", "Release", "memtrace_fixture.node"));

function allocateInWorker(size) {
  // Many rounds, so that the workers' allocations overlap in time.
  for (let round = 0; round < 20; round++) fixture.allocateBlocks(100, size, 100);
}

function runChild(child) {
  return new Promise((resolve) => child.on("exit", resolve));
}

async function main() {
  const workers = [1001, 1002, 1003].map((size) => new Worker(self, { workerData: size }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.on("exit", resolve))));
  await runChild(fork(self, ["forked"]));
  await runChild(spawn(process.execPath, [self, "spawned"], { stdio: "inherit" }));
  console.log("family done");
}

if (!isMainThread) allocateInWorker(workerData);
else if (process.argv[2] === "forked") fixture.allocateBlocks(500, 2001, 500);
else if (process.argv[2] === "spawned") fixture.allocateBlocks(700, 3001, 700);
else main();
