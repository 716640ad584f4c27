// Two synthetic runs of one app, written as two recorders would write them: other pids, other addresses for the
// same native functions, libz mapped elsewhere, a JavaScript function moved two lines down. For diff's tests.
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createDecodeStream } from "../../src/codec/decoder";
import { ProfileBuilder, type Profile } from "../../src/model/profile";
import { diffProfiles, type ProfileDiff } from "../../src/sinks/diff/compare";
import { appView } from "../../src/transforms/app-view/view";
import { fold, type FoldOptions } from "../../src/transforms/fold";
import { CaptureBuilder } from "../fixtures/builder";

interface Run {
  pid: number;
  /** Where libz and the other native code are mapped in this run. */
  base: number;
  /** The line of `grow`'s call, which the change moved. */
  growLine: number;
  bytes: Record<"grow" | "steady" | "shrink" | "gone" | "added" | "mystery", number>;
}

/**
 * The app, in one run:
 *   main > grow                          grows 1,000 -> 60,000 B on the JS heap (grow moved from line 10 to 12)
 *   main > steady > malloc               2,000 B in both
 *   main > shrink > [libz.so.1+0xd113]   shrinks 8,000 -> 1,000 B (libz mapped at another address)
 *   main > gone > malloc                 500 B, then gone
 *   main > added > malloc                new: 3,000 B
 *   main > mystery > 0x...               700 B in both, under a bare address that differs
 */
function run(r: Run): Uint8Array {
  const c = new CaptureBuilder();
  const p = c.process(r.pid, { argv: ["node", "app.js"] });
  const main = p.thread(r.pid, "main");
  p.mapping(r.base + 0x100000, r.base + 0x200000, "/usr/lib/x86_64-linux-gnu/libz.so.1");
  const malloc = p.native("malloc", "/usr/lib/x86_64-linux-gnu/libc.so.6", r.base + 0x1234);
  const root = p.js("main", "/app/app.js", 1);
  const stacks: Record<keyof Run["bytes"], number> = {
    grow: p.stack(root, p.js("grow", "/app/app.js", r.growLine)),
    steady: p.stack(root, p.js("steady", "/app/app.js", 20), malloc),
    shrink: p.stack(root, p.js("shrink", "/app/app.js", 30), p.unresolvedFrame(r.base + 0x100000 + 0xd113)),
    gone: p.stack(root, p.js("gone", "/app/app.js", 40), malloc),
    added: p.stack(root, p.js("added", "/app/app.js", 50), malloc),
    mystery: p.stack(root, p.js("mystery", "/app/app.js", 60), p.unresolvedFrame(r.base + 0x9999)),
  };
  let address = r.base + 0x10000000;
  let time = 100;
  for (const [name, bytes] of Object.entries(r.bytes) as [keyof Run["bytes"], number][]) {
    if (bytes === 0) continue;
    p.at((time += 100));
    // grow's objects are on the JS heap (a V8 sample: the JS function allocates); the rest call malloc.
    if (name === "grow") main.jsSample(1, bytes, 1, stacks[name]);
    else main.malloc((address += 0x100000), bytes, stacks[name]);
  }
  p.end();
  return c.bytes();
}

export const BASE = run({
  pid: 100,
  base: 0x7f0000000000,
  growLine: 10,
  bytes: { grow: 1000, steady: 2000, shrink: 8000, gone: 500, added: 0, mystery: 700 },
});
export const NEW = run({
  pid: 200,
  base: 0x7e0000000000,
  growLine: 12,
  bytes: { grow: 60000, steady: 2000, shrink: 1000, gone: 0, added: 3000, mystery: 700 },
});

export async function profileOf(bytes: Uint8Array, options: FoldOptions = {}): Promise<Profile> {
  const builder = new ProfileBuilder();
  await pipeline(
    Readable.from([bytes]),
    createDecodeStream(),
    fold(options),
    new Writable({
      objectMode: true,
      write(m, _encoding, done) {
        builder.push(m);
        done();
      },
    }),
  );
  return builder.finish();
}

export async function diffOf(options: FoldOptions = {}, matchLines = false): Promise<ProfileDiff> {
  return diffProfiles(await profileOf(BASE, options), await profileOf(NEW, options), { matchLines });
}

/** Both views of the runs, as `diff --html` embeds them. */
export async function diffViews(options: FoldOptions = {}): Promise<{ all: ProfileDiff; app: ProfileDiff }> {
  const [base, next] = [await profileOf(BASE, options), await profileOf(NEW, options)];
  return { all: diffProfiles(base, next), app: diffProfiles(appView(base), appView(next)) };
}

export const NAMES = { baseName: "base.mtrace", nextName: "new.mtrace" };
