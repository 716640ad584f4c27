// NumberMap against a JS Map: random puts, gets and deletes (deletion shifts entries back, growth rehashes) with
// keys shaped as fold meets them: addresses on a few pages of a few arenas, above 2^32, and small ids.
import t from "tap";
import { NumberMap } from "../../src/transforms/number-map";
import { Prng } from "../fixtures/prng";

function keysLike(rnd: Prng, shape: "addresses" | "ids"): () => number {
  if (shape === "ids") return () => rnd.int(0, 5000);
  // Three arenas far apart, blocks 16-byte aligned within a few hundred pages each.
  const arenas = [0x55d4_2a00_0000, 0x7f3c_1800_0000, 0x7f3c_5800_0000];
  return () => rnd.pick(arenas) + rnd.int(0, 300) * 4096 + rnd.int(0, 255) * 16;
}

for (const pages of [false, true]) {
  for (const shape of ["addresses", "ids"] as const) {
    t.test(
      `given ${shape} in a NumberMap${pages ? " by pages" : ""}, when changed at random, then it agrees with a Map`,
      async (t) => {
        const rnd = new Prng(pages ? 77 : 78);
        const next = keysLike(rnd, shape);
        const map = new NumberMap(16, pages);
        const ref = new Map<number, number>();
        let disagreements = 0;
        for (let op = 0; op < 60_000; op++) {
          const key = next();
          const r = rnd.int(0, 9);
          if (r < 5) {
            const value = rnd.int(0, 1_000_000);
            if (map.put(key, value) !== (ref.get(key) ?? -1)) disagreements++;
            ref.set(key, value);
          } else if (r < 8) {
            if (map.delete(key) !== (ref.get(key) ?? -1)) disagreements++;
            ref.delete(key);
          } else if (map.get(key) !== (ref.get(key) ?? -1)) disagreements++;
          if (map.size !== ref.size) disagreements++;
        }
        t.equal(disagreements, 0);
        t.ok(ref.size > 100, `${ref.size} keys at the end`);
        const seen = new Map<number, number>();
        map.forEach((k, v) => seen.set(k, v));
        t.same(seen, ref, "forEach gives every entry");
      },
    );
  }
}

t.test("given keys a corrupt capture can give (-1, negatives, 0), then they are keys like any other", async (t) => {
  const map = new NumberMap(16, true);
  t.equal(map.get(-1), -1, "absent in an empty map");
  t.equal(map.put(-1, 7), -1, "added, not found in an empty slot");
  t.equal(map.put(-4097, 8), -1);
  t.equal(map.put(0, 9), -1);
  t.equal(map.get(-1), 7);
  t.equal(map.delete(-4097), 8);
  t.equal(map.delete(-1), 7);
  t.equal(map.get(-1), -1);
  t.equal(map.size, 1);
});
