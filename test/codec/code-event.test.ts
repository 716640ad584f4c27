// The hand reader of CodeEvent (src/codec/code-event.ts) is held to the protobuf runtime's reading of the .proto:
// on what writers produce it gives the same values, and on bytes changed at random it either gives the runtime's
// values or leaves the record to the runtime (undefined), never a value the runtime would not give.
import t from "tap";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { plainCodeEvent } from "../../src/codec/code-event";
import * as pb from "../../src/codec/gen/memtrace_pb";
import { decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import type { CodeEvent } from "../../src/codec/model";
import { multiProcess } from "../fixtures/captures";
import { Prng } from "../fixtures/prng";

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
