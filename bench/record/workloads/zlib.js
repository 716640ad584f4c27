// Many small zlib.deflateSync calls: zlib's own state (deflateInit2_) allocated and freed per call. 100 rounds
// run about as long as the other workloads (~1 s here), so that the recording's fixed cost (the empty script's
// row) weighs alike in every workload's ratio.
"use strict";
const zlib = require("node:zlib");
const rounds = Number(process.argv[2] || 100);
const input = Buffer.from(JSON.stringify({ id: 1, name: "memtrace", values: Array.from({ length: 50 }, (_, i) => i) }));
let bytes = 0;
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < 1000; i++) bytes += zlib.deflateSync(input).length;
}
console.log(bytes);
