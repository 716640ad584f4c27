// Records a window with require("memtrace").track() in a plain node process:
//   node window.js FILE plain      Buffers of 700,001 bytes before the window, 600,001 inside (in inWindow),
//                                   800,001 after; the ones made before are freed inside the window
//   node window.js FILE worker     a worker allocates Buffers of 500,001 bytes inside the window
//   node window.js FILE twice      stop() is called twice, then a second window records into FILE.2
//   node window.js FILE exit       process.exit(3) while recording
//   node window.js FILE natural    the event loop empties while recording
//   node window.js FILE function   track(file, fn) around an async function, which returns 42
//   node window.js FILE overlap    a second track() while the first records
//   node window.js FILE unpaired   as plain, with track(file, { paired: false })
// Says what it saw on stdout, one line each.
"use strict";
const { track } = require("memtrace");
const { Worker } = require("node:worker_threads");

const [file, how] = process.argv.slice(2);
const kept = [];
const keep = (count, size) => {
  for (let i = 0; i < count; i++) kept.push(Buffer.alloc(size, 1));
};

function inWindow() {
  keep(8, 600_001);
}

const workerCode = `
const { parentPort } = require("node:worker_threads");
const kept = [];
function inWorker() { for (let i = 0; i < 6; i++) kept.push(Buffer.alloc(500_001, 2)); }
parentPort.on("message", () => { inWorker(); parentPort.postMessage("done"); });
`;

async function main() {
  keep(4, 700_001);
  if (how === "worker") {
    const worker = new Worker(workerCode, { eval: true });
    await new Promise((resolve) => worker.once("online", resolve));
    const tracker = track(file);
    worker.postMessage("go");
    await new Promise((resolve) => worker.once("message", resolve));
    inWindow();
    await tracker.stop();
    await worker.terminate();
  } else if (how === "function") {
    const result = await track(file, async () => {
      inWindow();
      await new Promise((resolve) => setTimeout(resolve, 10));
      return 42;
    });
    console.log(`result ${result}`);
  } else if (how === "overlap") {
    const tracker = track(file);
    try {
      track(`${file}.2`);
    } catch (e) {
      console.log(`second: ${e.message}`);
    }
    await tracker.stop();
  } else {
    const tracker = track(file, how === "unpaired" ? { paired: false } : undefined);
    kept.length = 0; // the 700,001-byte Buffers made before are freed in the window, at the next collection
    globalThis.gc?.();
    inWindow();
    if (how === "exit") process.exit(3);
    if (how === "natural") return;
    await tracker.stop();
    if (how === "twice") {
      await tracker.stop();
      console.log("stopped twice");
      const again = track(`${file}.2`);
      inWindow();
      await again.stop();
    }
  }
  keep(4, 800_001);
  console.log("done");
}

main();
