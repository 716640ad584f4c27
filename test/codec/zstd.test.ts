// zstd captures: as the recorder writes them (one frame flushed chunk by chunk), as the zstd tool writes them, cut
// short at every byte, and corrupt; and read without the kernel's zstd (node:zlib's, or a refusal).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { decode, decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import { CaptureError } from "../../src/codec/errors";
import {
  FrameTracker,
  ZstdStreamDecoder,
  ZstdStreamEncoder,
  compressZstdFrame,
  startsWithZstdMagic,
  zstdProblem,
} from "../../src/codec/zstd";
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
      // 1-byte chunks; the long one in 1000-byte chunks (it is there for a flush many times zstd's output buffer).
      const step = name === "multi 400 times" ? 1000 : 1;
      const chunks = Array.from({ length: Math.ceil(bytes.length / step) }, (_, i) =>
        bytes.subarray(i * step, (i + 1) * step),
      );
      t.equal(dumpText(await collect(decode(chunks))), plain, `${name}: in ${step}-byte chunks too`);
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

t.test(
  "given no libzstd and a Node.js without zstd, when a zstd capture is read, then one line says why and what to do",
  async (t) => {
    const { bytes } = zstdAsRecorded(multiProcess().messages, 3);
    process.env.MEMTRACE_NO_ZSTD = "1";
    process.env.MEMTRACE_NO_NODE_ZSTD = "1";
    t.teardown(() => {
      delete process.env.MEMTRACE_NO_ZSTD;
      delete process.env.MEMTRACE_NO_NODE_ZSTD;
    });
    t.equal(zstdProblem(), "MEMTRACE_NO_ZSTD is set");
    t.match(
      refusal(t, bytes),
      /^byte 0: this is a zstd capture, and there is no zstd here to read it: MEMTRACE_NO_ZSTD is set, and Node\.js v[\d.]+ has no zstd of its own \(22\.15 and later have\); install libzstd1 .*, run memtrace on Node\.js 22\.15 or later, or decompress the capture first \(zstd -d\)$/,
    );
    t.throws(() => new ZstdStreamEncoder(), /zstd is not available: MEMTRACE_NO_ZSTD is set/);
    t.equal(decodeAll(encodeAll(multiProcess().messages)).length, multiProcess().messages.length, "plain still reads");
    delete process.env.MEMTRACE_NO_ZSTD;
    t.equal(zstdProblem(), undefined, "without it, the kernel's zstd serves");
  },
);

/** The Node.js lines that have zstd in node:zlib (22.15 and later). */
function nodesWithZstd(): string[] {
  const dir = join(__dirname, "..", "..", "scratch", "node-lines");
  const nodes = existsSync(dir) ? readdirSync(dir).map((d) => join(dir, d, "bin", "node")) : [];
  return nodes.filter(
    (node) =>
      spawnSync(node, ["-p", "typeof require('zlib').createZstdDecompress"], {
        encoding: "utf8",
        timeout: 30_000,
      }).stdout?.trim() === "function",
  );
}

t.test(
  "given a Node.js with zstd of its own, with libzstd and without, when it reads zstd captures whole, cut at any byte or corrupt, then it reads what the kernel reads here",
  async (t) => {
    const nodes = nodesWithZstd();
    if (nodes.length === 0) {
      if (process.env.CI) t.fail("no Node.js line with zstd in node:zlib under scratch/node-lines");
      else
        t.plan(
          0,
          "no Node.js line with zstd in node:zlib under scratch/node-lines (scripts/node-lines.js fetches them)",
        );
      return;
    }
    const { messages } = handComputed();
    const half = messages.length >> 1;
    const cutMe = Buffer.concat([
      compressZstdFrame(encodeAll(messages.slice(0, half))),
      zstdAsRecorded(messages.slice(half), 1).bytes,
    ]);
    const multi = zstdAsRecorded(multiProcess().messages, 4).bytes;
    const flipped = Buffer.from(multi);
    flipped[flipped.length >> 1] ^= 0x55;
    const inputs: Uint8Array[] = [
      multi,
      zstdAsRecorded(Array.from({ length: 200 }, () => multiProcess().messages).flat(), 5000).bytes,
      zstdAsRecorded(multiProcess().messages, 3, false).bytes,
      flipped,
      Buffer.concat([multi, Buffer.from("not zstd at all")]),
      // A skippable frame first: zstd is told by 28 B5 2F FD, so both refuse it as not a capture.
      Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]), multi]),
      Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8, 1, 2, 3, 4, 5, 6]),
      ...Array.from({ length: cutMe.length - 1 }, (_, i) => cutMe.subarray(0, i + 1)),
    ];
    const outcome = (bytes: Uint8Array) => {
      try {
        const { messages: got, warnings } = decodeWithWarnings(bytes);
        return { records: got.length, last: got.at(-1)?.offset, warnings: warnings.map((w) => w.message) };
      } catch (e) {
        return { error: e instanceof CaptureError ? e.describe() : String(e) };
      }
    };
    const expected = inputs.map(outcome);
    const dir = mkdtempSync(join(tmpdir(), "memtrace-zstd-"));
    const file = join(dir, "inputs.json");
    writeFileSync(file, JSON.stringify(inputs.map((b) => Buffer.from(b).toString("base64"))));
    // The child decodes with the built code (dist/), as the kernel's zstd were missing, and prints the outcomes.
    const script = `
      const { decodeAll } = require(${JSON.stringify(join(__dirname, "..", "..", "dist", "src", "codec", "decoder"))});
      const inputs = JSON.parse(require("fs").readFileSync(${JSON.stringify(file)}, "utf8"));
      console.log(JSON.stringify(inputs.map((b64) => {
        const warnings = [];
        try {
          const got = decodeAll(Buffer.from(b64, "base64"), { onWarning: (w) => warnings.push(w.message) });
          return { records: got.length, last: got.at(-1)?.offset, warnings };
        } catch (e) {
          return { error: e.describe ? e.describe() : String(e) };
        }
      })));`;
    // Each line reads with the kernel's zstd (libzstd beside the zstd Node.js exports) and with node:zlib's.
    for (const [node, how, env] of nodes.flatMap(
      (n) =>
        [
          [n, "the kernel's zstd", {}],
          [n, "node:zlib's zstd", { MEMTRACE_NO_ZSTD: "1" }],
        ] as const,
    )) {
      const r = spawnSync(node, ["-e", script], {
        encoding: "utf8",
        timeout: 60_000,
        maxBuffer: 1 << 26,
        env: { ...process.env, NODE_OPTIONS: "", ...env },
      });
      t.equal(r.status, 0, `${node}: ${r.stderr}`);
      const got = JSON.parse(r.stdout) as unknown[];
      t.equal(got.length, inputs.length);
      const differ = got.flatMap((g, i) => (JSON.stringify(g) === JSON.stringify(expected[i]) ? [] : [i]));
      t.same(differ, [], `${node}, ${how}: reads ${inputs.length} inputs as the kernel does here`);
      if (differ.length) t.same(got[differ[0]], expected[differ[0]], `the first that differs (${differ[0]})`);
    }
  },
);

t.test(
  "given zstd streams of every block kind cut at every byte, when node:zlib's fallback follows their frames, then it tells a cut inside a frame as libzstd does",
  async (t) => {
    const bytes = Buffer.concat([
      // A skippable frame, frames of an RLE, a compressed and a raw block, the recorder's flushed frame, and one
      // never ended.
      Buffer.from([0x5f, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 7, 7]),
      // Single segment, content size 10, one last RLE block of "A" (zstd writes RLE blocks only after a first block).
      Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 10, 0x53, 0, 0, 0x41]),
      compressZstdFrame(Buffer.alloc(1000, 0x41)),
      compressZstdFrame(Uint8Array.from({ length: 300 }, (_, i) => (i * 2654435761) >>> 24)),
      zstdAsRecorded(handComputed().messages, 2).bytes,
      zstdAsRecorded(handComputed().messages, 3, false).bytes,
    ]);
    let differ = 0;
    for (let cut = 0; cut <= bytes.length; cut++) {
      const prefix = bytes.subarray(0, cut);
      const decoder = new ZstdStreamDecoder(() => {});
      decoder.write(prefix);
      const libzstd = decoder.end() !== undefined;
      const whole = new FrameTracker();
      whole.take(prefix);
      const byByte = new FrameTracker();
      for (const b of prefix) byByte.take(Uint8Array.of(b));
      if (whole.inFrame !== libzstd || byByte.inFrame !== libzstd) {
        if (differ++ < 3) t.fail(`cut at ${cut}: libzstd ${libzstd}, the tracker ${whole.inFrame}/${byByte.inFrame}`);
      }
    }
    t.equal(differ, 0, `${bytes.length + 1} cuts, the same answer at each`);
  },
);
