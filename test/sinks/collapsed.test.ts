import t from "tap";
import { collapsed } from "../../src/sinks/collapsed";
import { builtin, capture, js, native, runReport, workedExample } from "./capture";
import { GOLDEN } from "./golden";

t.test(
  "given the worked example, when collapsed, then there is one sorted line per path with its own bytes",
  async (t) => {
    t.equal(
      await runReport(collapsed, workedExample(), {}, "total"),
      [
        "(no stack) 50",
        "main (app.js:1);parse (app.js:10) 500",
        "main (app.js:1);parse (app.js:10);malloc 1000",
        "main (app.js:1);recurse (app.js:20) 200",
        "main (app.js:1);recurse (app.js:20);recurse (app.js:20);recurse (app.js:20);malloc 300",
        "",
      ].join("\n"),
    );
  },
);

t.test("given --count, when collapsed, then lines are weighted by allocations", async (t) => {
  const out = await runReport(collapsed, workedExample(), { count: true }, "total");
  t.match(out, /^main \(app\.js:1\);parse \(app\.js:10\);malloc 1$/m);
  t.equal(out.split("\n").length, 6);
});

t.test("given the leaks measure, when collapsed, then freed paths are left out", async (t) => {
  const out = await runReport(collapsed, workedExample(), {}, "leaks");
  t.notMatch(out, /parse \(app\.js:10\);malloc/, "step 0 was freed: its path weighs 0 and is not written");
  t.match(out, /^main \(app\.js:1\);parse \(app\.js:10\) 500$/m);
});

t.test("given names with separators and line breaks, when collapsed, then every line still parses", async (t) => {
  const names = ["data:text/javascript;base64,AAA", "a;b;c", "line\nbreak", "cr\r\nlf", "ends with 42", "💥 内存"];
  const steps = names.map((name, i) => ({ frames: [js("main", 1), native(name)], size: 10 + i }));
  const out = await runReport(collapsed, capture(steps), {}, "total");
  const lines = out.trimEnd().split("\n");
  t.equal(lines.length, names.length, "one line per path: no name broke a line");
  for (const line of lines) {
    // flamegraph.pl's own parse: everything up to the last run of spaces is the stack, then a number.
    const m = /^(.*)\s+(\d+(?:\.\d*)?)$/.exec(line);
    t.ok(m, `parses: ${line}`);
    t.equal(m![1].split(";").length, 2, `two frames: ${line}`);
  }
  t.match(out, /;data:text\/javascript；base64,AAA 10$/m, "a semicolon inside a name is the fullwidth one");
  t.match(out, /;a；b；c 11$/m);
  t.match(out, /;line break 12$/m);
  t.match(out, /;cr lf 13$/m);
  t.match(out, /;ends with 42 14$/m);
  t.match(out, /;💥 内存 15$/m);
});

t.test("given a raw capture and its fold, when collapsed, then the outputs are byte for byte the same", async (t) => {
  const a = await runReport(collapsed, workedExample(), {});
  t.equal(await runReport(collapsed, workedExample(), {}, "peak"), a, "the default measure is peak");
});

t.test("given mixed frame kinds, when collapsed, then the output matches its golden file", GOLDEN, async (t) => {
  const steps = [
    { frames: [builtin("processTicksAndRejections"), js("handler", 3), native("node::Buffer::New")], size: 4096 },
    { frames: [builtin("processTicksAndRejections"), js("handler", 3)], size: 100, count: 3 },
    { frames: [native("start_thread"), native("uv__fs_work"), native("operator new")], size: 65536 },
  ];
  t.matchSnapshot(await runReport(collapsed, capture(steps), {}, "total"), "collapsed/mixed.folded");
  t.matchSnapshot(
    await runReport(collapsed, capture(steps), { count: true }, "total"),
    "collapsed/mixed.--count.folded",
  );
  t.matchSnapshot(await runReport(collapsed, workedExample(), {}, "peak"), "collapsed/worked-peak.folded");
});
