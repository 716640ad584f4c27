// SerialBlocks: fold's live blocks of a paired scope by serial; blocks older than its ring stay findable.
import t from "tap";
import { SerialBlocks } from "../../src/transforms/serial-blocks";

t.test("given blocks that outlive the ring, when taken, then each gives back what was put, once", async (t) => {
  const blocks = new SerialBlocks();
  const n = 400_000; // about three times the ring
  let freedAtOnce = 0;
  for (let s = 0; s < n; s++) {
    blocks.put(s, s % 1000, s * 2, s % 77);
    // Most blocks are freed at once; every 1000th lives on past the ring's reuse of its slot.
    if (s % 1000 !== 0 && blocks.take(s)) freedAtOnce++;
  }
  t.equal(freedAtOnce, n - n / 1000, "blocks freed at once are found in the ring");
  let found = 0;
  for (let s = 0; s < n; s += 1000) {
    if (!blocks.take(s)) continue;
    const { key, tag, site } = blocks.taken;
    if (key === s % 1000 && tag === s * 2 && site === s % 77) found++;
  }
  t.equal(found, n / 1000, "every long-lived block, in the ring or moved out of it, with what was put");
  t.notOk(blocks.take(0), "a block taken is gone");
  t.notOk(blocks.take(n + 5), "a serial never put is not live");
});

t.test("given empty slots, when a negative serial is taken (a corrupt age), then nothing is live there", async (t) => {
  const blocks = new SerialBlocks();
  blocks.put(0, 1, 1, 1);
  t.notOk(blocks.take(-1), "serial -1 does not match an empty slot");
  t.notOk(blocks.take(-131073), "nor does any other negative serial");
  t.ok(blocks.take(0), "the block put is still there");
});
