// Allocates until stopped, after saying "ready <pid>" on stderr.
//   node busy.js [handle-sigint] [done-file]
// With handle-sigint it exits 0 on SIGINT, after saying so; with a done-file it stops by itself after
// 200,000 allocations, writes "done" there and exits 3 (to show that it ran to its end).
"use strict";
const fs = require("node:fs");
const [mode, doneFile] = process.argv.slice(2);
if (mode === "handle-sigint") {
  process.on("SIGINT", () => {
    process.stderr.write("app got SIGINT\n");
    process.exit(0);
  });
}
process.stderr.write(`ready ${process.pid}\n`);
let made = 0;
function work() {
  for (let i = 0; i < 2000; i++) Buffer.alloc(200);
  made += 2000;
  if (doneFile && made >= 200000) {
    fs.writeFileSync(doneFile, "done");
    process.exitCode = 3;
    return;
  }
  setImmediate(work);
}
work();
