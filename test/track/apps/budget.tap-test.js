// tap with memtrace's budgets: run as `tap budget.tap-test.js`. With MEMTRACE_OVER=memory, buildIndex goes over
// its budget and the test fails.
"use strict";
const t = require("tap");
const { limitMemory } = require("memtrace/test");

async function buildIndex() {
  const parts = [];
  for (let i = 0; i < 16; i++) parts.push(Buffer.alloc(1024 * 1024, i));
  return parts.length;
}

t.test("buildIndex within its budget", async (t) => {
  t.equal(await limitMemory(process.env.MEMTRACE_OVER === "memory" ? "8 MB" : "24 MB", buildIndex), 16);
});
