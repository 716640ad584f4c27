// The long fuzz run: random bytes, random Records and mutations of valid captures (plain and LZ4, whole and cut)
// through everything that reads a capture, printing cases per second. Any error other than a CaptureError is a
// bug: the input is saved so that it can be replayed (`memtrace fold --leaks <file>` shows the same failure).
//
//   npm run fuzz -- [seconds, default 60] [seed, default from the clock]
//   npm run fuzz -- --cases 10000000 [--seed N] [--jobs 2]
//
// With --cases it runs until that many cases are done, in --jobs processes (seeds N, N+1, ...), and prints the sum.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mutate, randomRecords, readEverywhere, seeds } from "../test/fixtures/fuzz";
import { Prng } from "../test/fixtures/prng";

interface Counts {
  accepted: number;
  refused: number;
  bugs: number;
}

interface Plan {
  seconds: number;
  cases: number;
  seed: number;
  jobs: number;
}

function plan(argv: string[]): Plan {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const positional = argv.filter((a, i) => !a.startsWith("--") && !argv[i - 1]?.startsWith("--"));
  const cases = flag("--cases") ?? Infinity;
  return {
    seconds: cases !== Infinity ? Infinity : Number(positional[0] ?? 60),
    cases,
    seed: flag("--seed") ?? Number(positional[1] ?? Date.now() % 2 ** 32),
    jobs: flag("--jobs") ?? 1,
  };
}

/** One process's run; prints progress, and a last line "counts <json>" for a parent to add up. */
function run(p: Plan): Counts {
  const rnd = new Prng(p.seed);
  const valid = seeds();
  const counts: Counts = { accepted: 0, refused: 0, bugs: 0 };
  const start = Date.now();
  let lastReport = start;
  let cases = 0;
  console.log(`fuzz: seed ${p.seed}, ${p.cases === Infinity ? `${p.seconds} s` : `${p.cases} cases`}`);
  while (cases < p.cases && Date.now() - start < p.seconds * 1000) {
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
      const file = join(tmpdir(), `memtrace-fuzz-${p.seed}-${cases}.mtrace`);
      writeFileSync(file, bytes);
      console.log(`BUG (${how}), saved as ${file}:\n  ${(e as Error).stack?.split("\n").slice(0, 4).join("\n  ")}`);
    }
    const now = Date.now();
    if (now - lastReport >= 30000) {
      lastReport = now;
      console.log(`${cases} cases, ${Math.round((cases * 1000) / (now - start))} cases/s, ${JSON.stringify(counts)}`);
    }
  }
  const elapsed = (Date.now() - start) / 1000;
  console.log(
    `done: ${cases} cases in ${elapsed.toFixed(1)} s (${Math.round(cases / elapsed)} cases/s), ${JSON.stringify(counts)}`,
  );
  console.log(`counts ${JSON.stringify(counts)}`);
  return counts;
}

/** Runs `jobs` children of this script, each with its share of the cases and a seed of its own. */
async function runJobs(p: Plan): Promise<Counts> {
  // npm run fuzz runs under ts-node (the one tap brings): the children do too.
  const bin = join(__dirname, "..", "node_modules", ".bin", "ts-node");
  const total: Counts = { accepted: 0, refused: 0, bugs: 0 };
  const start = Date.now();
  await Promise.all(
    Array.from({ length: p.jobs }, (_, j) => {
      const share = Math.floor(p.cases / p.jobs) + (j < p.cases % p.jobs ? 1 : 0);
      const args = [bin, "--transpile-only", __filename, "--cases", String(share), "--seed", String(p.seed + j)];
      const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
      let tail = "";
      child.stdout.on("data", (chunk: Buffer) => {
        const text = chunk.toString();
        tail = (tail + text).slice(-4096);
        process.stdout.write(text.replace(/^(?!$)/gm, `[job ${j}] `));
      });
      return new Promise<void>((resolve) =>
        child.on("close", () => {
          const line = /counts (\{.*\})/.exec(tail);
          const c = line ? (JSON.parse(line[1]) as Counts) : { accepted: 0, refused: 0, bugs: 1 };
          total.accepted += c.accepted;
          total.refused += c.refused;
          total.bugs += c.bugs;
          resolve();
        }),
      );
    }),
  );
  const cases = total.accepted + total.refused + total.bugs;
  const elapsed = (Date.now() - start) / 1000;
  console.log(
    `all jobs: ${cases} cases in ${elapsed.toFixed(0)} s, seeds ${p.seed}..${p.seed + p.jobs - 1}, ${JSON.stringify(total)}`,
  );
  return total;
}

async function main(): Promise<number> {
  const p = plan(process.argv.slice(2));
  const counts = p.jobs > 1 ? await runJobs(p) : run(p);
  return counts.bugs > 0 ? 1 : 0;
}

main().then((status) => (process.exitCode = status));
