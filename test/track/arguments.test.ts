// What track() and the test helpers take: limits as people write them, and one clear error for anything else,
// before anything is loaded or recorded.
import t from "tap";
import { parseByteLimit } from "../../src/track/sizes";
import { limitLeaks, limitMemory } from "../../src/track/limits";
import { track, TrackError } from "../../src/track/tracker";

t.test("given limits as people write them, then they are read in units of 1024", async (t) => {
  t.equal(parseByteLimit("24 MB"), 24 * 1024 * 1024);
  t.equal(parseByteLimit("24MiB"), 24 * 1024 * 1024);
  t.equal(parseByteLimit("1.5 GiB"), 1.5 * 1024 ** 3);
  t.equal(parseByteLimit("512 kb"), 512 * 1024);
  t.equal(parseByteLimit("2 TB"), 2 * 1024 ** 4);
  t.equal(parseByteLimit("100"), 100);
  t.equal(parseByteLimit("100 B"), 100);
  t.equal(parseByteLimit(4096.7), 4096);
  t.equal(parseByteLimit(0), 0);
});

t.test("given a limit that is not a size, then it is refused naming what was given", async (t) => {
  t.throws(() => parseByteLimit("lots"), {
    name: "RangeError",
    message: /expected a size such as "24 MB".*got "lots"/,
  });
  t.throws(() => parseByteLimit("3 parsecs"), RangeError);
  t.throws(() => parseByteLimit(""), RangeError);
  t.throws(() => parseByteLimit(-1), { message: /a number of bytes of 0 or more, got -1/ });
  t.throws(() => parseByteLimit(Number.NaN), RangeError);
  await t.rejects(
    limitMemory("lots", () => 0),
    { message: /^limitMemory\(\): expected a size/ },
  );
  await t.rejects(
    limitLeaks(-5, () => 0),
    { message: /^limitLeaks\(\): expected a number of bytes/ },
  );
  await t.rejects(limitMemory("1 MB", 42 as unknown as () => void), {
    name: "TypeError",
    message: "limitMemory(): the second argument must be a function",
  });
});

t.test("given options track() cannot take, then it throws a TrackError before recording", async (t) => {
  t.throws(() => track(""), { name: "TrackError", message: "track(): give the capture's file name" });
  t.throws(() => track("x.mtrace", { stackDepth: 0 }), {
    message: "track(): stackDepth must be a whole number from 1 to 512, got 0",
  });
  t.throws(() => track("x.mtrace", { memoryInterval: 1.5 }), TrackError);
  t.throws(() => track("x.mtrace", { jsInterval: -1 }), TrackError);
  t.throws(() => track("x.mtrace", { jsPoll: 5000 }), TrackError);
  t.throws(() => track("x.mtrace", { paired: "no" as unknown as boolean }), {
    name: "TrackError",
    message: "track(): paired must be true or false, got no",
  });
  await t.rejects(
    track("x.mtrace", () => 1, { stackDepth: 1000 }),
    { name: "TrackError", message: /stackDepth must be a whole number/ },
    "the function form rejects",
  );
});
