// pair (versions 3 and 2, paired events): fold of a paired capture equals fold of the capture it was paired from, for
// every measure, through the wire; readers that do not fold refuse it in one line; a corrupt pairing is an error, not a
// wrong figure. fold of paired batches runs in the native kernel (native/kernel/) or in TypeScript, with the same
// output and the same errors.
import t from "tap";
import { createDecodeStream, decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import { CaptureError } from "../../src/codec/errors";
import {
  EventKind,
  FREE_STEP,
  PAIRED_VERSION,
  ProcessEventKind,
  STEP_VERSION,
  ThreadRole,
  emptySettings,
  type Message,
} from "../../src/codec/model";
import { ColumnarFields } from "../../src/codec/columns";
import { ByteWriter, WIRE_VARINT, zigzag } from "../../src/codec/wire";
import { fold, foldMessages, type FoldOptions } from "../../src/transforms/fold";
import { Pairer } from "../../src/transforms/pair";
import { loadKernel } from "../../src/native/kernel";
import { CaptureBuilder } from "../fixtures/builder";
import { deepRecursion, handComputed, hostileNames, multiProcess } from "../fixtures/captures";
import { collect, dumpText } from "../fixtures/inspect";
import { LEAD, churn } from "../fixtures/churn";
import { Prng } from "../fixtures/prng";
import { zstdAsRecorded } from "../fixtures/zstd";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

function paired(messages: Message[], form: true | "raw" = true, version = STEP_VERSION): Message[] {
  const out: Message[] = [];
  const p = new Pairer((m) => out.push(m), { version });
  for (const m of messages) p.push(m);
  p.end();
  // Through the wire, as a recorder would write it.
  return decodeAll(encodeAll(out), { paired: form });
}

/** The paired batches as bytes only: a fold that decodes them in TypeScript fails. */
function bytesOnly(messages: Message[]): Message[] {
  return messages.map((m) => {
    if (m.type !== "paired") return m;
    const raw = m.raw!;
    return {
      type: "paired",
      pid: m.pid,
      raw,
      get batch(): never {
        throw new Error("the batch was decoded in TypeScript");
      },
    };
  });
}

/** Measures whose hooks the kernel does not provide: fold runs in TypeScript for them. */
const inTypeScript = (o: FoldOptions) => o.measure === "at" || o.measure === "between" || o.measure === "between-leaks";

t.test("given this checkout's prebuilds, then the native kernel loads", async (t) => {
  t.ok(loadKernel(), "memtrace-kernel.node loads (npm test builds it before tap)");
});

/** The dump of a folded stream, without the input offsets its passed-through Records carry. */
function text(messages: Message[]): string {
  return dumpText(messages.map((m) => ({ ...m, offset: undefined })));
}

/**
 * Rows by the thousand (node's own start-up makes ~9,000): more new rows in one paired batch than a kernel run lists
 * before it stops, and more than the row columns' first room, with mappings' rows (made in TypeScript) between them,
 * two processes whose rows share one key space, and rows first seen after the APP_ENDED.
 */
function manyRows(seed: number): Message[] {
  const rnd = new Prng(seed);
  const c = new CaptureBuilder();
  for (const pid of [100, 200]) {
    const p = c.process(pid);
    p.batchEvents = 6_000;
    const threads = [p.thread(pid, "main", ThreadRole.ROLE_MAIN), p.thread(pid + 1)];
    const stacks = Array.from({ length: 1_500 }, (_, i) => p.stack(p.js(`f${i}`, "/app.js", i + 1)));
    let clock = 1_000;
    for (let i = 0; i < 4_000; i++) {
      p.at((clock += 10));
      const th = rnd.pick(threads);
      const address = 0x1000 + 16 * rnd.int(0, 200);
      const r = rnd.float();
      if (r < 0.6) th.malloc(address, rnd.int(1, 64) * 8, stacks[i < 3_000 ? i % 1_300 : rnd.int(0, 1_499)]);
      else if (r < 0.99 || i < 3_000) th.free(address);
      else th.mmap(0x100000 + 0x1000 * rnd.int(0, 7), 0x1000, rnd.pick(stacks));
      if (i === 3_300) p.at(clock).processEvent(ProcessEventKind.APP_ENDED, { tid: pid });
    }
    p.end();
  }
  return c.messages;
}

const FOLDS: [string, FoldOptions][] = [
  ["peak", { measure: "peak" }],
  ["leaks", { measure: "leaks" }],
  ["leaks --after-teardown", { measure: "leaks", afterTeardown: true }],
  ["total", { measure: "total" }],
  ["temporary", { measure: "temporary", temporaryThreshold: 3 }],
  ["between", { measure: "between", window: [{ ns: 5_000 }, { ns: 20_000 }] }],
  ["between-leaks", { measure: "between-leaks", window: [{ ns: 5_000 }, { ns: 20_000 }] }],
  ["at", { measure: "at", at: { ns: 12_000 } }],
  ["peak --heap native", { heap: "native" }],
  ["total --heap js", { measure: "total", heap: "js" }],
  ["peak --split-threads --inverted", { splitThreads: true, inverted: true }],
  ["peak --timeline", { timeline: true }],
  ["leaks --timeline --heap native", { measure: "leaks", timeline: true, heap: "native" }],
  ["temporary --timeline", { measure: "temporary", timeline: true }],
  // A budget this small makes the buckets halve while folding and again at the end.
  ["total --timeline, 40 entries", { measure: "total", timeline: true, timelineBudget: 40 }],
  ["between --timeline", { measure: "between", window: [{ ns: 5_000 }, { ns: 20_000 }], timeline: true }],
];

const CAPTURES: [string, () => Message[]][] = [
  ["churn with time leads", () => churn(23, LEAD)],
  ["churn without time leads", () => churn(7, 0)],
  ["multi", () => decodeAll(multiProcess().bytes())],
  ["numbers", () => decodeAll(handComputed().bytes())],
  ["deep", () => decodeAll(deepRecursion().bytes())],
  ["hostile", () => decodeAll(hostileNames().bytes())],
  ["many rows", () => manyRows(5)],
];

// Version 3 (frees as steps) for every capture; version 2 (frees as ages, still read) for the churn captures.
const VERSIONED: [string, () => Message[], number][] = [
  ...CAPTURES.map(([name, make]): [string, () => Message[], number] => [name, make, STEP_VERSION]),
  ...CAPTURES.slice(0, 2).map(([name, make]): [string, () => Message[], number] => [name, make, PAIRED_VERSION]),
];

for (const [name, make, version] of VERSIONED) {
  t.test(
    `given the ${name} capture paired as version ${version}, when folded, then it folds as the capture it was paired from`,
    async (t) => {
      const raw = decodeAll(encodeAll(make()));
      const pairedCapture = paired(raw, true, version);
      t.ok(
        pairedCapture.every((m) => m.type !== "header" || m.header.version === version),
        `every scope says version ${version}`,
      );
      t.notOk(
        pairedCapture.some((m) => m.type === "events"),
        "the paired capture has no EventBatch",
      );
      t.ok(
        pairedCapture.some((m) => m.type === "paired"),
        "it has paired batches",
      );
      const rawPaired = paired(raw, "raw", version);
      for (const [what, options] of FOLDS) {
        const direct = text(await collect(foldMessages(raw, options)));
        const inTs = text(await collect(foldMessages(pairedCapture, { ...options, kernel: false })));
        t.equal(inTs, direct, `${what}, in TypeScript`);
        const fromColumns = text(await collect(foldMessages(pairedCapture, options)));
        t.equal(fromColumns, direct, `${what}, the kernel given decoded columns`);
        const fromBytes = inTypeScript(options) ? rawPaired : bytesOnly(rawPaired);
        t.equal(text(await collect(foldMessages(fromBytes, options))), direct, `${what}, the kernel reading bytes`);
      }
    },
  );
}

t.test("given the churn captures, then pairing found every kind of release the format names", async (t) => {
  const batches = [...paired(churn(23, LEAD)), ...paired(churn(7, 0))].flatMap((m) =>
    m.type === "paired" ? [m.batch] : [],
  );
  const kinds = new Set(batches.flatMap((b) => Array.from(b.extraKind)));
  t.same([...kinds].sort(), [0, 1, 2], "early, overwritten and awaited releases at allocations");
  const frees = batches.flatMap((b) => Array.from(b.op).filter((op) => op % 2 === 1));
  t.ok(frees.includes(1), "frees that released nothing");
  t.ok(frees.includes(3), "late frees");
  t.ok(
    frees.some((op) => op > 3),
    "frees that name their block",
  );
});

t.test(
  "given the churn captures paired, then each late free names by late_age a block an AWAITED release took, through the wire",
  async (t) => {
    for (const version of [STEP_VERSION, PAIRED_VERSION]) {
      let lateFrees = 0;
      for (const pid of [100, 200]) {
        const batches = paired(churn(23, LEAD), true, version).flatMap((m) =>
          m.type === "paired" && m.pid === pid ? [m.batch] : [],
        );
        let serials = 0;
        const awaited = new Set<number>();
        const named: number[] = [];
        for (const b of batches) {
          let extra = 0;
          let late = 0;
          for (let i = 0; i < b.length; i++) {
            if (b.op[i] % 2 === 0) {
              const serial = serials++;
              for (; extra < b.extraRow.length && b.extraRow[extra] === i; extra++) {
                if (b.extraKind[extra] === 2) awaited.add(serial - b.extraAge[extra]);
              }
            } else if (b.op[i] === 3) {
              named.push(serials - b.lateAge![late++]);
            }
          }
          t.equal(late, b.lateAge!.length, `version ${version}: one late_age per late free`);
        }
        t.ok(
          named.every((serial) => awaited.has(serial)),
          `version ${version}, process ${pid}: every late free names a block an AWAITED release took`,
        );
        t.equal(new Set(named).size, named.length, `version ${version}, process ${pid}: no block twice`);
        lateFrees += named.length;
      }
      t.ok(lateFrees > 0, `version ${version}: ${lateFrees} late frees`);
    }
    // A late_age column that does not have one age per late free is refused where the batch is decoded.
    const short = paired(churn(23, LEAD)).map((m) =>
      m.type === "paired" && m.batch.lateAge!.length > 0
        ? { ...m, batch: { ...m.batch, lateAge: m.batch.lateAge!.subarray(1) } }
        : m,
    );
    t.throws(() => decodeAll(encodeAll(short), { paired: true }), { message: /late frees and \d+ late ages/ });
    // And an age of 0 (the block of the allocation not yet made).
    const zero = paired(churn(23, LEAD)).map((m) =>
      m.type === "paired" && m.batch.lateAge!.length > 0
        ? { ...m, batch: { ...m.batch, lateAge: m.batch.lateAge!.map(() => 0) } }
        : m,
    );
    t.throws(() => decodeAll(encodeAll(zero), { paired: true }), { message: /names a block of age 0/ });
    // The native fold, which reads the batches' bytes itself, refuses both in the decoder's words.
    for (const [bad, words] of [
      [short, /late frees and \d+ late ages/],
      [zero, /names a block of age 0/],
    ] as const) {
      for (const kernel of [true, false]) {
        const raw = decodeAll(encodeAll(bad), { paired: "raw" });
        await t.rejects(
          collect(foldMessages(raw, { measure: "temporary", kernel })),
          { message: words },
          `kernel ${kernel}`,
        );
      }
    }
  },
);

t.test(
  "given a paired capture, when a reader that does not fold reads it, then it is refused in one line",
  async (t) => {
    const bytes = encodeAll(paired(decodeAll(handComputed().bytes())));
    t.throws(() => decodeAll(bytes), {
      message: /its events are paired \(format version 3\), which this reader does not read/,
    });
    t.throws(() => decodeAll(bytes), CaptureError);
  },
);

t.test("given a paired batch whose free names a block that is not live, then fold fails on it", async (t) => {
  const pairedCapture = paired(decodeAll(handComputed().bytes()));
  const broken = pairedCapture.map((m) => {
    if (m.type !== "paired") return m;
    const op = m.batch.op.slice();
    const free = op.findIndex((v) => v % 2 === 1 && v > 3);
    op[free] = 2 * 1000 + 1;
    return { ...m, batch: { ...m.batch, op } };
  });
  const noSite = pairedCapture.map((m) =>
    m.type === "paired" ? { ...m, batch: { ...m.batch, op: m.batch.op.map((v) => (v % 2 === 0 ? 2 * 999 : v)) } } : m,
  );
  // Found by the fuzz: a late free with no block released at an allocation made the overwritten count negative.
  const late = pairedCapture.map((m) =>
    m.type === "paired" ? { ...m, batch: { ...m.batch, op: m.batch.op.map((v) => (v % 2 === 1 ? 3 : v)) } } : m,
  );
  // Found by the fuzz: a batch whose mappings have no addresses, and a free after them that names no live block. The
  // missing address is the error, in both (TypeScript used to read on and fail on the free).
  let cut = false;
  const noAddress = paired(churn(23, LEAD)).map((m) => {
    if (m.type !== "paired" || cut || m.batch.address.length === 0) return m;
    cut = true;
    const op = m.batch.op.slice();
    op[op.length - 1 - [...op].reverse().findIndex((v) => v % 2 === 1 && v > 3)] = 2 * 100_000 + 1;
    return { ...m, batch: { ...m.batch, op, address: new Float64Array(0) } };
  });
  for (const kernel of [true, false]) {
    const how = kernel ? "in the kernel" : "in TypeScript";
    await t.rejects(collect(foldMessages(noAddress, { kernel })), { message: /columns do not match its rows/ }, how);
    await t.rejects(
      collect(foldMessages(broken, { kernel })),
      { message: /a free releases a block that is not live/ },
      how,
    );
    await t.rejects(collect(foldMessages(noSite, { kernel })), { message: /undefined site 999/ }, how);
    await t.rejects(
      collect(foldMessages(late, { kernel })),
      { message: /a late free comes without a block released/ },
      how,
    );
  }
});

t.test(
  "given paired batches with bytes changed at random, when folded in the kernel and in TypeScript, then both give the same output or the same error",
  async (t) => {
    const rnd = new Prng(2026);
    const bytes = encodeAll(paired(churn(5, LEAD)));
    // Where the paired batches' bodies are: the changes go there.
    const bodies: [number, number][] = [];
    for (const m of decodeAll(bytes, { paired: "raw" })) {
      if (m.type !== "paired") continue;
      const raw = m.raw!;
      let at = m.offset!;
      while (!raw.every((v, i) => bytes[at + i] === v)) at++;
      bodies.push([at, raw.length]);
    }
    let failed = 0;
    for (let round = 0; round < 150; round++) {
      const copy = bytes.slice();
      for (let k = rnd.int(1, 3); k > 0; k--) {
        const [at, length] = rnd.pick(bodies);
        // Half the rounds keep every varint's length (values change, the columns' lengths do not).
        copy[at + rnd.int(0, length - 1)] ^= 1 << rnd.int(0, round % 2 === 0 ? 6 : 7);
      }
      const outcome = async (form: true | "raw", kernel: boolean) => {
        try {
          return text(await collect(foldMessages(decodeAll(copy, { paired: form }), { measure: "temporary", kernel })));
        } catch (e) {
          if (!(e instanceof CaptureError)) throw e;
          return `error: ${e.message}`;
        }
      };
      // Decoded at once (paired: true) or when folded ("raw"): a capture with two corrupt batches may fail on
      // either first, so each form is compared with itself.
      const inTs = await outcome(true, false);
      if (inTs.startsWith("error")) failed++;
      t.equal(await outcome(true, true), inTs, `round ${round}, the kernel given columns`);
      t.equal(await outcome("raw", true), await outcome("raw", false), `round ${round}, the kernel reading bytes`);
    }
    // Most changes hit `op`, the largest column, and name a site or block that is not there.
    t.ok(failed > 10, `${failed} of 150 changed captures were refused`);
  },
);

t.test("given paired events in a scope of version 1, then fold fails on them", async (t) => {
  const pairedCapture = paired(decodeAll(handComputed().bytes()));
  const asVersion1 = pairedCapture.map((m) =>
    m.type === "header" ? { ...m, header: { ...m.header, version: 1 } } : m,
  );
  await t.rejects(collect(foldMessages(asVersion1)), { message: /paired events in a scope of version 1/ });
});

t.test("given unpaired events in a scope of version 2, then fold fails on them", async (t) => {
  const raw = decodeAll(handComputed().bytes());
  const asVersion2 = raw.map((m) => (m.type === "header" ? { ...m, header: { ...m.header, version: 2 } } : m));
  await t.rejects(collect(foldMessages(asVersion2)), { message: /unpaired events in a scope of version 2/ });
});

t.test("given a paired capture, when dumped, then its sites and rows are shown as the format has them", async (t) => {
  const text = dumpText(paired(decodeAll(handComputed().bytes())));
  t.match(text, /sites first=1 n=\d+\n {2}site 1 \w+ size=\d+ stack=\d+ count=1\n/);
  t.match(text, /paired n=\d+ frees=\d+ extra=\d+ frees-as-steps\n {2}t=\d+ tid=\d+ site=1\n/);
  t.match(text, / free age=\d+\n/);
});

t.test("given version-3 batches, then frees are steps and times changes on the wire, read back the same", async (t) => {
  const raw = decodeAll(encodeAll(churn(23, LEAD)));
  const asAges = paired(raw, true, PAIRED_VERSION).flatMap((m) => (m.type === "paired" ? [m.batch] : []));
  const asSteps = paired(raw, true, STEP_VERSION).flatMap((m) => (m.type === "paired" ? [m.batch] : []));
  t.ok(
    asSteps.every((b) => b.freeReference === FREE_STEP),
    "every batch says STEP",
  );
  t.same(
    asSteps.map((b) => Array.from(b.op)),
    asAges.map((b) => Array.from(b.op)),
    "the same ages",
  );
  t.same(
    asSteps.map((b) => Array.from(b.time)),
    asAges.map((b) => Array.from(b.time)),
    "the same times",
  );
  // On the wire, version 3 gives times where they change, version 2 one per row.
  const fields = (version: number) =>
    paired(raw, "raw", version).flatMap((m) => {
      if (m.type !== "paired") return [];
      const body = new ColumnarFields(m.raw!, 0, m.raw!.length, [3, 12, 13]);
      return [[body.count(3), body.count(12), body.count(13)]];
    });
  const v3 = fields(STEP_VERSION);
  t.ok(
    v3.every(([perRow, rows, changes]) => perRow === 0 && rows === changes && rows > 0),
    "version 3: time changes, no time_delta",
  );
  t.ok(
    fields(PAIRED_VERSION).every(([perRow, rows]) => perRow > 0 && rows === 0),
    "version 2: time_delta",
  );
  // A burst of blocks freed in the order they were allocated: every step is 0 (op 5), where the ages count down.
  const c = new CaptureBuilder();
  const p = c.process(1, { settings: { ...emptySettings(), native: true } });
  const main = p.thread(1, "main", ThreadRole.ROLE_MAIN);
  const stack = p.stack(p.js("f", "/app.js", 1));
  for (let i = 0; i < 5; i++) main.malloc(0x1000 + 16 * i, 16, stack);
  for (let i = 0; i < 5; i++) main.free(0x1000 + 16 * i);
  p.end();
  const wireOps = (version: number) =>
    paired(decodeAll(encodeAll(c.messages)), "raw", version).flatMap((m) => {
      if (m.type !== "paired") return [];
      const body = new ColumnarFields(m.raw!, 0, m.raw!.length, [2]);
      const n = body.count(2);
      return Array.from(body.read(2, "op", new Float64Array(n), n)).filter((op) => op % 2 === 1);
    });
  t.same(wireOps(STEP_VERSION), [5, 5, 5, 5, 5], "version 3: steps of 0");
  t.same(wireOps(PAIRED_VERSION), [13, 11, 9, 7, 5], "version 2: ages 5 to 1 ((age + 1) * 2 + 1)");
});

t.test("given a version-3 batch whose step names a block not allocated before it, then it is refused", async (t) => {
  const head = paired(decodeAll(handComputed().bytes()), true, STEP_VERSION);
  const pid = head.find((m) => m.type === "paired")!.pid;
  const prefix = head.slice(
    0,
    head.findIndex((m) => m.type === "paired"),
  );
  // An allocation of site 1, then a free whose step (+3 from serial -1) names serial 3 of a batch of one allocation.
  const body = new ByteWriter();
  body.packed(2, [2, (zigzag(3) + 2) * 2 + 1], 2);
  body.packed(3, [0, 0], 2);
  body.packed(4, [0, 0], 2);
  body.packed(5, [EventKind.FREE], 1);
  body.tag(11, WIRE_VARINT);
  body.varint(FREE_STEP);
  const record = new ByteWriter();
  record.tag(1, WIRE_VARINT);
  record.varint(pid);
  record.lengthDelimited(20, body.finish());
  const framed = new ByteWriter();
  framed.varint(record.pos);
  framed.bytes(record.finish());
  const bytes = Buffer.concat([encodeAll(prefix), framed.finish()]);
  const message = /malformed record: row 1 of a paired batch frees a block by a step past its allocations/;
  t.throws(() => decodeAll(bytes, { paired: true }), { message });
  for (const kernel of [true, false])
    await t.rejects(
      collect(foldMessages(decodeAll(bytes, { paired: "raw" }), { kernel })),
      { message },
      `kernel ${kernel}`,
    );
});

t.test(
  "given a zstd paired capture read as fold reads it, when the kernel folds it, then its batches reuse the decoder's buffers and fold the same",
  async (t) => {
    // 400,000 rows: seven batches of the pairer's 64 Ki rows, each large enough for the decoder to lend it a buffer.
    const capture = (): Message[] => {
      const rnd = new Prng(7);
      const c = new CaptureBuilder();
      const p = c.process(100);
      p.batchEvents = 6_000;
      const th = p.thread(100, "main", ThreadRole.ROLE_MAIN);
      const stacks = Array.from({ length: 50 }, (_, i) => p.stack(p.js(`f${i}`, "/app.js", i + 1)));
      let clock = 1_000;
      for (let i = 0; i < 200_000; i++) {
        const address = 0x1000 + 16 * rnd.int(0, 100_000);
        p.at((clock += rnd.int(1, 50)));
        th.malloc(address, rnd.int(1, 64) * 8, rnd.pick(stacks)).free(address);
      }
      p.end();
      return c.messages;
    };
    const pairedOut: Message[] = [];
    const pairer = new Pairer((m) => pairedOut.push(m));
    for (const m of capture()) pairer.push(m);
    pairer.end();
    const { bytes } = zstdAsRecorded(pairedOut, 3);
    const expected = text(await collect(foldMessages(paired(capture(), true), { kernel: false })));
    for (const step of [1000, 1 << 20]) {
      const buffers = new Set<ArrayBufferLike>();
      let batches = 0;
      const seen = new Transform({
        objectMode: true,
        transform(m: Message, _e, done) {
          if (m.type === "paired" && m.release) {
            batches++;
            buffers.add(m.raw!.buffer);
          }
          done(null, m);
        },
      });
      const chunks = Array.from({ length: Math.ceil(bytes.length / step) }, (_, i) =>
        bytes.subarray(i * step, (i + 1) * step),
      );
      const out: Message[] = [];
      await pipeline(Readable.from(chunks), createDecodeStream({ paired: "raw" }), seen, fold(), async (source) => {
        for await (const m of source) out.push(m as Message);
      });
      t.equal(text(out), expected, `chunks of ${step} bytes: the same fold as in TypeScript`);
      t.ok(batches >= 4, `chunks of ${step} bytes: ${batches} batches lent`);
      t.ok(buffers.size < batches, `chunks of ${step} bytes: ${batches} batches in ${buffers.size} buffers`);
    }
    // A released batch is not read again: its bytes are another batch's by then.
    const [m] = decodeAll(bytes, { paired: "raw" }).filter((m) => m.type === "paired" && m.release);
    if (m.type !== "paired") throw new Error("unreachable");
    m.release!();
    m.release!();
    t.equal(m.raw, undefined, "released (twice: the second does nothing): no bytes");
    t.throws(() => m.batch, /read after its bytes were released/);
  },
);
