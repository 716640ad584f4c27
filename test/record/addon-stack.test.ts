// The recorder's central promise: the exact allocations of a native function, at a stack that names both the
// JS function that called it (with its file and line) and the C++ function itself.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { APPS, Capture, FREE, MALLOC, memtrace } from "./capture";

const app = join(APPS, "alloc-app.js");
const jsLine =
  readFileSync(app, "utf8")
    .split("\n")
    .findIndex((l) => l.includes("return fixture.allocateBlocks(")) + 1;

/** The mallocs of `size` bytes whose stack holds a native function whose name starts with `fn`. */
function mallocsIn(capture: Capture, pid: number, size: number, fn: string) {
  return capture.events.filter(
    (e) => e.kind === MALLOC && e.size === size && capture.frames(pid, e.stack).some((f) => f.name.startsWith(fn)),
  );
}

t.test("given an addon that mallocs 1000 blocks of 4093 bytes and frees 250, when recorded", async (t) => {
  // NODE_EXTRA_CA_CERTS stays set: the recorder must cope with node's ~900,000 start-up allocations.
  const run = await memtrace(["record", "--no-paired", app, "1000", "4093", "250"], { keepExtraCerts: true });
  t.equal(run.status, 0, run.stderr);
  t.equal(run.stderr, "allocated 1000\n", "the app's stdout goes to stderr, untouched");
  const capture = new Capture(run.stdout);
  t.same(capture.warnings, [], "the capture is complete");
  const [pid] = capture.pids;

  const blocks = mallocsIn(capture, pid, 4093, "MemtraceFixture::AllocateBlocks(");
  t.equal(blocks.length, 1000, "exactly 1000 mallocs at the fixture's stack");
  t.equal(
    blocks.reduce((sum, e) => sum + e.size, 0),
    4_093_000,
    "of 4093 bytes each",
  );

  const frames = capture.frames(pid, blocks[0].stack);
  const names = frames.map((f) => f.name);
  const cxx = names.findIndex((n) => n.startsWith("MemtraceFixture::AllocateBlocks("));
  const js = frames.findIndex((f) => f.name === "allocateForTest");
  t.equal(cxx, 0, "the C++ function is the innermost frame (the caller of malloc)");
  t.ok(js > cxx, `the JS function is further out: ${names.join(" < ")}`);
  t.match(
    frames[js],
    { kind: 1, line: jsLine },
    "the JS frame is a JS function at the line of its call into the addon",
  );
  t.ok(frames[js].file.endsWith("alloc-app.js"), "and its file");
  t.ok(frames[cxx].module.endsWith("memtrace_fixture.node"), "the C++ frame names its module");

  // Pair frees with the blocks, in time order (an address may have been used and freed before a block got
  // it): 250 are freed, 750 still live at exit.
  const isBlock = new Set(blocks);
  const live = capture.unfreed((e) => isBlock.has(e));
  t.equal(live.length, 750, "750 are still live at exit");
  t.same(new Set(live), new Set(blocks.slice(250)), "the 750 the fixture held, its first 250 freed");

  const mappings = capture.messages.flatMap((m) => (m.type === "mapping" ? [m.mapping] : []));
  t.ok(
    mappings.some((m) => m.path === process.execPath && m.executable && /^[0-9a-f]{40}$/.test(m.buildId)),
    "the node binary's executable mapping is recorded with its build id, for reading the capture elsewhere",
  );
  t.ok(
    mappings.some((m) => m.path.endsWith("memtrace_fixture.node")),
    "and so is the addon's, loaded after start-up",
  );

  const trailer = capture.trailer(pid);
  t.ok(trailer, "the process's capture ends with its trailer");
  t.equal(
    capture.events.filter((e) => e.kind < 64).length,
    trailer?.allocations,
    "the trailer counts every allocation in the stream",
  );
});

t.test(
  "given a thread that frees each block and malloc handing its address straight back to another, when recorded, then every free pairs with its own block",
  async (t) => {
    const run = await memtrace(["record", "--no-paired", join(APPS, "hand-off.js"), "200000", "4000"]);
    t.equal(run.status, 0, run.stderr);
    const capture = new Capture(run.stdout);
    t.same(capture.warnings, []);
    const [pid] = capture.pids;
    const blocks = mallocsIn(capture, pid, 4000, "MemtraceFixture::HandOff(");
    t.equal(blocks.length, 200_000, "every hand-off's malloc");
    const addresses = new Set(blocks.map((e) => e.address));
    t.ok(addresses.size <= 10, `at a few addresses, used again and again: ${addresses.size}`);
    const [first, last] = [blocks[0].time, blocks[blocks.length - 1].time];
    const frees = capture.events.filter(
      (e) => e.kind === FREE && addresses.has(e.address) && e.time >= first && e.time <= last,
    );
    // Times are shared between threads and published every few events, so a window of times cannot tell the
    // allocating thread's own frees just before and after the hand-offs from those inside: count the others'.
    const allocatingThread = blocks[0].tid;
    t.ok(
      frees.filter((e) => e.tid !== allocatingThread).length >= 199_999,
      "freed in the meantime, by another thread than the one that allocates",
    );
    const isBlock = new Set(blocks);
    t.same(
      capture.unfreed((e) => isBlock.has(e)),
      [],
      "and each block's free is its own: none left live",
    );
  },
);
