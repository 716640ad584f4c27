// Thread names fixture: workers started with a `name` option (a short one, none, one longer than an OS thread name
// holds, and one longer than memtrace keeps, in two-byte characters), each keeping blocks of its own size (1501,
// 1502, ...) until the main thread has heard from all of them.
"use strict";
const { Worker, isMainThread, parentPort, workerData } = require("node:worker_threads");

const NAMES = ["resizer", "", "thumbnail-resizer-pool", "é".repeat(40)];

if (isMainThread) {
  let done = 0;
  NAMES.forEach((name, i) => {
    const worker = new Worker(__filename, { name, workerData: 1501 + i });
    worker.on("message", () => {
      if (++done === NAMES.length) process.stderr.write("named workers done\n");
      worker.terminate();
    });
  });
} else {
  const kept = Array.from({ length: 100 }, () => Buffer.allocUnsafeSlow(workerData));
  parentPort.postMessage(kept.length);
}
