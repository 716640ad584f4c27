// A hot loop whose allocating helper TurboFan inlines into it (node --trace-turbo-inlining shows it):
//   node inlined-helper.js <blocks>
// makeBlock allocates a native block of 4000-4007 bytes at a known line; the loop drops each block at once. The
// loop runs in calls of 500 blocks, so that V8 optimises it as a function (not only on the stack, mid-loop).
"use strict";

function makeBlock(i) {
  return Buffer.allocUnsafeSlow(4000 + (i & 7));
}

function fill(blocks) {
  let bytes = 0;
  for (let i = 0; i < blocks; i++) bytes += makeBlock(i).length;
  return bytes;
}

let bytes = 0;
for (let done = 0; done < Number(process.argv[2]); done += 500) bytes += fill(500);
process.stderr.write(`${bytes} bytes\n`);
