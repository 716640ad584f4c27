// The launcher cuts each process's channel into whole Records before merging channels: every split of the
// bytes must give back the same Records, and a channel that is not a capture must be refused.
import t from "tap";
import { encodeAll } from "../../src/codec/encoder";
import { newHeader, type Message } from "../../src/codec/model";
import { ChannelCorrupt, RecordFramer } from "../../src/record/framing";

function records(pid: number): Uint8Array {
  const messages: Message[] = [
    { type: "header", pid, header: newHeader({ argv: ["node", "app.js"] }) },
    { type: "strings", pid, firstId: 1, values: ["a".repeat(300), "b"] },
    { type: "watermark", pid, timeNs: 123456789 },
  ];
  return encodeAll(messages);
}

t.test("given a channel cut at every possible place, the framer gives back exactly the whole Records", async (t) => {
  const bytes = Buffer.from(records(42));
  const wrong: number[] = [];
  for (let cut = 0; cut <= bytes.length; cut++) {
    const framer = new RecordFramer();
    const whole = Buffer.concat([...framer.push(bytes.subarray(0, cut)), ...framer.push(bytes.subarray(cut))]);
    if (!whole.equals(bytes) || framer.pendingBytes !== 0) wrong.push(cut);
  }
  t.same(wrong, [], `every one of ${bytes.length + 1} cuts`);
});

t.test(
  "given a channel fed one byte at a time, only whole Records come out, each as soon as it is complete",
  async (t) => {
    const bytes = Buffer.from(records(7));
    const framer = new RecordFramer();
    const out: Buffer[] = [];
    for (const b of bytes) out.push(...framer.push(Buffer.of(b)));
    t.equal(out.length, 3, "three Records, three outputs");
    t.same(Buffer.concat(out), bytes);
  },
);

t.test("given a process that died mid-Record, the partial Record is held back, never passed on", async (t) => {
  const bytes = Buffer.from(records(9));
  const framer = new RecordFramer();
  const out = Buffer.concat(framer.push(bytes.subarray(0, bytes.length - 5)));
  t.ok(out.length < bytes.length - 5, "the last, incomplete Record is not passed on");
  t.ok(framer.pendingBytes > 0, "it is counted as pending");
});

t.test("given bytes that are not a capture, the framer refuses them", async (t) => {
  const refusal = (bytes: number[]) => {
    try {
      new RecordFramer().push(Buffer.from(bytes));
    } catch (e) {
      return e;
    }
    return undefined;
  };
  t.ok(refusal(Array(12).fill(0xff)) instanceof ChannelCorrupt, "a length prefix longer than 10 bytes");
  t.ok(refusal([0x80, 0x80, 0x80, 0x80, 0x01]) instanceof ChannelCorrupt, "a Record longer than the format allows");
});
