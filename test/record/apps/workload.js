// A small real workload: JSON documents made into Buffers and compressed with zlib, the results kept.
"use strict";
const zlib = require("node:zlib");

function makeDocument(i) {
  return { id: i, name: `document ${i}`, tags: ["a", "b", "c"], values: Array.from({ length: 40 }, (_, k) => k * i) };
}

function compressAll(count) {
  const kept = [];
  for (let i = 0; i < count; i++) kept.push(zlib.deflateSync(Buffer.from(JSON.stringify(makeDocument(i)))));
  return kept;
}

const kept = compressAll(3000);
console.log(`compressed ${kept.length}`);
