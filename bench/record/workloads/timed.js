// Runs a workload and prints how long it took, in seconds, timed inside the process so that neither node's
// start-up nor a launcher is in the figure:
//   node timed.js plain <workload.js> [args]   as it is (under `memtrace record` too: the preloaded hooks)
//   node timed.js track <workload.js> [args]   inside require("memtrace").track("/dev/null"): the GOT hooks
"use strict";
const { resolve } = require("node:path");

const [mode, workload, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], resolve(workload), ...args];
const tracker = mode === "track" ? require("memtrace").track("/dev/null") : undefined;
const start = process.hrtime.bigint();
const out = process.stdout.write.bind(process.stdout);
process.stdout.write = () => true; // the workload's own output is not the figure
require(resolve(workload));
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write = out;
Promise.resolve(tracker?.stop()).then(() => console.log(seconds.toFixed(4)));
