// The command line's rewriting of greedy options (--temporary [n], --between t1 t2) before commander reads it.
import t from "tap";
import { normalizeArgv } from "../../src/cli/argv";

const node = ["/usr/bin/node", "memtrace"];

t.test("given --temporary before a file, when normalised, then the file stays a file", async (t) => {
  t.same(normalizeArgv([...node, "fold", "--temporary", "app.mtrace"]), [
    ...node,
    "fold",
    "--temporary=1",
    "app.mtrace",
  ]);
  t.same(normalizeArgv([...node, "fold", "--temporary", "3", "app.mtrace"]), [
    ...node,
    "fold",
    "--temporary=3",
    "app.mtrace",
  ]);
});

t.test("given --between with two times before a file, when normalised, then each time is its own value", async (t) => {
  t.same(normalizeArgv([...node, "summary", "--between", "2s", "5s", "x.mtrace"]), [
    ...node,
    "summary",
    "--between=2s",
    "--between=5s",
    "x.mtrace",
  ]);
});

t.test(
  "given record with an app whose own arguments look like fold's, when normalised, then they are left alone",
  async (t) => {
    const argv = [...node, "record", "app.js", "--temporary", "--between", "1", "2"];
    t.same(normalizeArgv(argv), argv);
    const withOptions = [...node, "record", "-o", "x.mtrace", "app.js", "--temporary"];
    t.same(normalizeArgv(withOptions), withOptions);
  },
);
