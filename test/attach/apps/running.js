// A process that runs until its stdin closes, then ends with exit code 7:
//   node running.js serve    serveRequest() keeps and drops 64 KiB Buffers every 10 ms
//   node running.js storm    stormOfBuffers() allocates and drops 1 MiB Buffers as fast as it can, a turn of the
//                            event loop between batches
// Says "ready" on stdout once running and warm (serveRequest has been called often enough for V8 to compile it,
// so that a recording that starts later names it), and "still running" when its stdin closes.
"use strict";
const { setInterval, clearInterval } = require("node:timers");

const how = process.argv[2] ?? "serve";
const kept = [];
let served = 0;

function serveRequest() {
  kept.push(Buffer.alloc(64 * 1024, served++));
  if (kept.length > 200) kept.splice(0, 100);
}

function stormOfBuffers() {
  for (let i = 0; i < 50; i++) kept[i % 20] = Buffer.alloc(1024 * 1024, i);
}

for (let i = 0; i < 3000; i++) serveRequest();
kept.length = 0;

let stopped = false;
if (how === "storm") {
  const loop = () => {
    stormOfBuffers();
    if (!stopped) setImmediate(loop);
  };
  loop();
} else {
  const timer = setInterval(serveRequest, 10);
  process.stdin.once("end", () => clearInterval(timer));
}
process.stdin.on("data", () => {});
process.stdin.once("end", () => {
  stopped = true;
  console.log("still running");
  process.exitCode = 7;
});
console.log("ready");
