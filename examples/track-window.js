// track() from inside a program: only the window between track() and stop() is recorded.
//
//   node examples/track-window.js && memtrace summary window.mtrace
//
// loadConfig runs before the window and does not appear; buildIndex runs inside it and does.
"use strict";
const { track } = require("memtrace");

const kept = [];

function loadConfig() {
  for (let i = 0; i < 10; i++) kept.push(Buffer.alloc(1024 * 1024));
}

function buildIndex() {
  for (let i = 0; i < 20; i++) kept.push(Buffer.alloc(512 * 1024));
}

async function main() {
  loadConfig();
  const tracker = track("window.mtrace");
  buildIndex();
  await tracker.stop();
  console.log("wrote window.mtrace");
}

main();
