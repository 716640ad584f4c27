// A process that has run for a while before a window is recorded: 40 functions in call chains of 8, a few hot
// (called on every allocation) and most lukewarm (called once per 1000), all compiled before the window.
//   node warm-window.js track FILE    warms up for 2 s, then records 1 s with require("memtrace").track(FILE)
//   node warm-window.js plain         the same without track() (for memtrace record: every function named)
"use strict";
const [mode, file] = process.argv.slice(2);
const kept = [];
const leaf = (n) => kept.push(Buffer.alloc(64 + (n % 256)));
// f0 .. f39: fK calls fK+1 until the chain's end, which allocates.
const fns = [];
for (let k = 39; k >= 0; k--) {
  const next = k % 8 === 7 ? leaf : fns[k + 1];
  // new Function gives each its own name and code, as distinct functions in an app would have.
  fns[k] = new Function("next", `return function f${k}(n) { return next(n); }`)(next);
}
function round(i) {
  fns[0](i); // hot: f0..f7 on every call
  if (i % 1000 === 0) for (let c = 8; c < 40; c += 8) fns[c](i); // lukewarm chains
  if (kept.length > 10000) kept.length = 0;
}
function runFor(ms) {
  const end = Date.now() + ms;
  let i = 0;
  while (Date.now() < end) for (let j = 0; j < 1000; j++) round(i++);
}
runFor(2000);
if (mode === "track") {
  const tracker = require("memtrace").track(file);
  runFor(1000);
  tracker.stop();
} else {
  runFor(1000);
}
