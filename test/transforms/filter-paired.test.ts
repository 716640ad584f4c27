// filter of paired captures: the random churn captures (every kind of release) and the fixtures, paired by the
// reference pairer (format version 3, and 2 for one capture), filtered and folded, give what the unpaired filter's
// output folds to; the output is a capture of the version its headers say.
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import { ColumnarFields } from "../../src/codec/columns";
import {
  EventKind,
  FREE_AGE,
  FREE_STEP,
  PAIRED_VERSION,
  STEP_VERSION,
  emptySettings,
  type Message,
} from "../../src/codec/model";
import { filterMessages, type FilterOptions } from "../../src/transforms/filter";
import { foldMessages, type FoldOptions } from "../../src/transforms/fold";
import { Pairer } from "../../src/transforms/pair";
import { CaptureBuilder } from "../fixtures/builder";
import { LEAD, churn } from "../fixtures/churn";
import { multiProcess } from "../fixtures/captures";
import { collect, dumpText } from "../fixtures/inspect";

function paired(messages: Message[], version = STEP_VERSION): Message[] {
  const out: Message[] = [];
  const p = new Pairer((m) => out.push(m), { version });
  for (const m of messages) p.push(m);
  p.end();
  return decodeAll(encodeAll(out), { paired: true });
}

async function filteredFold(
  messages: Message[],
  filter: FilterOptions,
  fold: FoldOptions,
  warnings: string[] = [],
): Promise<string> {
  const filtered = decodeAll(
    encodeAll(await collect(filterMessages(messages, { ...filter, onWarning: (w) => warnings.push(w) }))),
    { paired: true },
  );
  // Without the input's offsets, which differ between the two forms.
  return dumpText(await collect(foldMessages(filtered, fold))).replace(/^@\d+ /gm, "");
}

const FILTERS: FilterOptions[] = [
  {},
  { tids: [101, 202] },
  { minSize: 200 },
  { from: 10_000, to: 25_000 },
  { kinds: [EventKind.MALLOC, EventKind.MMAP] },
  { frames: [/f1|f3/] },
  { excludeFrames: [/f2/] },
];
const FOLDS: FoldOptions[] = [{}, { measure: "leaks" }, { measure: "total" }, { measure: "temporary" }];

const CAPTURES: [string, () => Message[], number][] = [
  ["churn with time leads", () => churn(23, LEAD), STEP_VERSION],
  ["churn without time leads", () => churn(7, 0), STEP_VERSION],
  ["churn with time leads, another seed", () => churn(5, LEAD), STEP_VERSION],
  ["multi", () => decodeAll(multiProcess().bytes()), STEP_VERSION],
  ["churn with time leads", () => churn(23, LEAD), PAIRED_VERSION],
];

let compared = 0;
let orphaned = 0;
for (const [name, make, version] of CAPTURES) {
  t.test(
    `given the ${name} capture paired as version ${version}, when filtered, then it folds as the unpaired filter's output`,
    async (t) => {
      const raw = decodeAll(encodeAll(make()));
      const pairedCapture = paired(raw, version);
      for (const [i, filter] of FILTERS.entries()) {
        const fold = FOLDS[i % FOLDS.length];
        const what = `filter ${JSON.stringify(filter, (_k, v: unknown) => (v instanceof RegExp ? String(v) : v))}, fold ${JSON.stringify(fold)}`;
        const warnings: string[] = [];
        const fromPaired = await filteredFold(pairedCapture, filter, fold, warnings);
        // Where a kept block was taken as freed at a dropped allocation, the unpaired output holds it until another
        // kept block takes its address, which paired rows do not have (filter-paired.ts): filter says so.
        if (warnings.some((w) => /kept blocks were taken as freed/.test(w))) {
          orphaned++;
          continue;
        }
        t.equal(fromPaired, await filteredFold(raw, filter, fold), what);
        compared++;
      }
    },
  );
}

t.test("given the captures above, then most filters were compared, and some warned", async (t) => {
  t.ok(compared >= 10, `${compared} compared`);
  t.ok(orphaned > 0, `${orphaned} warned of blocks held live`);
});

t.test(
  "given a filtered paired capture, then it is paired too, with fewer rows, in the form of its version, and filters again",
  async (t) => {
    const rows = (ms: Message[]) => ms.reduce((n, m) => n + (m.type === "paired" ? m.batch.length : 0), 0);
    for (const [version, reference] of [
      [STEP_VERSION, FREE_STEP],
      [PAIRED_VERSION, FREE_AGE],
    ]) {
      const pairedCapture = paired(churn(23, LEAD), version);
      const out = await collect(filterMessages(pairedCapture, { tids: [101, 202] }));
      t.ok(out.every((m) => m.type !== "events"));
      t.ok(rows(out) > 0 && rows(out) < rows(pairedCapture), `${rows(out)} of ${rows(pairedCapture)} rows`);
      t.ok(
        out.every((m) => m.type !== "header" || m.header.version === version),
        `its headers say version ${version}`,
      );
      // On the wire: version 3 names frees by steps and gives times as changes, version 2 by ages and per row.
      const wire = decodeAll(encodeAll(out), { paired: "raw" }).flatMap((m) => {
        if (m.type !== "paired") return [];
        const body = new ColumnarFields(m.raw!, 0, m.raw!.length, [3, 12, 14]);
        return [{ reference: body.scalars[11], perRow: body.count(3), changes: body.count(12), late: body.count(14) }];
      });
      t.ok(wire.length > 0, `${wire.length} batches`);
      t.ok(
        wire.every((b) => b.reference === reference && b.perRow > 0 === (version === PAIRED_VERSION)),
        `version ${version}: free_reference ${reference}, times ${version === PAIRED_VERSION ? "per row" : "as changes"}`,
      );
      t.ok(version === PAIRED_VERSION || wire.some((b) => b.changes > 0), "time changes");
      // Its late frees name their blocks: filtered again, it folds the same (without late_age it could not tell).
      const late = wire.reduce((n, b) => n + b.late, 0);
      t.ok(late > 0, `${late} late frees named`);
      const again = decodeAll(encodeAll(out), { paired: true });
      for (const fold of FOLDS) {
        const once = dumpText(await collect(foldMessages(again, fold))).replace(/^@\d+ /gm, "");
        t.equal(await filteredFold(again, {}, fold), once, `filtered again, ${JSON.stringify(fold)}`);
      }
    }
  },
);

/** The capture's paired batches without late_age, as recorders before it wrote them. */
const withoutLateAges = (ms: Message[]) =>
  ms.map((m) => (m.type === "paired" ? { ...m, batch: { ...m.batch, lateAge: undefined } } : m));

/**
 * A block handed from thread 11 to thread 12 at each of `addresses`, thread 11's free of it coming late; the hand-offs
 * one after another, or all at once (every late free after every allocation).
 */
function handOffs(addresses: number[], together: boolean): Message[] {
  const c = new CaptureBuilder();
  const settings = { ...emptySettings(), native: true, allocationTimeLeadNs: LEAD, deallocationTimeLeadNs: LEAD };
  const p = c.process(10, { settings });
  const [one, two] = [p.thread(11), p.thread(12)];
  const stack = p.stack(p.js("f1", "/app.js", 1));
  let time = 1_000;
  const handOff = (i: number, address: number) => {
    p.at((time += 10));
    one.malloc(address, 64 + i, stack);
    p.at((time += 10));
    two.malloc(address, 128 + i, stack);
  };
  for (const [i, address] of addresses.entries()) {
    if (!together) time += 3 * LEAD;
    handOff(i, address);
    if (together) continue;
    p.at((time += 10));
    one.free(address);
  }
  for (const address of together ? addresses : []) {
    p.at((time += 10));
    one.free(address);
  }
  p.end();
  return decodeAll(encodeAll(c.messages));
}

t.test("given late frees that do not name their block, then filter finds it, or says it cannot", async (t) => {
  for (const filter of [{}, { tids: [11] }, { tids: [12] }]) {
    // One hand-off at a time: each late free has one candidate.
    const raw = handOffs([0x1000, 0x2000, 0x3000], false);
    const old = withoutLateAges(paired(raw));
    t.ok(
      old.some((m) => m.type === "paired" && m.batch.op.includes(3)),
      "late frees",
    );
    t.equal(await filteredFold(old, filter, {}), await filteredFold(raw, filter, {}), JSON.stringify(filter));
  }
  // Two at once: the first late free could be either's.
  const overlapping = withoutLateAges(paired(handOffs([0x1000, 0x2000], true)));
  await t.rejects(
    collect(filterMessages(overlapping, { tids: [11] })),
    /could be that of 2 blocks handed between threads at once, which filter cannot tell apart/,
  );
  // With late_age, the same is exact.
  const raw = handOffs([0x1000, 0x2000], true);
  t.equal(await filteredFold(paired(raw), { tids: [11] }, {}), await filteredFold(raw, { tids: [11] }, {}));
});

t.test("given a late free that names no awaited block, then filter fails on it", async (t) => {
  const broken = paired(churn(23, LEAD)).map((m) =>
    m.type === "paired" && m.batch.lateAge?.length
      ? { ...m, batch: { ...m.batch, lateAge: m.batch.lateAge.map(() => 1e9) } }
      : m,
  );
  await t.rejects(
    collect(filterMessages(broken, { minSize: 8 })),
    /a late free names a block of age \d+ that awaits no free/,
  );
  const late = withoutLateAges(paired(churn(23, LEAD))).map((m) =>
    m.type === "paired" ? { ...m, batch: { ...m.batch, op: m.batch.op.map((op) => (op % 2 === 1 ? 3 : op)) } } : m,
  );
  await t.rejects(collect(filterMessages(late, {})), /a late free comes with no block awaiting it|cannot tell apart/);
});

t.test("given paired rows in a scope of version 1, or an undefined site, then filter fails on them", async (t) => {
  const pairedCapture = paired(churn(7, 0));
  const v1 = pairedCapture.map((m) => (m.type === "header" ? { ...m, header: { ...m.header, version: 1 } } : m));
  await t.rejects(collect(filterMessages(v1, {})), /paired events in a scope of version 1/);
  const noSites = pairedCapture.filter((m) => m.type !== "sites");
  await t.rejects(collect(filterMessages(noSites, {})), /names undefined site/);
});
