// Writes a capture's events paired (format version 2), as a recorder that pairs at record time would write them:
// for measuring the paired encoding's size and fold's speed on it before the recorder writes it (docs/pipeline.md).
//
//   npm run build && node dist/bench/pair-capture.js capture.mtrace paired.mtrace [--compress]
import { createReadStream, createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { createDecodeStream } from "../src/codec/decoder";
import { createEncodeStream } from "../src/codec/encoder";
import { pair } from "../src/transforms/pair";

async function main(): Promise<void> {
  const [from, to, flag] = process.argv.slice(2);
  if (!from || !to) throw new Error("usage: pair-capture.js capture.mtrace paired.mtrace [--compress]");
  await pipeline(
    createReadStream(from, { highWaterMark: 256 * 1024 }),
    createDecodeStream(),
    pair({ onApproximate: (pid) => console.error(`process ${pid}: threads merged without a watermark`) }),
    createEncodeStream({ compress: flag === "--compress" }),
    createWriteStream(to),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
