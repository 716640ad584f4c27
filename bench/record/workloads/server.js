// A plain node:http server under keep-alive load for a fixed time, doing what a JSON API does per request:
// parse the body, route, build and serialise a reply, and keep what it was sent (4 KB orders, in a store that
// only grows, as the issue's session store did: the external memory keeps V8's collector busy). Prints the
// requests it answered:
//   node server.js <seconds> [modules]
// With [modules], it first loads that many small start-up modules, whose bodies run once (V8 later gives their
// code's addresses to other code). The load comes from http-load.js in a process of its own.
"use strict";
const { fork } = require("node:child_process");
const { mkdtempSync, rmSync, writeFileSync } = require("node:fs");
const http = require("node:http");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

const seconds = Number(process.argv[2] || 3);
const modules = Number(process.argv[3] || 0);

if (modules) {
  const dir = mkdtempSync(join(tmpdir(), "memtrace-bench-startup-"));
  for (let i = 0; i < modules; i++) {
    const source = `const table = new Map();
for (let i = 0; i < 200; i++) table.set("key" + i, { index: i, label: "entry " + i });
module.exports = { lookup${i}: (k) => table.get(k), size: table.size };
`;
    writeFileSync(join(dir, `startup-${i}.js`), source);
    require(join(dir, `startup-${i}.js`));
  }
  rmSync(dir, { recursive: true, force: true });
}
const items = new Map();
const kept = new Map();

function parse(body) {
  return JSON.parse(body);
}
function store(order, body) {
  const id = kept.size + 1;
  kept.set(id, Buffer.from(body));
  items.set(id % 1000, { id, total: order.lines.reduce((sum, l) => sum + l.price * l.quantity, 0) });
  return id;
}
function reply(res, status, value) {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.setEncoding("utf8");
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    if (req.method !== "POST" || req.url !== "/orders") return reply(res, 404, { error: "no such route" });
    const body = chunks.join("");
    const id = store(parse(body), body);
    reply(res, 201, { id, stored: items.size });
  });
});

const order = JSON.stringify({
  customer: "c-1",
  note: "n".repeat(4000),
  lines: Array.from({ length: 8 }, (_, i) => ({ sku: `sku-${i}`, price: 3 + i, quantity: 1 + (i % 3) })),
});

server.listen(0, "127.0.0.1", () => {
  const port = String(server.address().port);
  const load = fork(join(__dirname, "http-load.js"), [port, String(seconds), "/orders", order]);
  load.on("message", (answered) => {
    console.log(answered);
    process.exit(0);
  });
});
