// Fuzzing in CI: a few thousand random inputs with a fixed seed, so that a failure is the same on every run and
// can be replayed. The longer run is `npm run fuzz` (scripts/fuzz.ts), with a seed of its own.
import t from "tap";
import { Prng } from "../fixtures/prng";
import { mutate, randomRecords, readEverywhere, seeds } from "../fixtures/fuzz";

t.test("given random bytes, when read by every command, then they are refused with a CaptureError", async (t) => {
  const rnd = new Prng(0xc0ffee);
  const bugs: string[] = [];
  const outcomes = { accepted: 0, refused: 0 };
  for (let i = 0; i < 1500; i++) {
    const bytes = rnd.bytes(rnd.skewed(0, 2048));
    try {
      outcomes[readEverywhere(bytes)]++;
    } catch (e) {
      bugs.push(`case ${i} (${bytes.length} bytes): ${(e as Error).stack?.split("\n").slice(0, 3).join(" | ")}`);
    }
  }
  t.same(bugs, [], "no error other than CaptureError");
  t.ok(outcomes.refused > 1400, `refused ${outcomes.refused} of 1500`);
});

t.test(
  "given mutations of valid captures, when read by every command, then each is accepted or refused cleanly",
  async (t) => {
    const rnd = new Prng(20261123);
    const bugs: string[] = [];
    for (const seed of seeds()) {
      const outcomes = { accepted: 0, refused: 0 };
      const cases = seed.bytes.length > 10_000 ? 60 : 500;
      for (let i = 0; i < cases; i++) {
        const { bytes, how } = mutate(rnd, seed.bytes);
        try {
          outcomes[readEverywhere(bytes)]++;
        } catch (e) {
          bugs.push(`${seed.name}, ${how}: ${(e as Error).stack?.split("\n").slice(0, 3).join(" | ")}`);
        }
      }
      t.ok(outcomes.accepted > 0 && outcomes.refused > 0, `${seed.name}: ${JSON.stringify(outcomes)}`);
    }
    t.same(bugs, [], "no error other than CaptureError");
  },
);

t.test(
  "given a Header then random Records, when read by every command, then each is accepted or refused cleanly",
  async (t) => {
    const rnd = new Prng(4242);
    const bugs: string[] = [];
    const outcomes = { accepted: 0, refused: 0 };
    for (let i = 0; i < 2000; i++) {
      const bytes = randomRecords(rnd);
      try {
        outcomes[readEverywhere(bytes)]++;
      } catch (e) {
        bugs.push(
          `case ${i} (${Buffer.from(bytes).toString("hex")}): ${(e as Error).stack?.split("\n").slice(0, 3).join(" | ")}`,
        );
      }
    }
    t.same(bugs, [], "no error other than CaptureError");
    t.ok(outcomes.accepted > 0 && outcomes.refused > 0, JSON.stringify(outcomes));
  },
);
