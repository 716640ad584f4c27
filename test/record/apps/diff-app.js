// diff fixture: the same app run with a small and a large input (`node diff-app.js <rows>`). fillCache keeps
// <rows> objects for the rest of the run, so it is what grows between the runs; loadConfig keeps the same objects
// whatever the input.
"use strict";

const cache = [];
function fillCache(rows) {
  for (let i = 0; i < rows; i++) cache.push({ id: i, name: `row ${i}`, tags: [i, i + 1] });
}

const config = [];
function loadConfig() {
  for (let i = 0; i < 5000; i++) config.push({ key: `key ${i}`, value: i });
}

loadConfig();
fillCache(Number(process.argv[2]));
process.stdout.write(`${cache.length + config.length}\n`);
