// JS heap fixture: three workers each keep their own objects (from a function named after the worker) until the
// main thread has seen them all report, so that every worker's samples are taken while it lives.
"use strict";
const { Worker, isMainThread, parentPort, workerData } = require("node:worker_threads");

if (isMainThread) {
  let done = 0;
  for (const name of ["alpha", "beta", "gamma"]) {
    const worker = new Worker(__filename, { workerData: name });
    worker.on("message", () => {
      if (++done === 3) process.stderr.write("workers done\n");
    });
  }
} else {
  const makers = {
    alpha: function keepAlpha() {
      return Array.from({ length: 50000 }, (_, i) => ({ alpha: i }));
    },
    beta: function keepBeta() {
      return Array.from({ length: 50000 }, (_, i) => ({ beta: i }));
    },
    gamma: function keepGamma() {
      return Array.from({ length: 50000 }, (_, i) => ({ gamma: i }));
    },
  };
  const kept = makers[workerData]();
  // Stay alive across a poll of the sampler, then end.
  setTimeout(() => parentPort.postMessage(kept.length), 250);
}
