// The exact numbers of a capture small enough to compute by hand: see handComputed() in test/fixtures/captures.ts
// for its timeline. Every expected value here was worked out from that timeline, not read from memtrace's output.
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { handComputed } from "../fixtures/captures";
import { fold, foldedRows, type Row } from "../fixtures/inspect";

const messages = () => decodeAll(handComputed().bytes());

const A = "main (/app/numbers.js:1) > alpha (/app/numbers.js:10)";
const B = "uv_worker > beta";
const C = "main (/app/numbers.js:1) > gamma (/app/numbers.js:30)";
const D = "uv_worker > delta";
const E = "uv_worker > epsilon (/app/numbers.js:50)";
const F = "main (/app/child.js:1) > phi (/app/child.js:2)";
const G = "main (/app/child.js:1) > gamma (/app/numbers.js:30)";

function row(pid: number, tid: number, allocator: string, stack: string, bytes: number, count: number): Row {
  return { pid, tid, allocator, stack, bytes, count };
}

/** Bytes per stack, whatever the thread and allocator. */
function byStack(rows: Row[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.stack] = (out[r.stack] ?? 0) + r.bytes;
  return out;
}

t.test(
  "given the hand-computed capture, when folded by peak, then each process is taken at its own high-water mark",
  async (t) => {
    const { rows, processes } = foldedRows(await fold(messages(), "peak"));
    // Process 10 peaks at t=500 (16884 bytes): A was freed at t=400, the realloc at t=700 has not happened yet.
    // Process 20 peaks at t=200 (3000 bytes): both blocks of F, before G.
    t.same(rows, [
      row(10, 10, "calloc", C, 300, 1),
      row(10, 11, "malloc", B, 200, 1),
      row(10, 11, "mmap", D, 16384, 1),
      row(20, 20, "malloc", F, 3000, 2),
    ]);
    t.same(
      processes.map((p) => [p.pid, p.peakBytes, p.peakTimeNs]),
      [
        [10, 16884, 500],
        [20, 3000, 200],
      ],
    );
  },
);

t.test("given the hand-computed capture, when folded by leaks, then what is live at the end remains", async (t) => {
  const { rows, processes } = foldedRows(await fold(messages(), "leaks"));
  // C's calloc block was moved by realloc (REALLOC_FREE); D lost 4096 of its 16384 bytes to a partial munmap but
  // still counts as one mapping; B was freed by the main thread although the pool thread allocated it.
  t.same(rows, [
    row(10, 10, "realloc", C, 600, 1),
    row(10, 11, "mmap", D, 12288, 1),
    row(20, 20, "malloc", G, 500, 1),
    row(20, 20, "malloc", F, 2000, 1),
  ]);
  t.same(
    processes.map((p) => [p.pid, p.leakedBytes, p.leakedCount]),
    [
      [10, 12888, 2],
      [20, 2500, 2],
    ],
  );
});

t.test("given the hand-computed capture, when folded by total, then every allocation counts once", async (t) => {
  const { rows, processes } = foldedRows(await fold(messages(), "total"));
  t.same(rows, [
    row(10, 10, "calloc", C, 300, 1),
    row(10, 10, "malloc", A, 100, 1),
    row(10, 10, "realloc", C, 600, 1),
    row(10, 11, "js", E, 1024, 3),
    row(10, 11, "malloc", B, 200, 1),
    row(10, 11, "mmap", D, 16384, 1),
    row(20, 20, "malloc", G, 500, 1),
    row(20, 20, "malloc", F, 3000, 2),
  ]);
  t.same(byStack(rows), { [G]: 500, [A]: 100, [C]: 900, [F]: 3000, [B]: 200, [D]: 16384, [E]: 1024 });
  t.same(
    processes.map((p) => ({
      pid: p.pid,
      allocations: p.allocations,
      allocatedBytes: p.allocatedBytes,
      deallocations: p.deallocations,
      unmatched: p.unmatchedDeallocations,
      overwritten: p.overwrittenAllocations,
      end: p.endTimeNs,
    })),
    [
      // 6 allocations (A, B, C, D, C's realloc, E); 6 deallocations (free A, munmap, REALLOC_FREE, free B, the
      // collected sample, and the free of 0xdead, which matches nothing).
      { pid: 10, allocations: 6, allocatedBytes: 18608, deallocations: 6, unmatched: 1, overwritten: 0, end: 1000 },
      { pid: 20, allocations: 3, allocatedBytes: 3500, deallocations: 1, unmatched: 0, overwritten: 0, end: 400 },
    ],
  );
});

t.test(
  "given the hand-computed capture, when folded by any measure, then it is complete and totals agree",
  async (t) => {
    for (const measure of ["peak", "leaks", "total"] as const) {
      const { processes, truncated } = foldedRows(await fold(messages(), measure));
      t.equal(truncated, false, measure);
      t.same(
        processes.map((p) => [p.pid, p.allocatedBytes, p.peakBytes, p.leakedBytes]),
        [
          [10, 18608, 16884, 12888],
          [20, 3500, 3000, 2500],
        ],
        measure,
      );
    }
  },
);

t.test(
  "given the capture without trailers, when folded, then the numbers are the same and it is marked truncated",
  async (t) => {
    const { rows, truncated } = foldedRows(await fold(decodeAll(handComputed({ trailer: false }).bytes()), "leaks"));
    t.equal(truncated, true);
    t.same(byStack(rows), { [G]: 500, [C]: 600, [F]: 2000, [D]: 12288 });
  },
);
