// `memtrace fold x | memtrace <report>` must write exactly what `memtrace <report> x` writes: a report folds its
// input first, and fold is idempotent. Checked here in-process for every measure; test/cli/pipes.test.ts checks it
// through a real shell pipe of the built command.
import t from "tap";
import { decode } from "../../src/codec/decoder";
import { encode } from "../../src/codec/encoder";
import type { Message } from "../../src/codec/model";
import { collapsed } from "../../src/sinks/collapsed";
import type { SinkDefinition } from "../../src/sinks/sink";
import { flame } from "../../src/sinks/flame";
import { summary } from "../../src/sinks/summary";
import { foldMessages } from "../../src/transforms/fold";
import { runReport, workedExample } from "./capture";

type AnySink = SinkDefinition<Record<string, unknown>>;
const REPORTS: { sink: AnySink; options: Record<string, unknown> }[] = [
  { sink: flame as AnySink, options: {} },
  { sink: summary as AnySink, options: { color: false } },
  { sink: collapsed as AnySink, options: {} },
];

/** `memtrace fold [--measure]` as bytes. */
async function folded(bytes: Uint8Array, measure?: "peak" | "leaks" | "total"): Promise<Uint8Array> {
  const messages: AsyncIterable<Message> = foldMessages(decode([bytes]), { measure });
  const parts: Uint8Array[] = [];
  for await (const chunk of encode(messages)) parts.push(chunk);
  return Buffer.concat(parts);
}

for (const { sink, options } of REPORTS) {
  for (const measure of [undefined, "peak", "leaks", "total"] as const) {
    t.test(
      `given a capture folded ${measure ?? "by default"}, when ${sink.name} reads it, then it writes what it writes for the raw capture`,
      async (t) => {
        const raw = workedExample();
        const direct = await runReport(sink, raw, options, measure);
        const again = await runReport(sink, await folded(raw, measure), options);
        t.equal(again, direct, "fold | report");
        const same = await runReport(sink, await folded(raw, measure), options, measure);
        t.equal(same, direct, "fold | report with the same measure");
      },
    );
  }
}
