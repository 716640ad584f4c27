// require("memtrace/test"): memory budgets for tests. limitMemory and limitLeaks return promises that reject when a
// function's peak, or what it left allocated, is over a limit ("24 MB" or bytes); any test runner that awaits a
// promise (node:test, tap, jest, vitest) fails the test with the message, which names where the memory went.
//
//   const { limitMemory } = require("memtrace/test");
//   test("parses a big file within 24 MB", () => limitMemory("24 MB", () => parse(file)));
export { limitLeaks, limitMemory, MemoryLimitError, type LimitOptions } from "./track/limits";
export { parseByteLimit } from "./track/sizes";
