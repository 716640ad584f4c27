// The app view's names on real captures, for checking them on a new Node.js line (docs/app-view.md):
//   npx ts-node --transpile-only scripts/app-view-names.ts a.mtrace [b.mtrace ...]
// For each capture (folded --total, uncompressed): the thread kinds at the roots with the recorder's thread role and
// name, the app view's innermost frames by bytes, and for the fallback names (V8 runtime, node runtime, native
// runtime, libuv, builtins, libraries) the innermost named frames of the stacks they stand for: where a rule of
// src/transforms/app-view/runtime.ts or threads.ts no longer matches, the bytes show up there.
import { createReadStream } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createDecodeStream } from "../src/codec/decoder";
import { ProfileBuilder, type Profile } from "../src/model/profile";
import { appView } from "../src/transforms/app-view/view";
import { fold } from "../src/transforms/fold";

async function load(file: string): Promise<Profile> {
  const builder = new ProfileBuilder();
  await pipeline(
    createReadStream(file),
    createDecodeStream(),
    fold({ measure: "total" }),
    new Writable({
      objectMode: true,
      write(m, _e, done) {
        builder.push(m);
        done();
      },
    }),
  );
  return builder.finish();
}

const FALLBACK = /^(V8 runtime|node runtime|native runtime|libuv)$|\(V8 builtin\)$|^\[|\.so/;
const PLUMB =
  /^(malloc|calloc|realloc|free|operator new|operator delete|posix_memalign|aligned_alloc|mmap|std::|void std::|__gnu_cxx::|\[)/;

(async () => {
  for (const file of process.argv.slice(2)) {
    const all = await load(file);
    const app = appView(all);
    const runtime = new Map<string, number>();
    const roots = new Map<string, number>();
    const fallbackTails = new Map<string, Map<string, number>>();
    for (let r = 0; r < app.rows; r++) {
      const frames = app.scope.stackFrames(app.stack.data[r]).reverse(); // root first
      const labels = frames.map((f) => app.label(f));
      const bytes = app.bytes.data[r];
      const info = all.processes.get(app.pid.data[r])?.threads.get(app.tid.data[r]);
      const root = `${labels[0] ?? "(none)"} <- ${info ? `role ${info.role} "${info.name}"` : "no info"}`;
      roots.set(root, (roots.get(root) ?? 0) + bytes);
      const inner = labels[labels.length - 1] ?? "(none)";
      runtime.set(inner, (runtime.get(inner) ?? 0) + bytes);
      if (FALLBACK.test(inner)) {
        const orig = all.scope.stackFrames(all.stack.data[r]).map((f) => all.label(f));
        const named = orig
          .filter((l) => !PLUMB.test(l))
          .slice(0, 3)
          .join(" < ");
        const m = fallbackTails.get(inner) ?? new Map<string, number>();
        m.set(named, (m.get(named) ?? 0) + bytes);
        fallbackTails.set(inner, m);
      }
    }
    const total = [...runtime.values()].reduce((a, b) => a + b, 0);
    const top = (m: Map<string, number>, n: number) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(
          ([k, v]) =>
            `  ${(v / 1024).toFixed(1).padStart(10)} KiB ${((100 * v) / total).toFixed(2).padStart(6)}%  ${k.slice(0, 200)}`,
        );
    console.log(`== ${file}: ${(total / 1048576).toFixed(1)} MiB total`);
    console.log("roots:");
    console.log(top(roots, 10).join("\n"));
    console.log("innermost (app view):");
    console.log(top(runtime, 25).join("\n"));
    for (const [name, m] of [...fallbackTails]
      .sort((a, b) => [...b[1].values()].reduce((x, y) => x + y) - [...a[1].values()].reduce((x, y) => x + y))
      .slice(0, 6)) {
      console.log(`fallback "${name}":`);
      console.log(top(m, 6).join("\n"));
    }
  }
})();
