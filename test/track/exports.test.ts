// package.json's exports: require("memtrace") stays the library, require("memtrace/test") gives the test helpers
// (to require and to import), and deep paths into the package still resolve.
import t from "tap";
import { node } from "../record/capture";

t.test("given the package's exports, then the library, the test helpers and deep paths all load", async (t) => {
  const script = [
    'const m = require("memtrace");',
    'const h = require("memtrace/test");',
    'const deep = require("memtrace/dist/src/codec/decoder.js");',
    'const version = require("memtrace/package.json").version;',
    "console.log([typeof m.track, typeof m.fold, typeof h.limitMemory, typeof h.limitLeaks, typeof deep.decode, version].join(' '));",
  ].join("\n");
  const cjs = await node(["-e", script]);
  t.equal(cjs.stdout.toString().trim(), "function function function function function 0.1.0", cjs.stderr);
  const esm = await node([
    "--input-type=module",
    "-e",
    'import { limitMemory } from "memtrace/test"; import { track } from "memtrace"; console.log(typeof limitMemory, typeof track);',
  ]);
  t.equal(esm.stdout.toString().trim(), "function function", esm.stderr);
});
