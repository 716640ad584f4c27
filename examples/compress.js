// An example app for memtrace: named JavaScript functions that make native memory grow in different ways.
//
//   memtrace record examples/compress.js | memtrace flame > flame.svg
//
// - compressAll: zlib streams (native zlib state, freed when each stream closes);
// - keepBuffers: Buffers kept in a cache that is never cleared (a leak: see `memtrace summary --leaks`);
// - parseReports: JSON text parsed and dropped (V8 heap churn, and native memory for the strings' buffers).
"use strict";
const zlib = require("node:zlib");

const cache = [];

function compressAll(rounds) {
  let total = 0;
  for (let i = 0; i < rounds; i++) {
    const input = Buffer.alloc(64 * 1024, i % 251);
    total += zlib.deflateSync(input, { level: 6 }).length;
  }
  return total;
}

function keepBuffers(count, size) {
  for (let i = 0; i < count; i++) cache.push(Buffer.allocUnsafeSlow(size).fill(i % 256));
}

function parseReports(count) {
  let fields = 0;
  for (let i = 0; i < count; i++) {
    const text = JSON.stringify({ id: i, tags: ["a", "b", "c"], values: Array.from({ length: 100 }, (_, k) => k * i) });
    fields += Object.keys(JSON.parse(text)).length;
  }
  return fields;
}

const compressed = compressAll(200);
keepBuffers(256, 16 * 1024);
const fields = parseReports(20000);
console.log(`compressed ${compressed} bytes, kept ${cache.length} buffers, parsed ${fields} fields`);
