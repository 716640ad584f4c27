// node:test with memtrace's budgets: run as `node --test budget.node-test.js`. "within" tests pass; the test named
// in MEMTRACE_OVER (one of those below) goes over its budget and fails.
"use strict";
const { test } = require("node:test");
const { limitMemory, limitLeaks } = require("memtrace/test");

const over = process.env.MEMTRACE_OVER ?? "";
const cache = [];

async function buildIndex() {
  const parts = [];
  for (let i = 0; i < 16; i++) parts.push(Buffer.alloc(1024 * 1024, i));
  return parts.length;
}

function rememberRequests() {
  for (let i = 0; i < 8; i++) cache.push(Buffer.alloc(1024 * 1024, i));
}

function churn() {
  // 32 MiB made and dropped: none of it is left once collected.
  for (let i = 0; i < 32; i++) Buffer.alloc(1024 * 1024, i);
}

test("buildIndex within 24 MB", async () => {
  const n = await limitMemory(over === "memory" ? "8 MB" : "24 MB", buildIndex);
  if (n !== 16) throw new Error("the function's result is passed on");
});

test("rememberRequests leaks less than 12 MB", () => limitLeaks(over === "leaks" ? "4 MB" : "12 MB", rememberRequests));

test("churn leaks nothing", () => limitLeaks("1 MB", churn, { thread: "current" }));
