// Keep-alive load on a node:http server, in a process of its own: 8 clients POST the same body, each as soon as
// its last answer came, for
//   node http-load.js <port> <seconds> <path> <body>
// then the number of answered requests goes to the parent (fork).
"use strict";
const http = require("node:http");

const [port, seconds, path, body] = [
  Number(process.argv[2]),
  Number(process.argv[3]),
  process.argv[4],
  process.argv[5],
];
const CLIENTS = 8;
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
const length = Buffer.byteLength(body);
const end = Date.now() + seconds * 1000;
let answered = 0;
let running = CLIENTS;

function send() {
  const req = http.request(
    { port, host: "127.0.0.1", method: "POST", path, agent, headers: { "content-length": length } },
    (res) => {
      res.resume();
      res.on("end", () => {
        answered++;
        if (Date.now() < end) send();
        else if (--running === 0) process.send(answered, () => process.exit(0));
      });
    },
  );
  req.end(body);
}

for (let i = 0; i < CLIENTS; i++) send();
