// Round trips of every fixture through the codec: encode, decode, dump, encode again; the same capture fed in
// 1-byte, 2-byte and uneven chunks, compressed, and concatenated with another.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import t from "tap";
import { createDecodeStream, decode, decodeAll } from "../../src/codec/decoder";
import { createEncodeStream, encode, encodeAll } from "../../src/codec/encoder";
import type { Message } from "../../src/codec/model";
import { appEnded, deepRecursion, handComputed, hostileNames, multiProcess } from "../fixtures/captures";
import { collect, dumpText } from "../fixtures/inspect";
import { Prng } from "../fixtures/prng";

const FIXTURES: [string, () => Message[]][] = [
  ["multi", () => multiProcess().messages],
  ["deep", () => deepRecursion().messages],
  ["hostile", () => hostileNames().messages],
  ["numbers", () => handComputed().messages],
  ["app-ended", () => appEnded().messages],
];

function chunked(bytes: Uint8Array, sizes: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const n = Math.max(1, sizes());
    out.push(bytes.slice(at, at + n));
    at += n;
  }
  return out;
}

/** Messages without their stream offsets, which depend on where a Record sits. */
function withoutOffsets(messages: Message[]): Message[] {
  return messages.map(({ offset: _offset, ...m }) => m as Message);
}

for (const [name, make] of FIXTURES) {
  t.test(`given the ${name} capture, when encoded, decoded, dumped and encoded again, then nothing changes`, (t) => {
    const messages = make();
    const bytes = encodeAll(messages);
    const decoded = decodeAll(bytes);
    t.equal(decoded.length, messages.length, "one Message per Record");
    const text = dumpText(decoded);
    t.equal(
      dumpText(messages),
      text.replace(/^@\d+ /gm, ""),
      "the dump of what was written is the dump of what was read",
    );
    const again = encodeAll(decoded);
    t.ok(Buffer.from(again).equals(Buffer.from(bytes)), "encoding the decoded Messages gives the same bytes");
    t.equal(dumpText(decodeAll(again)), text, "and the same dump");
    t.end();
  });

  t.test(
    `given the ${name} capture, when fed in 1-byte, 2-byte and uneven chunks, then it decodes the same`,
    async (t) => {
      const bytes = encodeAll(make());
      const whole = dumpText(decodeAll(bytes));
      const rnd = new Prng(7);
      for (const [label, size] of [
        ["1-byte", () => 1],
        ["2-byte", () => 2],
        ["3-byte", () => 3],
        ["uneven", () => rnd.int(1, 300)],
      ] as const) {
        t.equal(dumpText(await collect(decode(chunked(bytes, size)))), whole, `${label} chunks`);
      }
    },
  );

  t.test(`given the ${name} capture, when compressed with LZ4, then it is detected and decodes the same`, async (t) => {
    const messages = make();
    const plain = dumpText(decodeAll(encodeAll(messages)));
    const compressed = encodeAll(messages, { compress: true });
    t.same([...compressed.subarray(0, 4)], [0x04, 0x22, 0x4d, 0x18], "an LZ4 frame");
    t.equal(dumpText(decodeAll(compressed)), plain, "the dump names offsets in the decompressed stream");
    t.equal(dumpText(await collect(decode(chunked(compressed, () => 1)))), plain, "in 1-byte chunks too");
    // The streaming encoder writes one frame per chunk it flushes: several frames in a row.
    const streamed: Uint8Array[] = [];
    await pipeline(Readable.from(messages, { objectMode: true }), createEncodeStream({ compress: true }), async (s) => {
      for await (const c of s as AsyncIterable<Uint8Array>) streamed.push(c);
    });
    t.equal(dumpText(decodeAll(Buffer.concat(streamed))), plain, "the streaming encoder's frames");
  });
}

t.test(
  "given the encode and decode streams, when a capture goes through both, then the bytes are the same",
  async (t) => {
    const bytes = encodeAll(multiProcess().messages);
    const out: Buffer[] = [];
    await pipeline(
      Readable.from(chunked(bytes, () => 1000)),
      createDecodeStream(),
      createEncodeStream(),
      async (s: AsyncIterable<Buffer>) => {
        for await (const c of s) out.push(c);
      },
    );
    t.ok(Buffer.concat(out).equals(Buffer.from(bytes)));
    const generated: Uint8Array[] = [];
    for await (const c of encode(multiProcess().messages)) generated.push(c);
    t.ok(Buffer.concat(generated).equals(Buffer.from(bytes)), "the async generator encoder agrees");
  },
);

t.test("given two captures concatenated, when decoded, then they are the Records of both in turn", (t) => {
  const a = encodeAll(handComputed().messages);
  const b = encodeAll(hostileNames().messages);
  const both = decodeAll(Buffer.concat([a, b]));
  const first = decodeAll(a);
  const second = decodeAll(b);
  t.same(withoutOffsets(both), withoutOffsets([...first, ...second]));
  t.equal(both[first.length].offset, a.length + (second[0].offset ?? 0), "offsets run on across the join");
  t.end();
});

t.test(
  "given a capture concatenated with itself, when decoded, then the second Header starts its scopes again",
  (t) => {
    const a = encodeAll(handComputed().messages);
    const warnings: string[] = [];
    const both = decodeAll(Buffer.concat([a, a]), { onWarning: (w) => warnings.push(w.message) });
    t.equal(both.length, 2 * decodeAll(a).length);
    t.same(warnings, [], "every process has its trailer in both halves");
    t.end();
  },
);
