// Keeps memory to its end, then ends as told, for --leaks:
//   node keeps.js natural   the event loop empties
//   node keeps.js exit      process.exit(0)
//   node keeps.js throw     an uncaught exception (exit code 1)
//   node keeps.js worker    a worker keeps the memory until it ends by itself; then the process ends naturally
//   node keeps.js signal [handle]   says "ready <pid>" on stderr and waits for SIGTERM, which ends it (with
//                                   handle, its handler calls process.exit(0))
// What is kept: 24 Buffers of 1 MiB in keepBuffers, and 24 zlib streams (native memory) in keepZlib. Every way
// writes a line to stdout and one to stderr, and has an 'exit' listener of its own that says what it sees.
"use strict";
const zlib = require("node:zlib");
const { Worker, isMainThread, parentPort } = require("node:worker_threads");

const kept = [];

function keepBuffers(count) {
  for (let i = 0; i < count; i++) kept.push(Buffer.alloc(1024 * 1024, i));
}

function keepZlib(count) {
  for (let i = 0; i < count; i++) {
    const deflate = zlib.createDeflate({ memLevel: 9 });
    // zlib sets its stream up at the first use: reset() does it here, on this thread (a write would do it on
    // libuv's pool, under no JS function).
    deflate.reset();
    kept.push(deflate);
  }
}

function keepInWorker() {
  keepBuffers(24);
  keepZlib(24);
}

const how = process.argv[2];
if (!isMainThread) {
  keepInWorker();
  // Stay alive across a few of the recorder's flushes, then end by itself with what it kept.
  setTimeout(() => parentPort.postMessage(kept.length), 200);
} else if (how === "worker") {
  const worker = new Worker(__filename, { argv: ["in-worker"] });
  worker.on("message", (n) => process.stdout.write(`the worker kept ${n} things\n`));
  worker.on("exit", () => setTimeout(() => process.stderr.write("the worker has ended\n"), 200));
} else {
  keepBuffers(24);
  keepZlib(24);
  // What the app can see of the process from its 'exit' listener: the same with memtrace as without.
  process.on("exit", (code) => {
    const keys = Object.keys(process).length;
    const where = new Error("where").stack.split("\n").slice(1).join("\n");
    process.stderr.write(`exit listener: ${code}, ${process.listenerCount("exit")} listener, ${keys} keys\n${where}\n`);
  });
  process.stdout.write(`kept ${kept.length} things\n`);
  if (how === "signal") {
    if (process.argv[3] === "handle") process.on("SIGTERM", () => process.exit(0));
    process.stderr.write(`ready ${process.pid}\n`);
    setTimeout(() => {}, 2 ** 31 - 1);
  }
  setTimeout(() => {
    if (how === "exit") process.exit(0);
    if (how === "throw") throw new Error("the app failed on purpose");
  }, 200);
}
