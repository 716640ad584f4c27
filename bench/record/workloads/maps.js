// Many Maps of small typed arrays: V8's own allocations for the maps and native backing stores for the arrays.
"use strict";
const rounds = Number(process.argv[2] || 20);
let total = 0;
for (let r = 0; r < rounds; r++) {
  const maps = [];
  for (let m = 0; m < 500; m++) {
    const map = new Map();
    for (let i = 0; i < 100; i++) map.set(`k${i}`, new Float64Array(8 + (i % 32)));
    maps.push(map);
  }
  total += maps.length;
}
console.log(total);
