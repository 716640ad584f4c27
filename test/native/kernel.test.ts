// The kernel's door (src/native/kernel.ts) writes the C++ enums it shares with native/kernel/paired_fold.h a second
// time: the state array's slots, the reasons a run stops and the reasons a batch is refused. This holds the copies
// together.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { KernelSlot, KernelStop, PairedFault, loadKernel } from "../../src/native/kernel";

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
