// The long fuzz run: random bytes, random Records and mutations of valid captures through everything that reads
// a capture, for a while, printing cases per second. Any error other than a CaptureError is a bug: the input is
// saved so that it can be replayed (`memtrace fold --leaks <file>` shows the same failure).
//
//   npm run fuzz -- [seconds, default 60] [seed, default from the clock]
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mutate, randomRecords, readEverywhere, seeds } from "../test/fixtures/fuzz";
import { Prng } from "../test/fixtures/prng";

const seconds = Number(process.argv[2] ?? 60);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 32);

function main(): number {
  const rnd = new Prng(seed);
  const valid = seeds();
  const counts = { accepted: 0, refused: 0, bugs: 0 };
  const start = Date.now();
  let lastReport = start;
  let cases = 0;
  console.log(`fuzz: seed ${seed}, ${seconds} s`);
  while (Date.now() - start < seconds * 1000) {
    let bytes: Uint8Array;
    let how: string;
    const form = rnd.int(0, 9);
    if (form === 0) {
      bytes = rnd.bytes(rnd.skewed(0, 4096));
      how = "random bytes";
    } else if (form <= 3) {
      bytes = randomRecords(rnd);
      how = "random records";
    } else {
      const base = rnd.pick(valid);
      let m = mutate(rnd, base.bytes);
      // Mutations stack up now and then: one change rarely gets past every check.
      for (let k = rnd.int(0, 2); k > 0; k--) m = mutate(rnd, m.bytes);
      bytes = m.bytes;
      how = `${base.name}: ${m.how}`;
    }
    cases++;
    try {
      counts[readEverywhere(bytes)]++;
    } catch (e) {
      counts.bugs++;
      const file = join(tmpdir(), `memtrace-fuzz-${seed}-${cases}.mtrace`);
      writeFileSync(file, bytes);
      console.log(`BUG (${how}), saved as ${file}:\n  ${(e as Error).stack?.split("\n").slice(0, 4).join("\n  ")}`);
    }
    const now = Date.now();
    if (now - lastReport >= 5000) {
      lastReport = now;
      console.log(`${cases} cases, ${Math.round((cases * 1000) / (now - start))} cases/s, ${JSON.stringify(counts)}`);
    }
  }
  const elapsed = (Date.now() - start) / 1000;
  console.log(
    `done: ${cases} cases in ${elapsed.toFixed(1)} s (${Math.round(cases / elapsed)} cases/s), ${JSON.stringify(counts)}`,
  );
  return counts.bugs > 0 ? 1 : 0;
}

process.exitCode = main();
