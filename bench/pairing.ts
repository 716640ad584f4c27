// Pairing alone (LiveHeap, as fold pairs), on one capture's events ordered as fold orders them: ns per event, and
// the most blocks live at once (the size of the table every event probes). Five runs, median.
//
//   npm run build && node dist/bench/pairing.js CAPTURE
//
// See docs/pipeline.md ("A native pairing kernel, measured"): this is the part of fold a C++ kernel would take.
import { readFileSync } from "node:fs";
import { decodeAll } from "../src/codec/decoder";
import { emptySettings, isAllocation, isDeallocation, type EventBatch, type Settings } from "../src/codec/model";
import { LiveHeap } from "../src/transforms/live";
import { EventOrderer } from "../src/transforms/order";
import { median } from "./lib/util";

const batches: EventBatch[] = [];
let settings: Settings = emptySettings();
const orderer = new EventOrderer((m) => {
  if (m.type === "header") settings = m.header.settings;
  if (m.type === "events") batches.push(m.batch);
});
for (const m of decodeAll(readFileSync(process.argv[2]))) orderer.push(m);
orderer.end();
const events = batches.reduce((sum, b) => sum + b.length, 0);

const perEvent: number[] = [];
let mostLive = 0;
for (let run = 0; run < 5; run++) {
  let released = 0;
  const heap = new LiveHeap((_key, bytes) => (released += bytes), settings);
  const start = process.hrtime.bigint();
  for (const b of batches) {
    for (let i = 0; i < b.length; i++) {
      const kind = b.kind[i];
      if (isAllocation(kind)) heap.alloc(kind, b.address[i], b.size[i], 0, b.count[i], i, b.time[i], b.tid[i]);
      else if (isDeallocation(kind)) heap.free(kind, b.address[i], b.size[i], b.time[i], b.tid[i]);
    }
    if (run === 0) mostLive = Math.max(mostLive, heap.liveBlocks);
  }
  perEvent.push(Number(process.hrtime.bigint() - start) / events);
}
console.log(`${(events / 1e6).toFixed(2)} M events, at most ${mostLive} blocks live (sampled after each batch)`);
console.log(
  `pairing: ${median(perEvent).toFixed(1)} ns/event (median of 5; runs ${perEvent.map((x) => x.toFixed(1)).join(", ")})`,
);
