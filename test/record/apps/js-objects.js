// JS heap fixture: buildRows keeps 200,000 objects of one shape, then lets them go and collects them (run with
// --expose-gc). It prints on stderr how many bytes the objects took by V8's own count, for the test to compare
// with the sampled estimate.
"use strict";

function buildRows(n) {
  const rows = [];
  for (let i = 0; i < n; i++) rows.push({ id: i, label: "row", value: i * 2, next: null });
  return rows;
}

globalThis.gc();
const before = process.memoryUsage().heapUsed;
let rows = buildRows(200000);
globalThis.gc();
process.stderr.write(`rows ${rows.length}\n`);
const held = process.memoryUsage().heapUsed - before;
process.stderr.write(`held ${held}\n`);

// Long enough for a few polls of the sampler (10 a second), then released.
setTimeout(() => {
  rows = null;
  globalThis.gc();
  setTimeout(() => process.stderr.write("released\n"), 300);
}, 300);
