// Settings.allocation_time_lead_ns: a recorder that reads its clock on allocations without a fence may put a
// block's new allocation a little before another thread's free of the old block at the same address. fold and
// filter must still pair each free with its own block: no false leak, no lost free.
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import type { Message } from "../../src/codec/model";
import { allocatorName } from "../../src/model/allocators";
import { filterMessages } from "../../src/transforms/filter";
import { handOverScene } from "../fixtures/captures";
import { collect, fold, foldedRows } from "../fixtures/inspect";

const LEAD = 100_000;

/** The events of a capture as "time tid allocator". */
function eventsIn(messages: Message[]): string[] {
  return messages.flatMap((m) =>
    m.type === "events"
      ? Array.from(
          { length: m.batch.length },
          (_, i) => `${m.batch.time[i]} ${m.batch.tid[i]} ${allocatorName(m.batch.kind[i])}`,
        )
      : [],
  );
}

/**
 * The main thread allocates a 100-byte block at 0x1000 (stack "first"); the sweeper thread frees it at 5,300,
 * and malloc hands 0x1000 out again to the main thread for 40 bytes (stack "second"), whose time read 300 ns
 * early: 5,000. The second block is never freed.
 */
function capture(allocationTimeLeadNs: number): Message[] {
  const { c, p, main, sweeper, first, second } = handOverScene({ allocationTimeLeadNs, deallocationTimeLeadNs: 0 });
  p.at(1_000);
  main.malloc(0x1000, 100, first);
  p.at(5_000);
  main.malloc(0x1000, 40, second);
  p.at(5_300);
  sweeper.free(0x1000);
  p.at(9_000);
  p.end();
  return decodeAll(c.bytes());
}

t.test(
  "given a capture with an allocation time lead, when folded by leaks, then the block left live is the one leaked",
  async (t) => {
    const { rows, processes } = foldedRows(await fold(capture(LEAD), "leaks"));
    t.same(
      rows.map((r) => [r.stack, r.bytes, r.count]),
      [["main (/app.js:1) > second (/app.js:3)", 40, 1]],
    );
    t.equal(processes[0].overwrittenAllocations, 0);
    t.equal(processes[0].unmatchedDeallocations, 0);
    t.equal(processes[0].leakedBytes, 40);
  },
);

t.test(
  "given the same events without a lead, when folded by leaks, then the sweeper's free takes the new block (why the lead must be declared)",
  async (t) => {
    const { rows, processes } = foldedRows(await fold(capture(0), "leaks"));
    t.same(rows, []);
    t.equal(processes[0].overwrittenAllocations, 1);
  },
);

t.test(
  "given a capture with an allocation time lead, when filtered to the first block's stack, then the sweeper's free is kept with it",
  async (t) => {
    const out = await collect(filterMessages(capture(LEAD), { frames: [/first/] }));
    t.same(eventsIn(out), ["1000 10 malloc", "5300 11 free"]);
    const { processes } = foldedRows(await fold(out, "leaks"));
    t.equal(processes[0].leakedBytes, 0, "and the filtered capture folds to no leak");
  },
);

/**
 * Settings.deallocation_time_lead_ns, the mirror case: the main thread allocates a 100-byte block at 0x1000 at
 * 5,000 (stack "first") and hands it to the sweeper, whose free read 300 ns early: 4,700, before the allocation.
 * A 40-byte block at 0x2000 (stack "second") is never freed.
 */
function earlyFreeCapture(deallocationTimeLeadNs: number): Message[] {
  const { c, p, main, sweeper, first, second } = handOverScene({ allocationTimeLeadNs: LEAD, deallocationTimeLeadNs });
  p.at(4_700);
  sweeper.free(0x1000);
  p.at(5_000);
  main.malloc(0x1000, 100, first);
  p.at(6_000);
  main.malloc(0x2000, 40, second);
  p.at(9_000);
  p.end();
  return decodeAll(c.bytes());
}

t.test(
  "given a capture with a free time lead, when folded by leaks, then a block whose free read before it is not leaked",
  async (t) => {
    const { rows, processes } = foldedRows(await fold(earlyFreeCapture(LEAD), "leaks"));
    t.same(
      rows.map((r) => [r.stack, r.bytes, r.count]),
      [["main (/app.js:1) > second (/app.js:3)", 40, 1]],
    );
    t.equal(processes[0].unmatchedDeallocations, 0, "the early free found its block");
    t.equal(processes[0].leakedBytes, 40);
  },
);

t.test(
  "given the same events without a free lead, when folded by leaks, then the free is unmatched and the block leaks (why the lead must be declared)",
  async (t) => {
    const { processes } = foldedRows(await fold(earlyFreeCapture(0), "leaks"));
    t.equal(processes[0].unmatchedDeallocations, 1);
    t.equal(processes[0].leakedBytes, 140);
  },
);

t.test(
  "given a capture with a free time lead, when filtered to the block whose free read early, then its free follows it",
  async (t) => {
    const out = await collect(filterMessages(earlyFreeCapture(LEAD), { frames: [/first/] }));
    t.same(eventsIn(out), ["5000 10 malloc", "5000 11 free"], "at the block's time, from the thread that freed it");
    const { processes } = foldedRows(await fold(out, "leaks"));
    t.equal(processes[0].leakedBytes, 0, "and the filtered capture folds to no leak");
    t.equal(processes[0].unmatchedDeallocations, 0);
  },
);
