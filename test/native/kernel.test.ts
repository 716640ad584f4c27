// The kernel's door (src/native/kernel.ts) writes the C++ enums it shares with native/kernel/paired_fold.h a second
// time: the state array's slots, the reasons a run stops and the reasons a batch is refused. This holds the copies
// together, and the kernel's timeline (timeline.h) to ProcessTimeline, hook by hook.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { KernelSlot, KernelStop, PairedFault, loadKernel } from "../../src/native/kernel";
import { NativeTimeline } from "../../src/transforms/timeline/native";
import { ProcessTimeline } from "../../src/transforms/timeline/process";
import { Prng } from "../fixtures/prng";

const header = readFileSync(join(__dirname, "..", "..", "native", "kernel", "paired_fold.h"), "utf8");

/** A C++ enum's entries in order, with their values (implicit ones counted on from the one before). */
function cppEnum(name: string): [string, number][] {
  const body = new RegExp(`enum (?:class )?${name}[^{]*\\{([^}]*)\\}`).exec(header);
  if (!body) throw new Error(`enum ${name} not found`);
  const out: [string, number][] = [];
  let next = 0;
  for (const entry of body[1].replace(/\/\/[^\n]*/g, "").split(",")) {
    const m = /^\s*k?(\w+)\s*(?:=\s*(.+?))?\s*$/.exec(entry);
    if (!m) continue;
    const value = m[2] === undefined ? next : /^\d+$/.test(m[2]) ? Number(m[2]) : undefined;
    // `kStateLength = kOut + 8`: a sum of an entry and a number.
    const sum = /^k(\w+) \+ (\d+)$/.exec(m[2] ?? "");
    const resolved = value ?? (sum ? out.find(([n]) => n === sum[1])![1] + Number(sum[2]) : NaN);
    out.push([m[1], resolved]);
    next = resolved + 1;
  }
  return out;
}

/** A TypeScript numeric enum's entries. */
const tsEnum = (e: object): [string, number][] =>
  Object.entries(e).filter((entry): entry is [string, number] => typeof entry[1] === "number");

t.test("given the kernel's state slots in C++ and TypeScript, then every name has the same number", async (t) => {
  const cpp = new Map(cppEnum("StateSlot").map(([name, value]) => [name.replace(/^StateLength$/, "Length"), value]));
  t.ok(cpp.size >= 16, `${cpp.size} slots read`);
  t.same(new Map(tsEnum(KernelSlot)), cpp);
});

t.test("given the reasons a kernel run stops in C++ and TypeScript, then every name has the same number", async (t) => {
  t.same(new Map(tsEnum(KernelStop)), new Map(cppEnum("Stop")));
});

t.test(
  "given the reasons a paired batch is refused in C++ and TypeScript, then every name has the same number",
  async (t) => {
    t.same(new Map(tsEnum(PairedFault)), new Map(cppEnum("Fault")));
  },
);

t.test("given MEMTRACE_NO_KERNEL, then there is no kernel; without it, there is", async (t) => {
  process.env.MEMTRACE_NO_KERNEL = "1";
  t.equal(loadKernel(), undefined, "MEMTRACE_NO_KERNEL=1: fold runs in TypeScript");
  delete process.env.MEMTRACE_NO_KERNEL;
  t.ok(loadKernel()?.PairedFold, "this checkout's prebuilt kernel loads");
});

t.test("given a kernel fold made without a timeline, when its timeline is called, then it says so", async (t) => {
  const fold = new (loadKernel()!.PairedFold)(-1);
  t.throws(() => fold.timelineEvent(0, 0), /this fold keeps no timeline/);
  const withTimeline = new (loadKernel()!.PairedFold)(-1, 100);
  t.throws(() => withTimeline.timelineAllocate(0, 8, 1, 1, 1, 0), /a timeline change before its first event/);
  t.throws(() => withTimeline.timelineAllocate(-1, 8, 1, 1, 1, 0), /a row or thread is not an integer/);
  fold.dispose();
  withTimeline.dispose();
});

t.test(
  "given the same hooks called on the kernel's timeline and on ProcessTimeline, then both export the same buckets and tables",
  async (t) => {
    for (const [seed, budget] of [
      [1, 1_000_000],
      [2, 60],
      [3, 200],
    ]) {
      const rnd = new Prng(seed);
      const fold = new (loadKernel()!.PairedFold)(-1, budget);
      const both = [new NativeTimeline(fold), new ProcessTimeline(budget)];
      const live: [number, number, number, number, number][] = [];
      const tags = new Map<number, number>();
      let time = 0;
      for (let i = 0; i < 20_000; i++) {
        time += rnd.int(0, 3) === 0 ? rnd.int(0, 5_000) : rnd.int(0, 20);
        for (const tl of both) tl.event(time, 40);
        if (live.length === 0 || rnd.float() < 0.55) {
          const row = rnd.int(0, 39);
          const tid = rnd.int(1, 3);
          const tag = (tags.get(tid) ?? 0) + 1;
          tags.set(tid, tag);
          const size = rnd.int(1, 4096);
          const js = row % 7 === 0;
          for (const tl of both) tl.allocate(row, size, 1, tid, tag, js);
          live.push([row, size, tid, tag, js ? 1 : 0]);
          for (const tl of both) tl.allocated();
        } else {
          const [row, size, tid, tag, js] = live.splice(rnd.int(0, live.length - 1), 1)[0];
          for (const tl of both) tl.release(row, size, 1, tid, tag, js === 1);
        }
      }
      for (const tl of both) tl.finish(time + 10, 40);
      const width = Math.max(...both.map((tl) => tl.width)) * 2;
      for (const tl of both) tl.widen(width);
      const [native, ts] = both;
      t.equal(native.width, ts.width, `seed ${seed}: the same width`);
      t.equal(native.entries, ts.entries, `seed ${seed}: the same entries`);
      t.ok(ts.buckets > 1, `seed ${seed}: ${ts.buckets} buckets`);
      t.same(native.export(), ts.export(), `seed ${seed}, budget ${budget}: the same buckets and tables`);
      fold.dispose();
    }
  },
);
