// What fraction of JS frames a recording names when it starts in a warm process (track(), memtrace attach), beside
// `memtrace record`, which runs from the start. V8 gives an interpreted function a frame of its own only if it was
// compiled after --interpreted-frames-native-stack was set; code compiled before (baseline and optimised code) is
// named from the code V8 enumerates when the agent starts. An unnamed JS frame is a frame of the shared
// InterpreterEntryTrampoline.
//
//   npm run build && node dist/bench/record/js-names-window.js
//
// Counts are frames on the stacks of every allocation (each allocation's stack counted once per allocation): all JS
// frames (node's own included: those it compiled from its snapshot are interpreted and unnamed under any
// recording), and the app's: the eight f<k> frames above each allocation of its `leaf`.
import { spawnSync } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FunctionKind } from "../../src/codec/model";
import { foldMessages, ProfileBuilder, readMessages } from "../../src/index";
import { benchEnv } from "../lib/run";

const ROOT = join(__dirname, "..", "..", "..");
const APP = join(ROOT, "bench", "record", "workloads", "warm-window.js");
const work = mkdtempSync(join(tmpdir(), "memtrace-names-"));

async function count(file: string): Promise<{ named: number; unnamed: number; app: number; appNamed: number }> {
  const builder = new ProfileBuilder();
  for await (const m of foldMessages(readMessages(createReadStream(file), { paired: true }), {
    measure: "total",
    heap: "native",
  }))
    builder.push(m);
  const profile = builder.finish();
  const out = { named: 0, unnamed: 0, app: 0, appNamed: 0 };
  for (let row = 0; row < profile.rows; row++) {
    const weight = profile.count.data[row];
    let chain = 0;
    let leaf = false;
    for (const f of profile.scope.stackFrames(profile.stack.data[row])) {
      const d = profile.scope.frame(f);
      if (d.kind === FunctionKind.KIND_JS) out.named += weight;
      else if (d.name === "InterpreterEntryTrampoline") out.unnamed += weight;
      if (/^f\d+$/.test(d.name)) chain++;
      if (d.name === "leaf") leaf = true;
    }
    if (leaf) {
      out.app += 8 * weight;
      out.appNamed += Math.min(chain, 8) * weight;
    }
  }
  return out;
}

function record(args: string[]): void {
  const r = spawnSync(process.execPath, args, { env: benchEnv(), encoding: "utf8", cwd: ROOT });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
}

async function main(): Promise<void> {
  const tracked = join(work, "tracked.mtrace");
  const recorded = join(work, "recorded.mtrace");
  record([APP, "track", tracked]);
  record([join(ROOT, "bin", "memtrace.js"), "record", "-o", recorded, "--", process.execPath, APP, "plain"]);
  for (const [name, file] of [
    ["track() after 2 s of warm-up", tracked],
    ["memtrace record, whole run", recorded],
  ]) {
    const c = await count(file);
    const share = (100 * c.named) / (c.named + c.unnamed);
    console.log(
      `${name.padEnd(30)} JS frames named ${share.toFixed(1)}% (${c.named} named, ${c.unnamed} ` +
        `InterpreterEntryTrampoline); the app's ${((100 * c.appNamed) / c.app).toFixed(1)}%`,
    );
  }
  rmSync(work, { recursive: true, force: true });
}

void main();
