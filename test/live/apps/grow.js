// The live view's test app: the main thread grows a Map of Buffers in growMainCache; a Worker named "resizer"
// grows its own in resizeImages. Both run until stopped (SIGINT/SIGTERM: exit code 3), or for LIVE_APP_MS
// milliseconds (then exit code 7), so that the exit code shows that it ended on its own.
/* global setInterval, clearInterval */
const { Worker, isMainThread } = require("node:worker_threads");

const CHUNK = 64 * 1024;

function growMainCache(cache, n) {
  cache.set(n, Buffer.alloc(CHUNK, n & 0xff));
}

function resizeImages(images, n) {
  images.set(n, Buffer.alloc(CHUNK / 2, n & 0xff));
}

if (isMainThread) {
  const runFor = Number(process.env.LIVE_APP_MS || 0);
  const worker = new Worker(__filename, { name: "resizer" });
  worker.unref();
  const cache = new Map();
  let n = 0;
  const tick = setInterval(() => {
    for (let i = 0; i < 8; i++) growMainCache(cache, n++);
    if (n % 800 === 0) console.log(`main: ${cache.size} buffers`);
  }, 10);
  const end = (code) => {
    clearInterval(tick);
    console.log(`main: ending with ${code}`);
    console.error("main: a line on stderr");
    process.exit(code);
  };
  process.on("SIGINT", () => end(3));
  process.on("SIGTERM", () => end(3));
  if (runFor > 0) setTimeout(() => end(7), runFor);
} else {
  const images = new Map();
  let n = 0;
  setInterval(() => {
    for (let i = 0; i < 4; i++) resizeImages(images, n++);
  }, 10);
}
