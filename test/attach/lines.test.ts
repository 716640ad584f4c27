// track() and memtrace attach on every Node.js release line memtrace has an agent for (native/node-lines.json), and
// attach's refusal of a node whose line has none. The agent is the one part built per line, and it is what starts a
// recording from inside a process, paired by default: track() records both forms at once here (MEMTRACE_PAIRED=2), so
// that one recording is folded both ways.
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import type { Message } from "../../src/codec/model";
import { preloadLibraryPath } from "../../src/record/native";
import { foldMessages, type FoldOptions } from "../../src/transforms/fold";
import { collect } from "../fixtures/inspect";
import { nodeLines, type NodeLine } from "../fixtures/node-lines";
import { Capture, isAllocation, memtrace, ROOT, userEnv, type Run } from "../record/capture";

t.setTimeout(15 * 60 * 1000); // a fresh clone fetches and builds the lines first (CI does it before the tests)

const tmp = mkdtempSync(join(tmpdir(), "memtrace-lines-"));
const running = join(__dirname, "apps", "running.js");
const windowApp = join(__dirname, "..", "track", "apps", "window.js");
const fetched = nodeLines();
const lines: NodeLine[] = typeof fetched === "string" ? [] : fetched;
const unavailable = typeof fetched === "string" && !process.env.CI ? { skip: fetched } : {};
if (typeof fetched === "string" && process.env.CI) t.fail(fetched);

function run(binary: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, {
      cwd: ROOT,
      env: userEnv({ env }),
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
    });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("close", (status, signal) => resolve({ status, signal, stdout: Buffer.concat(out), stderr: err }));
  });
}

/** A folded stream's bytes. */
async function folded(messages: Message[], options: FoldOptions): Promise<Buffer> {
  return Buffer.from(encodeAll(await collect(foldMessages(messages, options))));
}

/** Starts running.js with `binary`; resolves once it is warm, with a way to end it. */
async function startApp(binary: string) {
  const child = spawn(binary, ["--inspect-port=0", running, "serve"], { cwd: ROOT, env: userEnv() });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve) =>
    child.stdout.on("data", (b: Buffer) => b.toString().includes("ready") && resolve()),
  );
  return { pid: child.pid!, finish: () => (child.stdin.end(), exited) };
}

for (const line of lines) {
  t.test(`given Node.js ${line.node} (V8 ${line.v8}), then track() and attach record it`, unavailable, async (t) => {
    const file = join(tmp, `track-${line.v8}.mtrace`);
    const tracked = await run(line.binary, [windowApp, file, "plain"], { MEMTRACE_PAIRED: "2" });
    t.equal(tracked.status, 0, tracked.stderr);
    const both = decodeAll(readFileSync(file), { paired: true });
    const header = both.find((m) => m.type === "header");
    t.equal(header?.type === "header" && header.header.version, 4, "track(): the Header says format version 4");
    const pairedOnly = both.filter((m) => m.type !== "events");
    const unpaired = both
      .filter((m) => m.type !== "paired" && m.type !== "sites")
      .map((m) => (m.type === "header" ? { ...m, header: { ...m.header, version: 1 } } : m));
    t.ok(
      pairedOnly.some((m) => m.type === "paired" && m.batch.length > 0),
      "paired rows",
    );
    for (const options of [{}, { measure: "leaks" }] as FoldOptions[]) {
      const [a, b] = [await folded(pairedOnly, options), await folded(unpaired, options)];
      t.ok(a.equals(b), `fold gives the same of the paired and the unpaired form, ${JSON.stringify(options)}`);
    }
    const c = new Capture(encodeAll(unpaired));
    t.same(c.warnings, []);
    const inside = c.events.filter((e) => isAllocation(e.kind) && e.size === 600_001);
    t.equal(inside.length, 8, "track(): the window's Buffers");
    t.ok(
      inside.every((e) => c.frames(e.pid, e.stack).some((f) => f.name === "inWindow")),
      "named on this line's V8",
    );
    t.match(c.header(c.pids[0]), { nodeVersion: `v${line.node}`, agent: new RegExp(`for V8 ${line.v8}$`) });

    const target = await startApp(line.binary);
    const attached = join(tmp, `attach-${line.v8}.mtrace`);
    const a = await memtrace(["attach", String(target.pid), "--duration", "1", "-o", attached]);
    t.equal(a.status, 0, a.stderr);
    const ac = decodeAll(readFileSync(attached), { paired: true });
    const attachedHeader = ac.find((m) => m.type === "header");
    t.equal(attachedHeader?.type === "header" && attachedHeader.header.version, 4, "attach: format version 4");
    t.ok(
      ac.some((m) => m.type === "trailer" && m.pid === target.pid),
      "attach: the capture is complete",
    );
    const summary = await memtrace(["summary", attached]);
    t.match(summary.stdout.toString(), /^serveRequest \(/m, "summary names the process's function");
    t.equal(await target.finish(), 7, "and the process ends with its own code");
  });
}

t.test("given a node whose V8 line memtrace has no agent for, then attach refuses before touching it", async (t) => {
  // memtrace's folder as installed on a machine where this line's agent is missing: the interposer alone.
  const folder = mkdtempSync(join(tmpdir(), "memtrace-no-agent-"));
  copyFileSync(preloadLibraryPath(), join(folder, "libmemtrace_preload.so"));
  const target = await startApp(process.execPath);
  const a = await memtrace(["attach", String(target.pid)], { env: { MEMTRACE_NATIVE_DIR: folder } });
  t.equal(a.status, 1);
  const line = process.versions.v8.split(".").slice(0, 2).join(".");
  t.match(
    a.stderr,
    new RegExp(`^memtrace attach: memtrace has no agent for process ${target.pid}'s Node\\.js .* \\(V8 ${line}\\)`),
  );
  t.equal(await target.finish(), 7);
});
