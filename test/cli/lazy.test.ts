// The CLI loads a command's modules only when it runs (src/cli/main.ts): `--version` loads no command, a report
// loads itself and not the others, and `record` loads neither the reports nor, before the app starts, the
// source-map pass and the protobuf runtime. Checked by which of the built modules a real `memtrace` process loaded.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import t from "tap";
import { ROOT, staleBuild } from "../fixtures/cli";

const stale = staleBuild();

/** The modules of dist/src/ and node_modules/ that `memtrace ARGS` loaded, as paths under them. */
function loaded(args: string[]): string[] {
  const script =
    `process.argv = [process.argv[0], "memtrace", ...${JSON.stringify(args)}];` +
    `process.on("exit", () => process.stderr.write("\\n@" + JSON.stringify(Object.keys(require.cache)) + "\\n"));` +
    `require(${JSON.stringify(join(ROOT, "dist", "src", "cli", "main.js"))}).main();`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 30_000, cwd: ROOT });
  const line = r.stderr.split("\n").find((l) => l.startsWith("@"));
  if (!line) throw new Error(`no module list: ${r.stderr}`);
  return (JSON.parse(line.slice(1)) as string[])
    .filter((f) => f.includes("/dist/src/") || f.includes("/node_modules/"))
    .map((f) => f.replace(/.*\/(dist\/src|node_modules)\//, ""));
}

if (stale) t.fail(stale);
else {
  t.test("given --version, then no command's modules load", async (t) => {
    const ours = loaded(["--version"]).filter((f) => !f.includes("/") || /^(cli|sinks|codec|record)\//.test(f));
    t.same(ours.sort(), [
      "cli/argv.js",
      "cli/io.js",
      "cli/main.js",
      "codec/errors.js",
      "errors.js",
      "sinks/registry.js",
    ]);
  });

  t.test("given a report, then it loads itself and none of the other commands or reports", async (t) => {
    const files = loaded(["summary", "--help"]);
    t.ok(files.includes("sinks/summary.js"), "summary");
    for (const other of ["record/command.js", "attach/command.js", "cli/diff-command.js", "sinks/flame.js"]) {
      t.notOk(files.includes(other), `not ${other}`);
    }
  });

  t.test("given record, then the reports do not load, nor the source-map pass before the app runs", async (t) => {
    // --help stops before the app would start: what loads is what loads before it.
    const files = loaded(["record", "--help"]);
    t.ok(files.includes("record/command.js"), "record");
    for (const other of ["sinks/summary.js", "cli/sink-command.js", "record/mapped-records.js"]) {
      t.notOk(files.includes(other), `not ${other}`);
    }
    t.notOk(
      files.some((f) => f.startsWith("@bufbuild/")),
      "nor the protobuf runtime",
    );
  });
}
