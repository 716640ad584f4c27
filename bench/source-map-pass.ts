// What placing frames by source maps costs the launcher for a capture that has none to place: every Record is
// scanned, by hand, for a JS function of a script with a map (src/record/mapped-records.ts); with one, strings,
// functions and resolutions are decoded and rewritten from there on (src/record/record-rewriter.ts).
//
//   npm run build && node dist/bench/source-map-pass.js [capture]
//
// `capture`: an uncompressed capture (memtrace record --no-source-maps --no-compress -o x.mtrace app.js), mapped
// with the maps of its scripts on this machine, as the launcher maps (each round reads them again); without it,
// a synthetic capture (2 M events, no scripts). The capture is cut into chunks of whole Records of about 256 KiB, as the channels hand
// them on; each round times MappedRecords.rewrite over every chunk, beside a loop that only sums the chunks'
// lengths. 1 + 7 rounds, medians of the 7.
import { encodeAll } from "../src/codec/encoder";
import { readFileSync } from "node:fs";
import { mappedOnThisMachine, mappedWith } from "../src/record/mapped-records";
import { syntheticCapture } from "./lib/synthetic";
import { median } from "./lib/util";
import { lastPos, readVarint } from "../src/codec/wire";

const EVENTS = 2_000_000;
const CHUNK = 256 * 1024;

function chunksOf(bytes: Uint8Array): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  let p = 0;
  while (p < bytes.length) {
    const length = readVarint(bytes, p, bytes.length);
    p = lastPos() + length;
    if (p - start >= CHUNK || p === bytes.length) {
      out.push(Buffer.from(bytes.subarray(start, p)));
      start = p;
    }
  }
  return out;
}

function main(): void {
  const file = process.argv[2];
  const bytes = file ? readFileSync(file) : encodeAll(syntheticCapture(EVENTS));
  const mappedAnew = () =>
    file ? mappedOnThisMachine((w) => console.log(`warning: ${w}`)) : mappedWith({ get: () => undefined });
  const chunks = chunksOf(bytes);
  const pass: number[] = [];
  const plain: number[] = [];
  let first = 0;
  for (let round = 0; round < 8; round++) {
    let start = process.hrtime.bigint();
    let n = 0;
    for (const c of chunks) n += c.length;
    plain.push(Number(process.hrtime.bigint() - start) / 1e6);
    const mapped = mappedAnew();
    start = process.hrtime.bigint();
    for (const c of chunks) n += mapped.rewrite([c]).length;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    // The first round warms the code up.
    if (round === 0) first = ms;
    else pass.push(ms);
    if (n === 0) throw new Error("no bytes");
  }
  const mib = bytes.length / (1 << 20);
  const ms = median(pass);
  console.log(`capture: ${mib.toFixed(1)} MiB in ${chunks.length} chunks (${file ?? `${EVENTS} synthetic events`})`);
  console.log(`chunks as they are: ${median(plain).toFixed(1)} ms`);
  console.log(
    `through MappedRecords: first ${first.toFixed(1)} ms, then ${ms.toFixed(1)} ms (${((mib * 1000) / ms).toFixed(0)} MiB/s)`,
  );
}

main();
