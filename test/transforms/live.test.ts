// LiveHeap: which allocation each free releases, and how much of it.
import t from "tap";
import { EventKind as K } from "../../src/codec/model";
import { LiveHeap } from "../../src/transforms/live";

/**
 * A LiveHeap that records its releases as [key, bytes, count, overwritten], the keys of late frees, and the early
 * frees taken as [key, the free's time, its thread].
 */
function heap(allocationTimeLeadNs = 0, deallocationTimeLeadNs = 0) {
  const released: [number, number, number, boolean][] = [];
  const lateFrees: number[] = [];
  const earlyFrees: [number, number, number][] = [];
  const live = new LiveHeap((key, bytes, count, _tag, overwritten) => released.push([key, bytes, count, overwritten]), {
    allocationTimeLeadNs,
    onLateFree: (key) => lateFrees.push(key),
    deallocationTimeLeadNs,
    onEarlyFree: (key, free) => earlyFrees.push([key, free.time, free.tid]),
  });
  return { live, released, lateFrees, earlyFrees };
}

// Threads and times for the allocation-time-lead tests: the main thread mallocs, a sweeper thread frees.
const MAIN = 1;
const SWEEPER = 2;
const LEAD = 100_000;

t.test(
  "given a mapping, when the middle is unmapped, then it splits and its count goes with the last piece",
  async (t) => {
    const { live, released } = heap();
    live.alloc(K.MMAP, 0x10000, 0x4000, 1, 1);
    t.equal(live.free(K.MUNMAP, 0x11000, 0x1000), true);
    t.same(released, [[1, 0x1000, 0, false]]);
    t.equal(live.liveBlocks, 2, "two pieces are left");
    live.free(K.MUNMAP, 0x10000, 0x1000);
    t.same(released[1], [1, 0x1000, 0, false], "the first piece: bytes, but the mapping is still there");
    live.free(K.MUNMAP, 0x12000, 0x2000);
    t.same(released[2], [1, 0x2000, 1, false], "the last piece releases the mapping's count");
    t.equal(live.liveBlocks, 0);
  },
);

t.test("given three mappings, when one munmap spans two of them, then each releases what it lost", async (t) => {
  const { live, released } = heap();
  live.alloc(K.MMAP, 0x10000, 0x2000, 1, 1);
  live.alloc(K.MMAP, 0x12000, 0x2000, 2, 1);
  live.alloc(K.MREMAP, 0x20000, 0x1000, 3, 1);
  t.equal(live.free(K.MUNMAP, 0x11000, 0x2000), true);
  t.same(released, [
    [1, 0x1000, 0, false],
    [2, 0x1000, 0, false],
  ]);
  t.equal(live.free(K.MUNMAP, 0x14000, 0xc000), false, "the gap between them held nothing");
  live.free(K.MUNMAP, 0, 0x100000);
  t.same(released.slice(2), [
    [1, 0x1000, 1, false],
    [2, 0x1000, 1, false],
    [3, 0x1000, 1, false],
  ]);
  t.equal(live.liveBlocks, 0);
});

t.test(
  "given a mapping, when another is mapped over part of it, then the covered part is released as overwritten",
  async (t) => {
    const { live, released } = heap();
    live.alloc(K.MMAP, 0x10000, 0x4000, 1, 1);
    live.alloc(K.MMAP, 0x12000, 0x4000, 2, 1);
    t.same(released, [[1, 0x2000, 0, true]]);
    t.equal(live.overwritten, 1);
    live.free(K.MUNMAP, 0x10000, 0x6000);
    t.same(released.slice(1), [
      [1, 0x2000, 1, false],
      [2, 0x4000, 1, false],
    ]);
  },
);

t.test(
  "given a realloc, when the old block is released and the new one freed, then each releases its own size",
  async (t) => {
    const { live, released } = heap();
    live.alloc(K.MALLOC, 0x1000, 100, 1, 1);
    t.equal(live.free(K.REALLOC_FREE, 0x1000, 0), true);
    live.alloc(K.REALLOC, 0x2000, 200, 2, 1);
    t.equal(live.free(K.FREE, 0x2000, 0), true);
    t.same(released, [
      [1, 100, 1, false],
      [2, 200, 1, false],
    ]);
    // realloc in place: the same address, a new size.
    live.alloc(K.MALLOC, 0x3000, 10, 3, 1);
    live.free(K.REALLOC_FREE, 0x3000, 0);
    live.alloc(K.REALLOC, 0x3000, 30, 3, 1);
    live.free(K.FREE, 0x3000, 0);
    t.same(released.slice(2), [
      [3, 10, 1, false],
      [3, 30, 1, false],
    ]);
    t.equal(live.overwritten, 0);
  },
);

t.test(
  "given a block, when another is allocated at its address without a free, then the old one counts as overwritten",
  async (t) => {
    const { live, released } = heap();
    live.alloc(K.MALLOC, 0x1000, 100, 1, 1);
    live.alloc(K.NEW, 0x1000, 50, 2, 1);
    t.same(released, [[1, 100, 1, true]]);
    t.equal(live.overwritten, 1);
    live.free(K.DELETE, 0x1000, 0);
    t.same(released[1], [2, 50, 1, false]);
  },
);

t.test(
  "given a JS sample and a heap block with the same number, when one is freed, then the other stays",
  async (t) => {
    const { live, released } = heap();
    live.alloc(K.JS_SAMPLE, 0x1000, 4096, 1, 7);
    live.alloc(K.MALLOC, 0x1000, 64, 2, 1);
    t.equal(live.overwritten, 0, "sample ids and addresses are different spaces");
    live.free(K.JS_SAMPLE_FREED, 0x1000, 0);
    t.same(released, [[1, 4096, 7, false]], "the sample's object count goes with it");
    live.free(K.FREE, 0x1000, 0);
    t.same(released[1], [2, 64, 1, false]);
  },
);

t.test("given nothing live, when freed or unmapped, then nothing is released and the free is unmatched", async (t) => {
  const { live, released } = heap();
  t.equal(live.free(K.FREE, 0xdead, 0), false);
  t.equal(live.free(K.MUNMAP, 0x10000, 0x1000), false);
  t.equal(live.free(K.JS_SAMPLE_FREED, 1, 0), false);
  live.alloc(K.MMAP, 0x10000, 0, 1, 1);
  t.equal(live.liveBlocks, 0, "a mapping of 0 bytes is nothing");
  t.same(released, []);
});

t.test(
  "given an allocation time lead, when a block's new allocation reads just before another thread's free of the old one, then each free releases its own block",
  async (t) => {
    const { live, released, lateFrees } = heap(LEAD);
    live.alloc(K.MALLOC, 0x1000, 100, 1, 1, 0, 1_000, MAIN);
    // The sweeper freed the old block, malloc handed the address out again, but its time read 300 ns early.
    live.alloc(K.MALLOC, 0x1000, 40, 2, 1, 0, 5_000, MAIN);
    t.same(released, [[1, 100, 1, false]], "the old block is released at the new allocation, as freed");
    t.equal(live.free(K.FREE, 0x1000, 0, 5_300, SWEEPER), true, "the sweeper's free is matched");
    t.same(lateFrees, [1], "to the old block");
    t.equal(live.liveBlocks, 1, "the new block is still live");
    t.equal(live.free(K.FREE, 0x1000, 0, 9_000, MAIN), true);
    t.same(released[1], [2, 40, 1, false], "its own free releases the new block");
    t.equal(live.overwritten, 0);
  },
);

t.test(
  "given an allocation time lead, when the free after an allocation at a live address is its own thread's, then it frees the new block and the old one was overwritten",
  async (t) => {
    const { live, released, lateFrees } = heap(LEAD);
    live.alloc(K.MALLOC, 0x1000, 100, 1, 1, 0, 1_000, MAIN);
    live.alloc(K.MALLOC, 0x1000, 40, 2, 1, 0, 5_000, MAIN);
    t.equal(live.overwritten, 1, "until its free comes, the old block counts as overwritten");
    t.equal(live.free(K.FREE, 0x1000, 0, 5_100, MAIN), true);
    t.same(released, [
      [1, 100, 1, false],
      [2, 40, 1, false],
    ]);
    t.same(lateFrees, []);
    t.equal(live.overwritten, 1);
    t.equal(live.liveBlocks, 0);
  },
);

t.test(
  "given an allocation time lead, when another thread frees the address later than the lead, then it frees the new block",
  async (t) => {
    const { live, released, lateFrees } = heap(LEAD);
    live.alloc(K.MALLOC, 0x1000, 100, 1, 1, 0, 1_000, MAIN);
    live.alloc(K.MALLOC, 0x1000, 40, 2, 1, 0, 5_000, MAIN);
    t.equal(live.free(K.FREE, 0x1000, 0, 5_000 + LEAD + 1, SWEEPER), true);
    t.same(released[1], [2, 40, 1, false], "the block was handed to the sweeper and freed there");
    t.same(lateFrees, []);
    t.equal(live.overwritten, 1);
    t.equal(live.free(K.FREE, 0x1000, 0, 200_000, SWEEPER), false, "a second free finds nothing");
  },
);

t.test(
  "given an allocation time lead, when a second allocation comes at the address before the awaited free, then that free was missing",
  async (t) => {
    const { live, released } = heap(LEAD);
    live.alloc(K.MALLOC, 0x1000, 100, 1, 1, 0, 1_000, MAIN);
    live.alloc(K.MALLOC, 0x1000, 40, 2, 1, 0, 5_000, MAIN);
    live.alloc(K.MALLOC, 0x1000, 8, 3, 1, 0, 6_000, MAIN);
    t.same(released, [
      [1, 100, 1, false],
      [2, 40, 1, false],
    ]);
    t.equal(live.free(K.FREE, 0x1000, 0, 6_100, SWEEPER), true, "the sweeper frees the second block");
    t.equal(live.overwritten, 1, "the first block's free never came");
    t.equal(live.liveBlocks, 1, "the third block lives on");
  },
);

t.test(
  "given no allocation time lead, when a block is allocated at a live address, then nothing is awaited",
  async (t) => {
    const { live, released, lateFrees } = heap(0);
    live.alloc(K.MALLOC, 0x1000, 100, 1, 1, 0, 1_000, MAIN);
    live.alloc(K.MALLOC, 0x1000, 40, 2, 1, 0, 5_000, MAIN);
    t.same(released, [[1, 100, 1, true]]);
    live.free(K.FREE, 0x1000, 0, 5_300, SWEEPER);
    t.same(released[1], [2, 40, 1, false], "the sweeper's free takes the new block");
    t.same(lateFrees, []);
  },
);

t.test(
  "given a free time lead, when another thread's free of a block reads just before the block's allocation, then the allocation takes it",
  async (t) => {
    const { live, released, earlyFrees } = heap(LEAD, LEAD);
    // The main thread allocates at 5,000 and hands the block to the sweeper, whose free read 300 ns early.
    t.equal(live.free(K.FREE, 0x1000, 0, 4_700, SWEEPER), false, "in time order the free comes first: unmatched");
    live.alloc(K.MALLOC, 0x1000, 100, 1, 1, 0, 5_000, MAIN);
    t.same(released, [[1, 100, 1, false]], "the block is allocated and released at once");
    t.same(earlyFrees, [[1, 4_700, SWEEPER]], "the caller learns which free it was");
    t.equal(live.unmatched, 0, "and the free is no longer counted unmatched");
    t.equal(live.liveBlocks, 0);
    t.equal(live.overwritten, 0);
    live.alloc(K.MALLOC, 0x1000, 40, 2, 1, 0, 6_000, MAIN);
    t.equal(live.liveBlocks, 1, "the free is taken once: the next block at the address lives");
  },
);

t.test(
  "given a free time lead, when the unmatched free is the allocating thread's own, then it is not the block's",
  async (t) => {
    const { live, released, earlyFrees } = heap(LEAD, LEAD);
    t.equal(live.free(K.FREE, 0x1000, 0, 4_700, MAIN), false);
    live.alloc(K.MALLOC, 0x1000, 100, 1, 1, 0, 5_000, MAIN);
    t.same(released, [], "a thread's own events are in program order: its free came before its allocation");
    t.same(earlyFrees, []);
    t.equal(live.unmatched, 1, "its free stays unmatched");
    t.equal(live.liveBlocks, 1);
  },
);

t.test(
  "given a free time lead, when the allocation comes later than the lead after the unmatched free, then it lives",
  async (t) => {
    const { live, released, earlyFrees } = heap(LEAD, LEAD);
    live.free(K.FREE, 0x1000, 0, 4_700, SWEEPER);
    live.alloc(K.MALLOC, 0x1000, 100, 1, 1, 0, 4_700 + LEAD + 1, MAIN);
    t.same(released, []);
    t.same(earlyFrees, []);
    t.equal(live.liveBlocks, 1);
  },
);

t.test("given no free time lead, when a free of an address that is not live comes, then nothing is held", async (t) => {
  const { live, released, earlyFrees } = heap(LEAD, 0);
  live.free(K.FREE, 0x1000, 0, 4_700, SWEEPER);
  live.alloc(K.MALLOC, 0x1000, 100, 1, 1, 0, 5_000, MAIN);
  t.same(released, []);
  t.same(earlyFrees, []);
  t.equal(live.liveBlocks, 1);
});

t.test(
  "given a free time lead, when thousands of frees never find their blocks, then those past the lead are dropped",
  async (t) => {
    const { live, released, earlyFrees } = heap(LEAD, LEAD);
    // Frees of blocks allocated before recording started: none of them will be allocated by another thread.
    for (let i = 0; i < 5000; i++) live.free(K.FREE, 0x100000 + i * 16, 0, i * 1_000, SWEEPER);
    t.ok(live.heldFrees < 2048, `only recent frees are held (${live.heldFrees})`);
    live.alloc(K.MALLOC, 0x100000, 8, 1, 1, 0, 5_000_000, MAIN);
    t.same(earlyFrees, [], "a free held longer than the lead is not taken");
    // The last frees are recent: still held.
    live.alloc(K.MALLOC, 0x100000 + 4999 * 16, 8, 2, 1, 0, 4_999_000 + 500, MAIN);
    t.same(earlyFrees, [[2, 4_999_000, SWEEPER]]);
    t.same(released, [[2, 8, 1, false]]);
    live.alloc(K.MALLOC, 0x9000, 8, 3, 1, 0, 4_999_000 + LEAD + 1, MAIN);
    t.equal(live.heldFrees, 0, "once the lead has passed the latest held free, none is held");
  },
);

t.test(
  "given both leads, when one address goes back and forth between two threads with times read early both ways, then each free releases its own block",
  async (t) => {
    const { live, released, lateFrees, earlyFrees } = heap(LEAD, LEAD);
    // The main thread allocates blocks 1-4 at 0x1000 (true times 1,000, 1,200, 1,400, 1,600), each handed to the
    // sweeper and freed 100 ns later. Block 1's and block 4's frees read early, before their allocations; block
    // 3's allocation reads early, before block 2's free. In time order (each thread's own order kept):
    live.free(K.FREE, 0x1000, 0, 950, SWEEPER);
    live.alloc(K.MALLOC, 0x1000, 1, 1, 1, 0, 1_000, MAIN);
    live.alloc(K.MALLOC, 0x1000, 2, 2, 1, 0, 1_200, MAIN);
    live.alloc(K.MALLOC, 0x1000, 3, 3, 1, 0, 1_250, MAIN);
    live.free(K.FREE, 0x1000, 0, 1_300, SWEEPER);
    live.free(K.FREE, 0x1000, 0, 1_500, SWEEPER);
    live.free(K.FREE, 0x1000, 0, 1_580, SWEEPER);
    live.alloc(K.MALLOC, 0x1000, 4, 4, 1, 0, 1_600, MAIN);
    t.same(
      released.map(([key, bytes, , overwritten]) => [key, bytes, overwritten]),
      [
        [1, 1, false],
        [2, 2, false],
        [3, 3, false],
        [4, 4, false],
      ],
    );
    t.same(lateFrees, [2], "block 2's free came after block 3's allocation");
    t.same(
      earlyFrees.map(([key]) => key),
      [1, 4],
      "blocks 1 and 4 had their frees before them",
    );
    t.equal(live.liveBlocks, 0);
    t.equal(live.overwritten, 0);
    t.equal(live.heldFrees, 0);
  },
);

t.test(
  "given addresses a corrupt capture can give (-1, other negatives), when blocks there are freed, then each is released once",
  async (t) => {
    // A fuzzed capture: 0x-1001 (5096 bytes) and 0x-1 (2000 bytes) allocated, 0x-1001 freed. The empty slots of
    // the table once matched the key -1, so the second block "replaced" the first and the free released it again.
    const { live, released } = heap();
    live.alloc(K.MALLOC, -0x1001, 5096, 1, 1);
    live.alloc(K.MALLOC, -1, 2000, 2, 1);
    live.free(K.FREE, -0x1001, 0);
    t.same(released, [[1, 5096, 1, false]]);
    t.equal(live.overwritten, 0);
    live.free(K.FREE, -1, 0);
    t.same(released[1], [2, 2000, 1, false]);
    t.equal(live.liveBlocks, 0);
  },
);
