// fold --heap: the native heap, the JS heap (V8's samples) or both.
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { Heap, type Message } from "../../src/codec/model";
import { foldMessages, type FoldOptions } from "../../src/transforms/fold";
import { multiProcess } from "../fixtures/captures";
import { collect, foldedRows, type Row } from "../fixtures/inspect";

const raw = decodeAll(multiProcess().bytes());

async function rows(options: FoldOptions): Promise<{ rows: Row[]; folded: Message[] }> {
  const folded = await collect(foldMessages(raw, options));
  return { rows: foldedRows(folded).rows, folded };
}

const sum = (rs: Row[]) => rs.reduce((s, r) => s + r.bytes, 0);
const isJs = (r: Row) => r.allocator === "js";

t.test("given a capture with both heaps, when folded by heap, then each fold holds only its heap", async (t) => {
  const js = await rows({ measure: "total", heap: "js" });
  const native = await rows({ measure: "total", heap: "native" });
  t.ok(js.rows.length > 0 && js.rows.every(isJs), "--heap js: only JS samples");
  t.ok(native.rows.length > 0 && !native.rows.some(isJs), "--heap native: no JS samples");
  const header = js.folded.find((m) => m.type === "header" && m.pid === 0);
  t.equal(
    header?.type === "header" ? header.header.fold?.heap : undefined,
    Heap.JS,
    "the folded header says which heap",
  );
});

for (const measure of ["total", "leaks"] as const) {
  t.test(`given --${measure}, when each heap is folded apart, then the two add up to both together`, async (t) => {
    const all = await rows({ measure });
    const js = await rows({ measure, heap: "js" });
    const native = await rows({ measure, heap: "native" });
    t.equal(sum(js.rows) + sum(native.rows), sum(all.rows));
    t.equal(sum(js.rows), sum(all.rows.filter(isJs)));
  });
}

t.test(
  "given a stream folded with both heaps, when folded again by one heap, then it keeps that heap's rows",
  async (t) => {
    const once = await collect(foldMessages(raw, { measure: "total" }));
    const again = foldedRows(await collect(foldMessages(once, { heap: "js" }))).rows;
    const direct = (await rows({ measure: "total", heap: "js" })).rows;
    t.same(again, direct);
  },
);
