// Writes a line to stdout and one to stderr, allocates, then ends as told:
//   node exit-with.js <code>     exits with that code
//   node exit-with.js throw      throws an uncaught error
"use strict";
process.stdout.write("to stdout\n");
process.stderr.write("to stderr\n");
const kept = [];
for (let i = 0; i < 10000; i++) kept.push(Buffer.alloc(100));
if (process.argv[2] === "throw") throw new Error("the app failed on purpose");
process.exitCode = Number(process.argv[2]);
