// Every way a capture can be malformed: the decoder fails with a CaptureError whose message says what is wrong
// and names the byte offset where it is (so that a user can look at the bytes), or, for a capture that was only
// cut short, warns and reports what it holds.
import t from "tap";
import { Decoder, decode, decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import { CaptureError } from "../../src/codec/errors";
import { compressFrame, decodeBlockPrefix } from "../../src/codec/lz4";
import { handComputed } from "../fixtures/captures";
import { decodeWithWarnings, refusal } from "../fixtures/inspect";
import { BODY, headerRecord, len, packed, record, scalar, str, tag, varint } from "../fixtures/wire";

const h = headerRecord(5);
/** Offset of a Record's first byte (after its length prefix) when it follows the header. */
const afterHeader = (prefixLength = 1) => h.length + prefixLength;

t.test("given input that is not a capture", async (t) => {
  const cases: [string, number[], string | RegExp][] = [
    ["empty input", [], "byte 0: empty input: no capture to read"],
    [
      "a PNG image",
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52],
      "byte 0: not a memtrace capture: this looks like a PNG image",
    ],
    [
      "a gzip file",
      [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3],
      /^byte 0: not a memtrace capture: this looks like a gzip file/,
    ],
    [
      "an ELF binary",
      [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0],
      "byte 0: not a memtrace capture: this looks like an ELF binary",
    ],
    // zstd is a capture's compression: a frame that holds nothing holds no capture.
    [
      "an empty zstd frame",
      [0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0],
      "byte 0 of the decompressed stream: empty input: no capture to read",
    ],
    ["a JSON file", [...Buffer.from('{"nodes":[]}')], /^byte 0: not a memtrace capture: this looks like a JSON file/],
    [
      "an SVG file",
      [...Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>")],
      "byte 0: not a memtrace capture: this looks like an XML, SVG or HTML file",
    ],
    [
      "collapsed stacks",
      [...Buffer.from("main;alloc 100\n")],
      /^byte 0: not a memtrace capture: this looks like a text file/,
    ],
    [
      "unknown bytes",
      [0xff, 0xff, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06],
      "byte 0: not a memtrace capture: it starts with bytes ff ff 00 01 02 03 04 05, not a memtrace header",
    ],
    [
      "a legacy LZ4 file",
      [0x02, 0x21, 0x4c, 0x18, 0, 0, 0, 0],
      /^byte 0: not a memtrace capture: this looks like a legacy-format LZ4 file/,
    ],
  ];
  for (const [what, bytes, expected] of cases) {
    const got = refusal(t, bytes);
    if (typeof expected === "string") t.equal(got, expected, what);
    else t.match(got, expected, what);
  }
});

t.test("given a capture whose first Record is not a memtrace Header", async (t) => {
  const strings = record(5, BODY.strings, [...scalar(1, 1), ...str(2, "x")]);
  t.equal(refusal(t, strings), "byte 1: not a memtrace capture: the first record is not a memtrace header");
  const other = record(5, BODY.header, [...str(1, "memcheck"), ...scalar(2, 1)]);
  t.equal(refusal(t, other), "byte 1: not a memtrace capture: the first record is not a memtrace header");
});

t.test(
  "given a Header of a newer major version, when decoded, then it says to upgrade, naming both versions",
  async (t) => {
    // Versions 2 to 4 (paired events) are known: fold reads them, other readers refuse them
    // (test/transforms/pair.test.ts).
    const v5 = headerRecord(5, { version: 5 });
    t.equal(
      refusal(t, v5),
      `byte ${v5[0] < 0x80 ? 1 : 2}: capture format version 5 is newer than this memtrace reads (4): upgrade memtrace`,
    );
    const later = [...h, ...headerRecord(6, { version: 9 })];
    t.match(
      refusal(t, later),
      new RegExp(`^byte ${afterHeader(later[h.length] < 0x80 ? 1 : 2)}: capture format version 9 is newer`),
    );
  },
);

t.test("given a second Header naming another format, when decoded, then it fails at that Header", async (t) => {
  const bad = record(6, BODY.header, [...str(1, "memtrace2"), ...scalar(2, 1)]);
  t.equal(refusal(t, [...h, ...bad]), `byte ${afterHeader()}: a header names format "memtrace2", not "memtrace"`);
});

t.test("given a length prefix", async (t) => {
  t.test("announcing 2 GiB, then it fails at once, naming the prefix's offset", async (t) => {
    const gib = [...h, ...varint(2 ** 31), ...Array(16).fill(0)];
    t.equal(
      refusal(t, gib),
      `byte ${h.length}: a record announces 2147483648 bytes, more than the 67108864-byte limit: the capture is corrupt or not a capture`,
    );
  });
  t.test("announcing 64 MiB + 1, then it is refused; 64 MiB is allowed to start", async (t) => {
    t.match(refusal(t, [...h, ...varint(64 * 2 ** 20 + 1)]), /^byte \d+: a record announces 67108865 bytes/);
    const { messages, warnings } = decodeWithWarnings(Uint8Array.from([...h, ...varint(64 * 2 ** 20), 0x08]));
    t.equal(messages.length, 1);
    t.match(warnings[0], { code: "incomplete-record", offset: h.length + 4 });
  });
  t.test("of more than 10 bytes, then it is not a varint", async (t) => {
    t.equal(
      refusal(t, [...h, ...Array(11).fill(0x80), 1]),
      `byte ${h.length}: a record length prefix is not a valid varint`,
    );
  });
  t.test("above a lower limit set by the caller, then the caller's limit applies", async (t) => {
    const bytes = Uint8Array.from([...h, ...record(5, BODY.strings, [...scalar(1, 1), ...str(2, "x".repeat(100))])]);
    t.throws(() => decodeAll(bytes, { maxRecordBytes: 50 }), {
      message: /announces \d+ bytes, more than the 50-byte limit/,
    });
    t.equal(decodeAll(bytes, { maxRecordBytes: 200 }).length, 2);
  });
});

t.test(
  "given a Record whose fields are malformed, when decoded, then the error names the field's offset",
  async (t) => {
    const at = afterHeader();
    // Record = pid 5 (2 bytes), then the body's tag (1 byte) at at+2, its length at at+3.
    t.equal(
      refusal(t, [...h, 4, ...scalar(1, 5), ...tag(BODY.events, 2), 50]),
      `byte ${at + 3}: malformed record: field 7 runs past the end of the record`,
    );
    t.equal(
      refusal(t, [...h, 3, ...scalar(1, 5), 0x80]),
      `byte ${at + 2}: malformed record: a varint runs past the end of its field`,
    );
    t.equal(refusal(t, [...h, 3, ...scalar(1, 5), 0x0b]), `byte ${at + 3}: malformed record: unsupported wire type 3`);
    t.equal(
      refusal(t, [...h, 7, ...scalar(1, 2 ** 32), ...len(3, [])]),
      `byte ${at + 1}: malformed record: pid 4294967296 is out of range`,
    );
  },
);

t.test(
  "given an EventBatch whose columns are malformed, when decoded, then the error names the column's offset",
  async (t) => {
    const at = afterHeader();
    // Record: pid (2 bytes), body tag (1), body length (1): the body starts at at+4.
    const body = at + 4;
    const kinds = packed(3, [1, 1, 64]);
    t.equal(
      refusal(t, [...h, ...record(5, BODY.events, [...kinds, ...packed(6, [8, 16])])]),
      `byte ${body + kinds.length + 2}: malformed record: column size has 2 entries, expected 3 (one per row)`,
    );
    t.equal(
      refusal(t, [...h, ...record(5, BODY.events, [...packed(3, [1, 300])])]),
      `byte ${body + 3}: malformed record: value 300 is out of range (must be below 256)`,
    );
    t.equal(
      refusal(t, [...h, ...record(5, BODY.events, [...len(3, [1, 0x81])])]),
      `byte ${body + 3}: malformed record: column 3 ends inside a varint`,
    );
    t.equal(
      refusal(t, [...h, ...record(5, BODY.events, [...packed(3, [1]), ...packed(4, [2n ** 60n])])]),
      `byte ${body + 5}: malformed record: a value does not fit in 53 bits (memtrace reads addresses, sizes and times up to 2^53)`,
    );
    t.equal(
      refusal(t, [...h, ...record(5, BODY.events, [...scalar(2, 2 ** 53 - 1), ...packed(3, [1]), ...packed(4, [5])])]),
      `byte ${body}: malformed record: event times exceed 2^53 ns`,
    );
    t.equal(
      refusal(t, [...h, ...record(5, BODY.events, [0x00, 0x01])]),
      `byte ${body + 1}: malformed record: field number 0 is not valid`,
    );
    t.equal(
      refusal(t, [...h, ...record(5, BODY.stacks, [...scalar(1, 1), ...packed(2, [0])])]),
      `byte ${body}: malformed record: stack table has no frame column`,
    );
    t.equal(
      refusal(t, [...h, ...record(5, BODY.resolution, [...packed(1, [1])])]),
      `byte ${body}: malformed record: frame resolution has no function column`,
    );
  },
);

t.test(
  "given a Record with a malformed message body, when decoded, then it is a CaptureError at that Record",
  async (t) => {
    const at = afterHeader();
    const cases: [string, number[]][] = [
      ["a string that runs past its body", [...h, ...record(5, BODY.thread, str(2, "abc").slice(0, 3))]],
      ["a string that is not UTF-8", [...h, ...record(5, BODY.thread, len(2, [0xff, 0xfe]))]],
      ["an invalid wire type", [...h, ...record(5, BODY.thread, [0x0f, 1])]],
      ["a group end tag", [...h, ...record(5, BODY.thread, [0x0c])]],
      ["a truncated sub-message", [...h, ...record(5, BODY.header, len(13, [0x08]).slice(0, 2))]],
    ];
    // Record: pid (2 bytes), body tag (1), body length (1): the body starts at at+4.
    for (const [what, bytes] of cases) {
      t.match(refusal(t, bytes), new RegExp(`^byte ${at + 4}: malformed record: invalid (ThreadInfo|Header): `), what);
    }
    t.match(
      refusal(t, [...h, ...record(5, BODY.thread, scalar(5, 2n ** 60n))]),
      new RegExp(`^byte ${at}: malformed record: time 1152921504606846976 does not fit in 53 bits`),
    );
  },
);

t.test(
  "given LZ4 input that is malformed, when decoded, then the error names the offset in the compressed input",
  async (t) => {
    const frame = [...encodeAll(handComputed().messages, { compress: true })];
    const magic = [0x04, 0x22, 0x4d, 0x18];
    t.equal(refusal(t, [...magic, 0x00, 0x40, 0x00]), "byte 4: LZ4 input: unsupported LZ4 frame version 0");
    t.equal(
      refusal(t, [...magic, 0x61, 0x40, 0, 0, 0, 0, 0]),
      "byte 4: LZ4 input: LZ4 frames with a dictionary id are not supported",
    );
    t.equal(refusal(t, [...magic, 0x60, 0x10, 0, 0, 0, 0, 0]), "byte 5: LZ4 input: invalid LZ4 block size code 1");
    // A block that announces 2 GiB in a frame of 4 MiB blocks fails at once, before anything is buffered.
    t.equal(
      refusal(t, [...magic, 0x60, 0x70, 0x73, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3]),
      "byte 7: LZ4 input: block of 2147483647 bytes exceeds the frame's 4194304-byte maximum",
    );
    t.equal(
      refusal(t, [...magic, 0x60, 0x70, 0x73, 4, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]),
      "byte 11: LZ4 input: a compressed block is corrupt",
    );
    t.equal(
      refusal(t, [...frame, 0xde, 0xad, 0xbe, 0xef]),
      `byte ${frame.length}: LZ4 input: expected an LZ4 frame magic (04 22 4D 18), found de ad be ef`,
    );
  },
);

t.test(
  "given LZ4 frames followed by an empty skippable frame, when decoded, then the capture reads whole",
  async (t) => {
    // A skippable frame of 0 bytes at the very end once made the frame reader take bytes that were not there.
    const frame = encodeAll(handComputed().messages, { compress: true });
    const skippable = [0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0];
    const { messages, warnings } = decodeWithWarnings(Uint8Array.from([...frame, ...skippable]));
    t.equal(messages.length, decodeAll(frame).length);
    t.same(warnings, []);
    const cut = decodeWithWarnings(Uint8Array.from([...frame, ...skippable.slice(0, 6)]));
    t.equal(cut.messages.length, messages.length);
    t.match(cut.warnings[0].message, /the LZ4 stream ends inside a frame \(skip-size/);
  },
);

t.test(
  "given an LZ4 capture cut short at any byte, when decoded, then it reports the Records its decodable part holds and warns",
  async (t) => {
    const messages = handComputed().messages;
    const plain = encodeAll(messages);
    // Two frames, so that a cut in the second leaves the first whole.
    const half = messages.length >> 1;
    const first = encodeAll(messages.slice(0, half), { compress: true });
    const bytes = Buffer.concat([first, encodeAll(messages.slice(half), { compress: true })]);
    const whole = decodeAll(plain);
    let before = 0;
    for (let cut = first.length + 1; cut < bytes.length; cut++) {
      const { messages: got, warnings } = decodeWithWarnings(bytes.subarray(0, cut));
      if (got.length < before) t.fail(`cut at ${cut}: ${got.length} Records, fewer than at the byte before`);
      if (got.length < half) t.fail(`cut at ${cut}: the first frame's ${half} Records are not all reported`);
      for (let i = 0; i < got.length; i++) {
        if (got[i].type !== whole[i].type || got[i].offset !== whole[i].offset) t.fail(`cut at ${cut}: Record ${i}`);
      }
      if (!warnings.some((w) => w.code === "truncated" && /LZ4 stream ends inside a frame/.test(w.message)))
        t.fail(`cut at ${cut}: no warning that the LZ4 stream was cut`);
      before = got.length;
    }
    // Only the end mark missing: every Record is there, the trailer too.
    const endless = decodeWithWarnings(bytes.subarray(0, bytes.length - 4));
    t.equal(endless.messages.length, whole.length);
    t.same(
      endless.warnings.map((w) => w.code),
      ["truncated"],
    );
    t.pass(`cut at each of ${bytes.length - first.length - 1} bytes of the second frame`);
  },
);

t.test("given a compressed block cut short, when its start is decoded, then it is a prefix of the block", async (t) => {
  const data = Buffer.from("memtrace ".repeat(50) + "records every allocation, ".repeat(20) + "the end");
  const frame = compressFrame(data);
  // The frame: magic (4), FLG, BD, HC (3), then the block's size word and its bytes.
  const size = frame.readUInt32LE(7);
  t.equal(size & 0x80000000, 0, "the block is compressed");
  const block = frame.subarray(11, 11 + size);
  t.equal(Buffer.from(decodeBlockPrefix(block, undefined, 65536)).toString(), data.toString(), "whole block");
  let previous = 0;
  for (let cut = 0; cut < block.length; cut++) {
    const out = Buffer.from(decodeBlockPrefix(block.subarray(0, cut), undefined, 65536)).toString();
    if (!data.toString().startsWith(out) || out.length < previous) t.fail(`cut at ${cut}`);
    previous = out.length;
  }
  // A match that reaches before the start, with no dictionary, ends the decoding there.
  t.same([...decodeBlockPrefix(Uint8Array.from([0x10, 0x41, 0x05, 0x00]), undefined, 64)], [0x41]);
});

t.test("given LZ4 input that holds something other than a capture, when decoded, then it is refused", async (t) => {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52];
  t.match(
    refusal(t, compressFrame(Uint8Array.from(png))),
    /^byte 0 of the decompressed stream: not a memtrace capture/,
  );
  t.match(refusal(t, compressFrame(Uint8Array.from([]))), /^byte 0 of the decompressed stream: /);
});

t.test(
  "given a capture cut short at any byte, when decoded, then it reports every complete Record and warns",
  async (t) => {
    const messages = handComputed().messages;
    const bytes = encodeAll(messages);
    const whole = decodeAll(bytes);
    // Where each Record ends, its length prefix included.
    const ends: number[] = [];
    for (const m of messages) ends.push((ends.at(-1) ?? 0) + encodeAll([m]).length);
    t.equal(ends.at(-1), bytes.length);
    for (let cut = 1; cut < bytes.length; cut++) {
      if (cut < ends[0]) {
        // Not even the Header is complete: there is nothing to report, and that is an error, not an empty report.
        t.throws(() => decodeAll(bytes.subarray(0, cut)), CaptureError, `cut at ${cut}, inside the first Record`);
        continue;
      }
      const { messages: got, warnings } = decodeWithWarnings(bytes.subarray(0, cut));
      const complete = whole.filter((_, i) => ends[i] <= cut);
      if (got.length !== complete.length) t.fail(`cut at ${cut}: ${got.length} Records, expected ${complete.length}`);
      const atBoundary = ends.includes(cut);
      const incomplete = warnings.filter((w) => w.code === "incomplete-record");
      if (incomplete.length !== (atBoundary ? 0 : 1))
        t.fail(`cut at ${cut}: ${incomplete.length} incomplete-record warnings`);
      if (!warnings.some((w) => w.code === "no-trailer")) t.fail(`cut at ${cut}: no warning of a missing trailer`);
    }
    t.pass(`cut at each of ${bytes.length - 1} bytes`);
  },
);

t.test("given a capture without a trailer, when decoded, then each open process is named in a warning", async (t) => {
  const { messages, warnings } = decodeWithWarnings(handComputed({ trailer: false }).bytes());
  t.ok(messages.length > 0);
  t.same(
    warnings.map((w) => [w.code, w.message.slice(0, 30)]),
    [
      ["no-trailer", "process 10 has no trailer: the"],
      ["no-trailer", "process 20 has no trailer: the"],
    ],
  );
});

t.test(
  "given a length prefix announcing gigabytes in a stream, when decoded, then nothing after it is read",
  async (t) => {
    let pulled = 0;
    function* source() {
      yield Uint8Array.from([...h, ...varint(3 * 2 ** 30)]);
      pulled++;
      yield new Uint8Array(1024);
      pulled++;
    }
    const err = await t.rejects(async () => {
      for await (const _ of decode(source())) void _;
    });
    t.match(String(err), /a record announces 3221225472 bytes/);
    t.equal(pulled, 0, "the chunk after the prefix was never asked for");

    // The push decoder the same: push() throws on the chunk that completes the prefix.
    const d = new Decoder(() => {});
    t.throws(() => d.push(Uint8Array.from([...h, ...varint(3 * 2 ** 30)])), CaptureError);
  },
);

t.test(
  "given a version-4 StackTable with parent distances, when decoded, then parents are absolute, and a distance " +
    "out of range or beside a parent column is refused",
  async (t) => {
    const v4 = headerRecord(5, { version: 4 });
    const stacks = (columns: number[]) => record(5, BODY.stacks, [...scalar(1, 1), ...columns]);
    const frames = packed(3, [1, 2, 3]);
    const good = Uint8Array.from([...v4, ...stacks([...packed(4, [1, 1, 2]), ...frames])]);
    const [header, table] = decodeAll(good, { paired: true });
    t.same(
      table.type === "stacks" && [[...table.parent], table.parentDistance],
      [[0, 1, 1], true],
      "ids 1, 2, 3: parents 0, 1, 1",
    );
    t.ok(Buffer.from(encodeAll([header, table])).equals(good), "encoded back as read");

    const refused = (columns: number[]): string => {
      try {
        decodeAll(Uint8Array.from([...v4, ...stacks([...columns, ...frames])]), { paired: true });
      } catch (e) {
        if (e instanceof CaptureError) return e.describe();
        throw e;
      }
      return "accepted";
    };
    t.match(refused(packed(4, [1, 3, 2])), /stack 2 has parent_distance 3 \(1 to 2\)/);
    t.match(refused([...packed(2, [0, 1, 1]), ...packed(4, [1, 1, 2])]), /both parent and parent_distance/);
  },
);

t.test(
  "given a version-4 SiteTable with stack deltas, when decoded, then stacks are absolute, and a stack below 0 or " +
    "beside a stack column is refused",
  async (t) => {
    const v4 = headerRecord(5, { version: 4 });
    const sites = (columns: number[]) =>
      record(5, BODY.sites, [...scalar(1, 1), ...packed(2, [1, 1, 1]), ...packed(3, [8, 16, 8]), ...columns]);
    const zz = (v: number) => (v < 0 ? -2 * v - 1 : 2 * v);
    const good = Uint8Array.from([...v4, ...sites(packed(6, [7, -2, 5].map(zz)))]);
    const [header, table] = decodeAll(good, { paired: true });
    t.same(
      table.type === "sites" && [[...table.sites.stack], table.sites.stackDelta],
      [[7, 5, 10], true],
      "stacks 7, 5, 10",
    );
    t.ok(Buffer.from(encodeAll([header, table])).equals(good), "encoded back as read");

    const refused = (columns: number[]): string => {
      try {
        decodeAll(Uint8Array.from([...v4, ...sites(columns)]), { paired: true });
      } catch (e) {
        if (e instanceof CaptureError) return e.describe();
        throw e;
      }
      return "accepted";
    };
    t.match(refused(packed(6, [1, -2, 0].map(zz))), /site 2's stack_delta gives stack -1/);
    t.match(refused([...packed(4, [7, 5, 10]), ...packed(6, [7, -2, 5].map(zz))]), /both stack and stack_delta/);
  },
);
