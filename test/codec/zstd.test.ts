// zstd captures: as the recorder writes them (one frame flushed chunk by chunk), as the zstd tool writes them, cut
// short at every byte, and corrupt.
import { spawnSync } from "node:child_process";
import t from "tap";
import { decode, decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import { compressZstdFrame, startsWithZstdMagic } from "../../src/codec/zstd";
import { handComputed, hostileNames, multiProcess } from "../fixtures/captures";
import { collect, decodeWithWarnings, dumpText, refusal } from "../fixtures/inspect";
import { zstdAsRecorded } from "../fixtures/zstd";

const hasZstd = spawnSync("zstd", ["--version"], { timeout: 10_000 }).status === 0;

t.test(
  "given a capture written as the recorder writes zstd, when read, then it decodes as the plain one",
  async (t) => {
    for (const [name, messages] of [
      ["multi", multiProcess().messages],
      ["hostile", hostileNames().messages],
      // Repeated: a flush whose output is many times zstd's output buffer.
      ["multi 400 times", Array.from({ length: 400 }, () => multiProcess().messages).flat()],
    ] as const) {
      const plain = dumpText(decodeAll(encodeAll(messages)));
      const { bytes } = zstdAsRecorded(messages, name === "multi" ? 3 : 5000);
      t.ok(startsWithZstdMagic(bytes), `${name}: a zstd frame`);
      t.equal(dumpText(decodeAll(bytes)), plain, `${name}: the same dump, offsets in the decompressed stream`);
      const ones = Array.from(bytes, (b) => Uint8Array.of(b));
      t.equal(dumpText(await collect(decode(ones))), plain, `${name}: in 1-byte chunks too`);
      const unended = zstdAsRecorded(messages, 3, false).bytes;
      const { messages: got, warnings } = decodeWithWarnings(unended);
      t.equal(dumpText(got), plain, `${name}: a frame never ended (the recorder killed) still holds every flush`);
      t.match(warnings, [{ code: "truncated", message: /the zstd stream ends inside a frame/ }]);
    }
  },
);

t.test(
  "given a zstd capture cut short at any byte of its last frame, when decoded, then it reports the Records of every complete flush and warns",
  async (t) => {
    const { messages } = handComputed();
    const half = messages.length >> 1;
    // Two frames, the second flushed Record by Record as a recorder with a slow app would: many blocks to cut in.
    const first = compressZstdFrame(encodeAll(messages.slice(0, half)));
    const rest = zstdAsRecorded(messages.slice(half), 1);
    const bytes = Buffer.concat([first, rest.bytes]);
    const whole = decodeAll(bytes);
    t.equal(whole.length, messages.length);
    let before = half;
    for (let cut = first.length + 1; cut < bytes.length; cut++) {
      const { messages: got, warnings } = decodeWithWarnings(bytes.subarray(0, cut));
      // Every flush wholly before the cut is read: the Records up to it, at least.
      const flushes = rest.flushedAt.filter((end) => first.length + end <= cut).length;
      if (got.length < half + flushes) t.fail(`cut at ${cut}: ${got.length} Records, fewer than its flushes hold`);
      if (got.length < before) t.fail(`cut at ${cut}: ${got.length} Records, fewer than at the byte before`);
      before = got.length;
      for (let i = 0; i < got.length; i++) {
        if (got[i].type !== whole[i].type || got[i].offset !== whole[i].offset) t.fail(`cut at ${cut}: Record ${i}`);
      }
      const truncated = warnings.filter((w) => w.code === "truncated");
      if (truncated.length !== 1 || !/zstd stream ends inside a frame/.test(truncated[0].message))
        t.fail(`cut at ${cut}: ${truncated.length} warnings that the zstd stream was cut`);
    }
    t.pass(`cut at each of ${bytes.length - first.length - 1} bytes of the second frame`);
  },
);

t.test("given corrupt zstd input, when decoded, then one CaptureError names the compressed byte", async (t) => {
  const { bytes } = zstdAsRecorded(multiProcess().messages, 4);
  // A byte in the middle of a compressed block.
  const flipped = Buffer.from(bytes);
  flipped[Math.floor(bytes.length / 2)] ^= 0x55;
  t.match(refusal(t, flipped), /^byte 0: zstd input: a frame is corrupt \(.*\) in compressed bytes 0 to \d+$/);
  // Something other than zstd after a complete frame.
  const trailing = Buffer.concat([bytes, Buffer.from("not zstd at all")]);
  t.equal(
    refusal(t, trailing),
    `byte 0: zstd input: expected a zstd frame (28 B5 2F FD), found something else in compressed bytes 0 to ${trailing.length}`,
  );
  // The frame's checksum does not match: every block decodes, the end does not.
  const badSum = Buffer.from(bytes);
  badSum[badSum.length - 1] ^= 0xff;
  t.match(refusal(t, badSum), /^byte \d+: zstd input: a frame is corrupt \(.*checksum/i);
  // A frame header that announces a window larger than any capture needs (2^31).
  t.match(
    refusal(t, Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8, 1, 2, 3, 4, 5, 6])),
    /^byte \d+: zstd input: a frame is corrupt \(/,
  );
});

t.test("given zstd input that holds something other than a capture, when decoded, then it is refused", async (t) => {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52];
  t.equal(
    refusal(t, compressZstdFrame(Uint8Array.from(png))),
    "byte 0 of the decompressed stream: not a memtrace capture: this looks like a PNG image",
  );
  t.match(refusal(t, compressZstdFrame(new Uint8Array(0))), /^byte 0 of the decompressed stream: empty input/);
  t.match(refusal(t, Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0])), /^byte 0/);
});

t.test(
  "given a capture compressed by the zstd tool, when read, then it is detected without being told",
  { skip: hasZstd || process.env.CI ? false : "the zstd tool is not installed (Debian: apt-get install zstd)" },
  async (t) => {
    const plain = Buffer.concat([encodeAll(multiProcess(3).messages), encodeAll(hostileNames().messages)]);
    const expected = dumpText(decodeAll(plain));
    // Levels, the long window, no checksum, and frames concatenated (zstd -c a b: one frame each).
    for (const flags of [["-1"], ["-19", "--long=27"], ["--no-check", "-3"], ["--fast=5", "-B4096"]]) {
      const r = spawnSync("zstd", ["-q", "-c", ...flags], { input: plain, timeout: 30_000, maxBuffer: 1 << 26 });
      t.equal(r.status, 0, `zstd ${flags.join(" ")}: ${r.stderr}`);
      t.equal(dumpText(decodeAll(r.stdout)), expected, `zstd ${flags.join(" ")} | memtrace`);
    }
    const two = Buffer.concat([compressZstdFrame(plain.subarray(0, 1000)), compressZstdFrame(plain.subarray(1000))]);
    t.equal(dumpText(decodeAll(two)), expected, "two frames back to back");
    const back = spawnSync("zstd", ["-d", "-q", "-c"], { input: zstdAsRecorded(multiProcess(3).messages, 5).bytes });
    t.equal(back.status, 0, "the zstd tool reads what the recorder writes");
    t.ok(back.stdout.equals(encodeAll(multiProcess(3).messages)), "and gets the Records back byte for byte");
  },
);
