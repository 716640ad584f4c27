// The ways users start their apps, each recorded with the node it really runs: a script with a `#!/usr/bin/env
// node` line and an npm script, both of which run the `node` on PATH, here another line's than memtrace's own.
// Each process's Header names its node and V8, and the agent for that V8 names its JS functions.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import t from "tap";
import { nodeLines } from "../fixtures/node-lines";
import { Capture, MALLOC, memtrace } from "./capture";

t.setTimeout(15 * 60 * 1000);

const fetched = nodeLines();
const own = process.versions.v8.split(".").slice(0, 2).join(".");
const other = typeof fetched === "string" ? undefined : fetched.find((l) => l.v8 !== own);
const unavailable = !other && !process.env.CI ? { skip: String(fetched) } : {};

const tmp = mkdtempSync(join(tmpdir(), "memtrace-launch-"));
const body = `function keepBuffers() {
  const kept = [];
  for (let i = 0; i < 100; i++) kept.push(Buffer.allocUnsafeSlow(10007));
  return kept;
}
keepBuffers();
`;

/** PATH with the other line's node first, then the system's (npm, sh, env). */
function pathWithOther(): string {
  const bin = join(tmp, "bin");
  if (!existsSync(bin)) {
    mkdirSync(bin);
    symlinkSync(other!.binary, join(bin, "node"));
  }
  return [bin, dirname(process.execPath), "/usr/bin", "/bin"].join(":");
}

/** The process that allocated the app's buffers: its Header, and whether keepBuffers names their stacks. */
function appProcess(bytes: Buffer) {
  const capture = new Capture(bytes);
  const blocks = capture.events.filter((e) => e.kind === MALLOC && e.size === 10007);
  const pid = blocks[0]?.pid;
  const named = blocks.filter((e) => capture.frames(pid, e.stack).some((f) => f.name === "keepBuffers")).length;
  return { header: capture.header(pid), blocks: blocks.length, named, processes: capture.pids.length };
}

t.test("given a script with #!/usr/bin/env node and another line's node on PATH", unavailable, async (t) => {
  const PATH = pathWithOther();
  const script = join(tmp, "script.js");
  writeFileSync(script, `#!/usr/bin/env node\n${body}console.log("script done");\n`);
  chmodSync(script, 0o755);
  const v8 = spawnSync(other!.binary, ["-p", "process.versions.v8"], { encoding: "utf8" }).stdout.trim();
  for (const words of [["--", script], [script]]) {
    const run = await memtrace(["record", "--no-paired", ...words], { env: { PATH } });
    t.equal(run.status, 0, run.stderr);
    t.equal(run.stderr, "script done\n", `record ${words.join(" ")}: the script's output`);
    const app = appProcess(run.stdout);
    t.match(
      app.header,
      { nodeVersion: `v${other!.node}`, v8Version: v8, agent: new RegExp(`for V8 ${other!.v8}$`), notes: [] },
      "it ran with PATH's node, and the Header says so",
    );
    t.equal(app.named, 100, "its JS function named by the agent for that node");
  }
});

t.test("given an npm script, with another line's node on PATH", unavailable, async (t) => {
  const PATH = pathWithOther();
  const project = join(tmp, "project");
  mkdirSync(project);
  writeFileSync(join(project, "app.js"), body);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({
      name: "p",
      version: "1.0.0",
      private: true,
      scripts: { start: `node ${join(project, "app.js")}` },
    }),
  );
  const run = await memtrace(["record", "--no-paired", "--", "npm", "--prefix", project, "run", "--silent", "start"], {
    env: { PATH },
  });
  t.equal(run.status, 0, run.stderr);
  const app = appProcess(run.stdout);
  t.ok(app.processes >= 3, `npm, its shell and the app are recorded: ${app.processes} processes`);
  t.match(app.header, { nodeVersion: `v${other!.node}`, agent: new RegExp(`for V8 ${other!.v8}$`) });
  t.equal(app.named, 100, "the app's JS function named by the agent for its node");
});

t.test("given no native recorder, when recording, then memtrace says so and exits 2", async (t) => {
  const empty = mkdtempSync(join(tmpdir(), "memtrace-no-native-"));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  let timer: NodeJS.Timeout | undefined;
  const run = await memtrace(
    ["record", "--no-paired", "-o", join(empty, "x.mtrace"), "--", process.execPath, "-e", "0"],
    {
      env: { MEMTRACE_NATIVE_DIR: empty },
      started: (child) => (timer = setTimeout(() => child.kill("SIGKILL"), 30_000)),
    },
  );
  clearTimeout(timer);
  t.equal(run.signal, null, "it ends by itself");
  t.equal(run.status, 2);
  t.match(
    run.stderr,
    /^memtrace: memtrace's native recorder is not installed \(.*libmemtrace_preload\.so is missing\)/,
  );
});
