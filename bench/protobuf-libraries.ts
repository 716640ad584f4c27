// Which protobuf library decodes memtrace's hot path fastest: event batches (packed 64-bit varint columns).
//
//   npm run build && node dist/bench/protobuf-libraries.js
//
// Compares, on the same Records (16 Ki events each, from the synthetic capture): @bufbuild/protobuf's generated
// schema (fromBinary), protobufjs loading proto/memtrace.proto at run time (its reflection compiles a decoder, as
// fast as its static code), and memtrace's own columnar decoder (src/codec/records.ts) into typed arrays.
// Runs alternate, 7 rounds; medians are printed.
import { fromBinary } from "@bufbuild/protobuf";
import { join } from "node:path";
import * as protobufjs from "protobufjs";
import { encodeAll } from "../src/codec/encoder";
import { RecordSchema } from "../src/codec/gen/memtrace_pb";
import { decodeRecord } from "../src/codec/records";
import { syntheticCapture } from "./lib/synthetic";
import { median } from "./lib/util";

const EVENTS = 2_000_000;

/** The Records (without length prefixes) of a synthetic capture's event batches. */
function eventRecords(): { records: Uint8Array[]; events: number } {
  const records: Uint8Array[] = [];
  let events = 0;
  for (const m of syntheticCapture(EVENTS)) {
    if (m.type !== "events") continue;
    events += m.batch.length;
    const framed = encodeAll([m]);
    // Strip the varint length prefix.
    let p = 0;
    while (framed[p] & 0x80) p++;
    records.push(framed.subarray(p + 1));
  }
  return { records, events };
}

function main(): void {
  const { records, events } = eventRecords();
  const root = protobufjs.loadSync(join(__dirname, "..", "..", "proto", "memtrace.proto"));
  const PbjsRecord = root.lookupType("memtrace.v1.Record");
  const candidates: [string, (r: Uint8Array) => unknown][] = [
    ["@bufbuild/protobuf fromBinary", (r) => fromBinary(RecordSchema, r)],
    ["protobufjs (reflection)", (r) => PbjsRecord.decode(r)],
    ["memtrace columnar decoder", (r) => decodeRecord(r, 0, r.length)],
  ];
  const times = new Map<string, number[]>(candidates.map(([name]) => [name, []]));
  for (let round = 0; round < 8; round++) {
    for (const [name, fn] of candidates) {
      const t0 = process.hrtime.bigint();
      for (const r of records) fn(r);
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (round > 0) times.get(name)!.push(s); // round 0 warms the JIT
    }
  }
  console.log(`${events} events in ${records.length} event batches, node ${process.version}`);
  for (const [name] of candidates) {
    const s = median(times.get(name)!);
    console.log(`${name.padEnd(32)} ${(events / s / 1e6).toFixed(2).padStart(6)} M events/s`);
  }
}

main();
