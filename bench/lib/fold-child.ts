// Folds a capture file to nothing and prints "<seconds> <peak RSS bytes>": run by bench/codec.ts in a child
// process so that the RSS is fold's alone.
import { createReadStream } from "node:fs";
import { decode } from "../../src/codec/decoder";
import { foldMessages } from "../../src/transforms/fold";

async function main(): Promise<void> {
  const t0 = process.hrtime.bigint();
  let out = 0;
  for await (const m of foldMessages(decode(createReadStream(process.argv[2], { highWaterMark: 256 * 1024 })))) {
    if (m.type === "folded") out += m.batch.length;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (out === 0) throw new Error("fold produced no rows");
  console.log(`${seconds} ${process.resourceUsage().maxRSS * 1024}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
