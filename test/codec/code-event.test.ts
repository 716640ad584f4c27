// The hand reader of CodeEvent (src/codec/code-event.ts) is held to the protobuf runtime's reading of the .proto:
// on what writers produce it gives the same values, and on bytes changed at random it either gives the runtime's
// values or leaves the record to the runtime (undefined), never a value the runtime would not give.
import t from "tap";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { plainCodeEvent } from "../../src/codec/code-event";
import * as pb from "../../src/codec/gen/memtrace_pb";
import { decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import { newHeader, type CodeEvent, type Message } from "../../src/codec/model";
import { multiProcess } from "../fixtures/captures";
import { Prng } from "../fixtures/prng";
import { lastPos, readVarint } from "../../src/codec/wire";

/** The runtime's reading, as records.ts maps it; undefined where it refuses the bytes or a value past 2^53. */
function byRuntime(bytes: Uint8Array): CodeEvent | undefined {
  let e;
  try {
    e = fromBinary(pb.CodeEventSchema, bytes, { readUnknownFields: false });
  } catch {
    return undefined;
  }
  const n = (v: bigint) => (v > BigInt(Number.MAX_SAFE_INTEGER) ? NaN : Number(v));
  const out = { kind: e.kind, timeNs: n(e.timeNs), start: n(e.start), size: n(e.size), newStart: n(e.newStart) };
  return Object.values(out).some(Number.isNaN) ? undefined : { ...out, function: e.function };
}

const header = (pid: number): Message => ({ type: "header", pid, header: newHeader({ writer: "test" }) });

function randomEvent(rnd: Prng): Uint8Array {
  const big = () =>
    BigInt(rnd.chance(0.5) ? rnd.int(0, 1_000_000) : rnd.int(0, 2 ** 31) * 2 ** 22 + rnd.int(0, 2 ** 22 - 1));
  return toBinary(
    pb.CodeEventSchema,
    create(pb.CodeEventSchema, {
      kind: rnd.int(0, 4),
      timeNs: big(),
      start: rnd.chance(0.8) ? big() : 0n,
      size: rnd.chance(0.8) ? big() : 0n,
      newStart: rnd.chance(0.3) ? big() : 0n,
      function: rnd.chance(0.5) ? rnd.int(0, 2 ** 32 - 1) : 0,
    }),
  );
}

t.test(
  "given CodeEvents as the runtime writes them, then the hand reader reads each as the runtime does",
  async (t) => {
    const rnd = new Prng(11);
    let same = 0;
    for (let i = 0; i < 2_000; i++) {
      const bytes = randomEvent(rnd);
      const plain = plainCodeEvent(bytes, 0, bytes.length);
      if (plain === undefined) t.fail(`event ${i} was left to the runtime`);
      else if (JSON.stringify(plain) === JSON.stringify(byRuntime(bytes))) same++;
    }
    t.equal(same, 2_000, "every one the same");
  },
);

t.test(
  "given CodeEvents with bytes changed, cut or added at random, then the hand reader gives the runtime's values or none",
  async (t) => {
    const rnd = new Prng(12);
    let read = 0;
    let left = 0;
    for (let i = 0; i < 5_000; i++) {
      const good = randomEvent(rnd);
      const bytes = new Uint8Array(good.length + rnd.int(0, 3));
      bytes.set(good);
      for (let k = good.length; k < bytes.length; k++) bytes[k] = rnd.int(0, 255);
      for (let k = rnd.int(1, 3); k > 0 && bytes.length > 0; k--) bytes[rnd.int(0, bytes.length - 1)] = rnd.int(0, 255);
      const cut = bytes.subarray(0, rnd.chance(0.2) ? rnd.int(0, bytes.length) : bytes.length);
      const plain = plainCodeEvent(cut, 0, cut.length);
      if (plain === undefined) {
        left++;
        continue;
      }
      read++;
      const runtime = byRuntime(cut);
      if (JSON.stringify(plain) !== JSON.stringify(runtime)) {
        t.fail(
          `bytes ${Buffer.from(cut).toString("hex")}: ${JSON.stringify(plain)}, runtime ${JSON.stringify(runtime)}`,
        );
        return;
      }
    }
    t.ok(read > 200 && left > 1_000, `${read} read by hand as the runtime reads them, ${left} left to the runtime`);
  },
);

t.test("given a capture's code events through the record decoder, then they read back as written", async (t) => {
  const messages = decodeAll(multiProcess().bytes());
  const code = messages.filter((m) => m.type === "code");
  t.ok(code.length > 0, "the fixture has code events");
  t.same(
    decodeAll(encodeAll(messages)).filter((m) => m.type === "code"),
    code,
  );
});

t.test(
  "given code events in a CodeEventBatch (each kind, code moved down and up, times out of order), when encoded and " +
    "decoded, then every row reads back as written, and the runtime reads the documented deltas",
  async (t) => {
    const rnd = new Prng(13);
    const events: CodeEvent[] = [];
    let at = 0x3a0c00040000;
    for (let i = 0; i < 500; i++) {
      const kind = rnd.int(1, 3) as CodeEvent["kind"];
      const size = rnd.int(0, 4096);
      at += rnd.chance(0.8) ? rnd.int(0, 64) : -rnd.int(0, 2 ** 20);
      events.push({
        kind,
        timeNs: 1_000_000 + i * 1000 + (rnd.chance(0.1) ? -rnd.int(0, 5000) : rnd.int(0, 500)),
        start: at,
        size,
        newStart: kind === 2 ? at + (rnd.chance(0.5) ? 1 : -1) * rnd.int(1, 2 ** 24) : 0,
        function: kind === 1 ? rnd.int(1, 2 ** 32 - 1) : 0,
      });
      at += size;
    }
    const batch: Message = { type: "codeEvents", pid: 7, events };
    const [back] = decodeAll(encodeAll([header(7), batch])).slice(1);
    t.same(back.type === "codeEvents" && [back.pid, back.events], [7, events]);

    const framed = encodeAll([batch]);
    readVarint(framed, 0, framed.length);
    const wire = fromBinary(pb.RecordSchema, framed.subarray(lastPos()));
    t.equal(wire.body.case, "codeEvents");
    const b = wire.body.value as pb.CodeEventBatch;
    t.equal(Number(b.timeNs), events[0].timeNs, "time_ns is the first row's time");
    t.equal(Number(b.timeDelta[1]), events[1].timeNs - events[0].timeNs, "time_delta from the row before");
    t.equal(Number(b.startDelta[1]), events[1].start - events[0].start - events[0].size, "start from the end before");
    const firstAdded = events.findIndex((e) => e.function !== 0);
    t.equal(Number(b.functionDelta[firstAdded]), events[firstAdded].function, "the first function from 0");
  },
);

t.test("given an empty CodeEventBatch, then it reads as no code events", async (t) => {
  const [back] = decodeAll(encodeAll([header(7), { type: "codeEvents", pid: 7, events: [] }])).slice(1);
  t.same(back.type === "codeEvents" && back.events, []);
});

t.test("given a CodeEventBatch whose start counts below 0, then it is refused as bad input", async (t) => {
  const w = create(pb.CodeEventBatchSchema, { kind: [1], startDelta: [-5n], size: [3n] });
  const record = toBinary(pb.RecordSchema, create(pb.RecordSchema, { pid: 7, body: { case: "codeEvents", value: w } }));
  const framed = Buffer.concat([encodeAll([header(7)]), Buffer.from([record.length]), record]);
  t.throws(() => decodeAll(framed), /code event 0 counts below 0/);
});
