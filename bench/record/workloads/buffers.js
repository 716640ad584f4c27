// Many small Buffer.alloc calls: each is a native allocation (a backing store) and its free after GC.
"use strict";
const rounds = Number(process.argv[2] || 20);
let kept = 0;
for (let r = 0; r < rounds; r++) {
  const list = [];
  for (let i = 0; i < 50_000; i++) list.push(Buffer.alloc(64 + (i % 512)));
  kept += list.length;
}
console.log(kept);
