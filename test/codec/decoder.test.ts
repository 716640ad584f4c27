import t from "tap";
import { decode, decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import { CaptureError } from "../../src/codec/errors";
import { EventKind, newHeader, type Message } from "../../src/codec/model";
import { allocBatch } from "../../src/transforms/order";

function tinyCapture(): Message[] {
  const b = allocBatch(3);
  const rows = [
    [EventKind.MALLOC, 1000, 0x7f0000001000, 64, 1],
    [EventKind.MALLOC, 1100, 0x7f0000002000, 128, 1],
    [EventKind.FREE, 1200, 0x7f0000001000, 0, 0],
  ];
  rows.forEach(([kind, time, address, size, stack], i) => {
    b.kind[i] = kind;
    b.time[i] = time;
    b.address[i] = address;
    b.size[i] = size;
    b.stack[i] = stack;
    b.tid[i] = 7;
    b.count[i] = 1;
  });
  b.length = rows.length;
  return [
    { type: "header", pid: 7, header: newHeader({ argv: ["node", "app.js"], startTimeUnixNs: 1763900000123456789n }) },
    { type: "strings", pid: 7, firstId: 1, values: ["main", "app.js"] },
    {
      type: "functions",
      pid: 7,
      firstId: 1,
      functions: [{ name: 1, file: 2, module: 0, line: 3, column: 1, kind: 1 }],
    },
    {
      type: "frames",
      pid: 7,
      firstId: 1,
      length: 1,
      function: Uint32Array.of(1),
      address: Float64Array.of(0),
      line: Uint32Array.of(7),
      column: Uint32Array.of(0),
    },
    { type: "stacks", pid: 7, firstId: 1, length: 1, parent: Uint32Array.of(0), frame: Uint32Array.of(1) },
    { type: "events", pid: 7, batch: b },
  ];
}

t.test("given a capture split into 1-byte chunks, when decoded, then it equals the whole decode", async (t) => {
  const bytes = encodeAll(tinyCapture());
  const whole = decodeAll(bytes);
  const chunks = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
  const pieces: Message[] = [];
  for await (const m of decode(chunks)) pieces.push(m);
  t.same(pieces, whole);
  t.equal(whole.length, 6);
});

t.test(
  "given a length prefix announcing gigabytes, when decoded, then it fails at once naming the offset",
  async (t) => {
    const header = encodeAll(tinyCapture().slice(0, 1));
    const bogus = Buffer.concat([header, Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08])]);
    const err = t.throws(() => decodeAll(bogus)) as CaptureError;
    t.match(err.describe(), new RegExp(`^byte ${header.length}: a record announces 2147483648 bytes`));
  },
);
