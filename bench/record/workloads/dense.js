// The dense workload of issue 23: a loop that builds a Map of four typed arrays, 2 M rounds by default. Each
// round makes about 16 native allocations (the arrays' backing stores and V8's own), freed soon after: the most
// events per second of any workload here, the case where fold and the capture's size are tested hardest.
"use strict";
const rounds = Number(process.argv[2] || 2_000_000);
let total = 0;
for (let r = 0; r < rounds; r++) {
  const map = new Map();
  map.set("a", new Float64Array(16));
  map.set("b", new Int32Array(32));
  map.set("c", new Uint8Array(128));
  map.set("d", new Float32Array(32 + (r & 7)));
  total += map.size;
}
console.log(total);
