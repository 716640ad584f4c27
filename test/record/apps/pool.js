// Work on libuv's thread pool: asynchronous zlib calls, compressed on the pool's threads.
"use strict";
const zlib = require("node:zlib");
let done = 0;
for (let i = 0; i < 8; i++) {
  zlib.deflate(Buffer.alloc(200_000, i), () => {
    if (++done === 8) console.log("pool done");
  });
}
