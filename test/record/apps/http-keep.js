// A plain node:http server that keeps every request's body, for the names of long-running apps:
//   node http-keep.js <modules> <seconds> main|workers
// It loads <modules> small modules at start-up (their bodies run once and are never called again), serves
// keep-alive POSTs of 5000 bytes from a load generator in another process (bench/record/workloads/http-load.js)
// for <seconds>, and keeps each body in keepBody, on the main thread or on worker threads. Just before it
// serves, it keeps one block of 77777 bytes, whose time marks the end of its start-up. It then says how many
// bodies it kept and ends with what it kept still live: by process.exit(0), or with workers by SIGTERM (an exit
// would end the workers' isolates first, which frees what they kept).
"use strict";
const { mkdtempSync, writeFileSync, rmSync } = require("node:fs");
const { fork } = require("node:child_process");
const http = require("node:http");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { Worker, isMainThread, parentPort } = require("node:worker_threads");

const kept = [];

// The known function: every body is copied into native memory here, at the line of Buffer.from. (Bodies
// travel as strings, which live in the JS heap, so that nothing else keeps native copies of them.)
function keepBody(body) {
  const copy = Buffer.from(body, "latin1");
  kept.push(copy);
  return copy.length;
}

// A server is warm for most of its life. V8 gives the lines of optimised (TurboFan) code only, and optimises
// keepBody after some thousands of calls: the app makes them before it serves (docs/js-frames.md).
function warmUp() {
  for (let i = 0; i < 50000; i++) keepBody("warm");
  kept.length = 0;
}

if (!isMainThread) {
  warmUp();
  parentPort.on("message", (body) => parentPort.postMessage(keepBody(body)));
  return;
}

const [modules, seconds, where] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4] ?? "main"];

// Start-up modules: each body builds a table and defines functions that nobody calls.
const dir = mkdtempSync(join(tmpdir(), "memtrace-startup-"));
for (let i = 0; i < modules; i++) {
  const source =
    `"use strict";\n` +
    `const table = new Map();\n` +
    `for (let i = 0; i < 200; i++) table.set("key" + i, { index: i, label: "module ${i} entry " + i });\n` +
    `function lookup${i}(k) { return table.get(k); }\n` +
    `function describe${i}() { return [...table.keys()].join(","); }\n` +
    `module.exports = { lookup${i}, describe${i}, size: table.size };\n`;
  writeFileSync(join(dir, `startup-${i}.js`), source);
}
let loaded = 0;
for (let i = 0; i < modules; i++) loaded += require(join(dir, `startup-${i}.js`)).size;
rmSync(dir, { recursive: true, force: true });

// With workers, each answers its requests in the order it was given them.
const workers = [];
let turn = 0;
if (where === "main") warmUp();
if (where === "workers") {
  for (let i = 0; i < 2; i++) {
    const worker = new Worker(__filename);
    const waiting = [];
    worker.on("message", (length) => waiting.shift().end(String(length)));
    workers.push({ worker, waiting });
  }
}

function handle(req, res) {
  const chunks = [];
  req.setEncoding("latin1");
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const body = chunks.join("");
    if (workers.length === 0) {
      res.end(String(keepBody(body)));
      return;
    }
    const { worker, waiting } = workers[turn++ % workers.length];
    waiting.push(res);
    worker.postMessage(body);
  });
}

const server = http.createServer(handle);
server.listen(0, "127.0.0.1", () => {
  kept.push(Buffer.allocUnsafeSlow(77777));
  const load = fork(
    join(__dirname, "..", "..", "..", "bench", "record", "workloads", "http-load.js"),
    [String(server.address().port), String(seconds), "/", "x".repeat(5000)],
    // Plain node: not the server's flags (a test's --perf-basic-prof would leave the generator's map behind).
    { execArgv: [] },
  );
  load.on("message", (requests) => {
    process.stderr.write(`served ${requests} requests, ${loaded} start-up entries\n`);
    // What is garbage (the request chunks decoded into strings) is not what the app kept: collected first when
    // node runs with --expose-gc, as the tests run it, with a moment for V8 to free the array buffers it found
    // dead (it does so on a thread of its own).
    if (globalThis.gc) globalThis.gc();
    setTimeout(() => {
      if (workers.length) process.kill(process.pid, "SIGTERM");
      else process.exit(0);
    }, 200);
  });
});
