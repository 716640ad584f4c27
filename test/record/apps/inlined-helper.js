// A hot loop whose allocating helper TurboFan inlines into it (node --trace-turbo-inlining shows it):
//   node inlined-helper.js <blocks>
// makeBlock allocates a native block of 4000-4007 bytes at a known line; the loop drops each block at once.
"use strict";

function makeBlock(i) {
  return Buffer.allocUnsafeSlow(4000 + (i & 7));
}

function fill(blocks) {
  let bytes = 0;
  for (let i = 0; i < blocks; i++) bytes += makeBlock(i).length;
  return bytes;
}

process.stderr.write(`${fill(Number(process.argv[2]))} bytes\n`);
