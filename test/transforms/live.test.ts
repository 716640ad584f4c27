// LiveHeap: which allocation each free releases, and how much of it.
import t from "tap";
import { EventKind as K } from "../../src/codec/model";
import { LiveHeap } from "../../src/transforms/live";

/** A LiveHeap that records its releases as [key, bytes, count, overwritten], and the keys of late frees. */
function heap(allocationTimeLeadNs = 0) {
  const released: [number, number, number, boolean][] = [];
  const lateFrees: number[] = [];
  const live = new LiveHeap((key, bytes, count, _tag, overwritten) => released.push([key, bytes, count, overwritten]), {
    allocationTimeLeadNs,
    onLateFree: (key) => lateFrees.push(key),
  });
  return { live, released, lateFrees };
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
