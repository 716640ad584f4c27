// JS-allocation-heavy: millions of short-lived objects (a parse-like loop that builds batches of small records,
// each with a string and an array, and reduces them), one record in a hundred kept in a ring of 10,000, so that
// the heap holds a steady population and the scavenger works.
"use strict";
const batches = Number(process.argv[2] || 25_000);
const ring = new Array(10_000);
let kept = 0;
let checksum = 0;

function parseBatch(b) {
  const records = [];
  for (let i = 0; i < 1000; i++) {
    const n = b * 1000 + i;
    records.push({ id: n, value: n * 2, name: "r" + (n % 9973), tags: [n & 7, n & 3] });
  }
  return records;
}

for (let b = 0; b < batches; b++) {
  const records = parseBatch(b);
  for (const r of records) checksum += r.value + r.tags.length + r.name.length;
  for (let i = 0; i < records.length; i += 100) ring[kept++ % ring.length] = records[i];
}
console.log(checksum, kept);
