// fold: idempotence (fold | fold == fold), measures of folded input, and captures concatenated.
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import { CaptureError } from "../../src/codec/errors";
import { deepRecursion, handComputed, hostileNames, multiProcess } from "../fixtures/captures";
import { foldMessages } from "../../src/transforms/fold";
import { collect, dumpText, fold, foldedRows } from "../fixtures/inspect";

const FIXTURES = [
  ["multi", multiProcess],
  ["deep", deepRecursion],
  ["hostile", hostileNames],
  ["numbers", handComputed],
] as const;

for (const [name, make] of FIXTURES) {
  t.test(`given the ${name} capture, when folded twice, then the second fold changes nothing`, async (t) => {
    const raw = decodeAll(make().bytes());
    for (const measure of ["peak", "leaks", "total"] as const) {
      const once = decodeAll(encodeAll(await fold(raw, measure)));
      const twice = decodeAll(encodeAll(await fold(once)));
      t.equal(dumpText(twice), dumpText(once), `--${measure}, then without a measure`);
      const again = decodeAll(encodeAll(await fold(once, measure)));
      t.equal(dumpText(again), dumpText(once), `--${measure}, then --${measure}`);
    }
  });
}

t.test(
  "given a stream folded by one measure, when folded by another one-pass measure, then it gives the raw capture's rows",
  async (t) => {
    const raw = decodeAll(handComputed().bytes());
    const once = decodeAll(encodeAll(await fold(raw, "leaks")));
    for (const measure of ["peak", "total", "temporary"] as const) {
      const direct = foldedRows(await fold(raw, measure));
      const again = foldedRows(await fold(once, measure));
      t.same(again.rows, direct.rows, `--leaks, then --${measure}`);
      t.ok(direct.rows.length > 0, `--${measure} has rows`);
    }
  },
);

t.test("given a stream folded by one measure, when folded by one it does not hold, then it is refused", async (t) => {
  const once = await fold(decodeAll(handComputed().bytes()), "leaks");
  const at = collect(foldMessages(once, { measure: "at", at: { ns: 1000 } }));
  await t.rejects(at, CaptureError);
  await t.rejects(collect(foldMessages(once, { measure: "at", at: { ns: 1000 } })), {
    message: /already folded, with --leaks, --peak, --total, --temporary; fold the raw capture with --at/,
  });
});

t.test(
  "given a stream folded by --at, when folded again without a measure, then it keeps --at as its own",
  async (t) => {
    const once = decodeAll(
      encodeAll(await collect(foldMessages(decodeAll(handComputed().bytes()), { measure: "at", at: { ns: 1000 } }))),
    );
    const again = decodeAll(encodeAll(await fold(once)));
    t.equal(dumpText(again), dumpText(once));
  },
);

t.test("given a capture concatenated with itself, when folded by total, then every row counts twice", async (t) => {
  const bytes = handComputed().bytes();
  const single = foldedRows(await fold(decodeAll(bytes), "total"));
  const double = foldedRows(await fold(decodeAll(Buffer.concat([bytes, bytes])), "total"));
  t.same(
    double.rows,
    single.rows.map((r) => ({ ...r, bytes: 2 * r.bytes, count: 2 * r.count })),
  );
  // The format: FoldInfo.processes has "one entry per process of the input, in the order their Headers came".
  t.same(
    double.processes.map((p) => [p.pid, p.allocatedBytes]),
    [...single.processes, ...single.processes].map((p) => [p.pid, p.allocatedBytes]),
  );
});

t.test("given two different captures concatenated, when folded, then both are in the folded stream", async (t) => {
  const a = handComputed().bytes();
  const b = hostileNames().bytes();
  const both = foldedRows(await fold(decodeAll(Buffer.concat([a, b])), "leaks"));
  const ra = foldedRows(await fold(decodeAll(a), "leaks"));
  const rb = foldedRows(await fold(decodeAll(b), "leaks"));
  // Rows sort by pid first, and the pids differ: the rows of both, in turn.
  t.same(both.rows, [...ra.rows, ...rb.rows]);
  t.same(
    both.processes.map((p) => p.pid),
    [10, 20, 666],
  );
});

t.test(
  "given a folded stream whose batches leave their measure unset, when folded again, then its rows stay",
  async (t) => {
    const once = await fold(decodeAll(handComputed().bytes()), "leaks");
    const unset = once.map((m) => (m.type === "folded" ? { ...m, batch: { ...m.batch, measure: 0 } } : m));
    t.same(foldedRows(await fold(unset)).rows, foldedRows(once).rows);
    t.ok(foldedRows(once).rows.length > 0);
  },
);
