// JS heap fixture: a synchronous loop at the script's top level that never returns to the event loop for about
// 800 ms, replacing the objects of a ring as it goes: the sampler must still poll (the old objects are collected
// while the loop runs) rather than wait for the loop to end.
"use strict";
const ring = new Array(20000);
const end = Date.now() + 800;
let i = 0;
while (Date.now() < end) {
  for (let j = 0; j < 1000; j++, i++) ring[i % ring.length] = { i, text: "item " + i };
}
process.stderr.write(`looped ${i}\n`);
