// fold --timeline: each process's memory over time, folded beside the measures (src/transforms/timeline/) and written
// as Timeline Records. The whole run's figures agree with fold's; the Records survive the wire and a second fold; a
// long run stays within the grid's buckets; corrupt Records fail in one clear error. (The page read from them is in
// test/sinks/flame-html.test.ts and the golden pages; paired captures in test/transforms/pair.test.ts.)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import type { Message, Timeline } from "../../src/codec/model";
import { foldMessages, type FoldOptions } from "../../src/transforms/fold";
import { MAX_BUCKETS } from "../../src/transforms/timeline/grid";
import { ProfileBuilder } from "../../src/model/profile";
import { timelinePageData } from "../../src/sinks/html/page-data";
import { CaptureBuilder } from "../fixtures/builder";
import { appEnded, multiProcess } from "../fixtures/captures";
import { collect, dumpText } from "../fixtures/inspect";
import { Prng } from "../fixtures/prng";

const timelinesOf = (messages: Message[]): Timeline[] =>
  messages.flatMap((m) => (m.type === "timeline" ? [m.timeline] : []));

const fold = async (messages: Message[], options: FoldOptions = {}) => collect(foldMessages(messages, options));

/** The dump of a stream, without the input offsets its passed-through Records carry. */
const text = (messages: Message[]) => dumpText(messages.map((m) => ({ ...m, offset: undefined })));

/** One thread over a long run: up to 300 blocks live on ten stacks, freed at random, 1 µs apart. */
function longRun(events: number): Message[] {
  const rnd = new Prng(11);
  const c = new CaptureBuilder();
  const p = c.process(100, { argv: ["node", "long.js"] });
  const main = p.thread(100);
  const stacks = Array.from({ length: 10 }, (_, i) => p.stack(p.js(`work${i}`, "long.js", i + 1)));
  const live: number[] = [];
  for (let i = 0; i < events; i++) {
    p.at(i * 1_000);
    if (live.length < 300 && rnd.chance(0.6)) {
      main.malloc(0x1000 + i * 0x100, rnd.int(16, 4096), stacks[i % 10]);
      live.push(0x1000 + i * 0x100);
    } else if (live.length > 0) main.free(live.splice(rnd.int(0, live.length - 1), 1)[0]);
    if (i % 5000 === 0) p.flush();
  }
  p.end();
  return decodeAll(c.bytes());
}

t.test("given a long run, when folded with its timeline, then the whole run's figures are fold's", async (t) => {
  const folded = await fold(longRun(60_000), { timeline: true });
  const [tl] = timelinesOf(folded);
  const header = folded.find((m) => m.type === "header" && m.header.fold);
  const totals = header?.type === "header" ? header.header.fold!.processes[0] : undefined;
  t.ok(tl && totals, "one Timeline Record and the process's totals");
  const buckets = tl.high.length;
  t.ok(buckets > MAX_BUCKETS / 2 && buckets <= MAX_BUCKETS, `${buckets} buckets: the grid widened as the run went on`);
  t.ok(Number.isInteger(Math.log2(tl.bucketNs)), `a width of ${tl.bucketNs} ns, a power of two`);
  t.ok(tl.bucketNs * buckets >= totals!.endTimeNs, "the buckets reach the run's end");
  t.equal(Math.max(...tl.high), totals!.peakBytes, "the highest bucket is fold's peak");
  const sum = (values: Float64Array, keep: (i: number) => boolean = () => true) =>
    values.reduce((s, v, i) => (keep(i) ? s + v : s), 0);
  const l = tl.lifetimes;
  t.equal(sum(l.bytes), totals!.allocatedBytes, "the lifetimes hold everything allocated");
  t.equal(
    sum(l.bytes, (i) => l.to[i] === 0),
    totals!.leakedBytes,
    "and what was never freed is what leaked",
  );
  const peakBucket = tl.high.indexOf(totals!.peakBytes);
  const c = tl.changes;
  t.equal(
    sum(c.bytes, (i) => c.from[i] <= 2 * peakBucket),
    totals!.peakBytes,
    "the changes up to the peak's moment sum to the peak",
  );
  t.ok(c.length + l.length < 20_000, `${c.length + l.length} entries for 60,000 events: bounded by rows and buckets`);
});

t.test("given a folded stream with its timeline, when it goes through the wire, then it reads the same", async (t) => {
  const folded = await fold(decodeAll(multiProcess().bytes()), { timeline: true });
  t.equal(timelinesOf(folded).length, 2, "a Timeline Record per process");
  const wire = decodeAll(encodeAll(folded));
  t.equal(text(wire), text(folded), "the dump of the decoded stream equals the one folded");
});

t.test("given a process that recorded its app's end, then its Timeline keeps each row's value then", async (t) => {
  const folded = await fold(decodeAll(appEnded().bytes()), { timeline: true });
  const [tl] = timelinesOf(folded);
  t.ok(tl.kept, "the rows' values at the app's end");
  const header = folded.find((m) => m.type === "header" && m.header.fold);
  const totals = header?.type === "header" ? header.header.fold!.processes[0] : undefined;
  t.equal(
    tl.kept!.bytes.reduce((s, v) => s + v, 0),
    totals!.keptBytes,
    "which sum to what the process kept at its app's end",
  );
  t.equal(text(decodeAll(encodeAll(folded))), text(folded), "and survive the wire");
});

t.test("given a folded stream with its timeline, when folded again, then its timeline passes through", async (t) => {
  const bytes = encodeAll(await fold(decodeAll(multiProcess().bytes()), { timeline: true }));
  const again = encodeAll(await fold(decodeAll(bytes)));
  t.ok(Buffer.from(again).equals(Buffer.from(bytes)), "fold of the folded capture gives its bytes back");
  const native = await fold(decodeAll(bytes), { heap: "native" });
  t.equal(timelinesOf(native).length, 0, "a fold that narrows the heap cannot narrow a timeline: it leaves it out");
  const plain = await fold(decodeAll(multiProcess().bytes()));
  t.equal(timelinesOf(plain).length, 0, "a fold not asked for its timeline writes none");
  const without = await fold(decodeAll(bytes), { timeline: false });
  t.equal(timelinesOf(without).length, 0, "fold --no-timeline of the folded capture leaves its timeline out");
  t.equal(
    text(without),
    text(await fold(decodeAll(multiProcess().bytes()))),
    "and gives what a fold without the timeline gives",
  );
});

t.test("given a corrupt Timeline Record, when read, then one error names what is wrong", async (t) => {
  const folded = await fold(decodeAll(multiProcess().bytes()), { timeline: true });
  const corrupt = (change: (tl: Timeline) => Timeline) =>
    encodeAll(folded.map((m) => (m.type === "timeline" ? { ...m, timeline: change(m.timeline) } : m)));
  t.throws(
    () => decodeAll(corrupt((tl) => ({ ...tl, changes: { ...tl.changes, row: tl.changes.row.map(() => tl.rows) } }))),
    /timeline's changes entry 0 lies outside its rows or buckets/,
    "a row past the rows",
  );
  t.throws(
    () =>
      decodeAll(corrupt((tl) => ({ ...tl, lifetimes: { ...tl.lifetimes, from: tl.lifetimes.from.map(() => 999) } }))),
    /timeline's lifetimes entry 0 lies outside/,
    "a bucket past the buckets",
  );
  t.throws(
    () => decodeAll(corrupt((tl) => ({ ...tl, bucketNs: 3 }))),
    /bucket width 3 is not a power of two/,
    "a width that is not a power of two",
  );
  const badStack = decodeAll(corrupt((tl) => ({ ...tl, rowStack: tl.rowStack.map(() => 999_999) })));
  await t.rejects(
    fold(badStack),
    /a timeline row refers to undefined stack 999999/,
    "a stack the stream does not define",
  );
});

t.test("given timelines on two grids, when a page is made of them, then it refuses in one line", async (t) => {
  const folded = await fold(decodeAll(multiProcess().bytes()), { timeline: true });
  const builder = new ProfileBuilder();
  for (const m of folded) if (m.type !== "timeline") builder.push(m);
  const [a, b] = timelinesOf(folded);
  const options = { view: "peak", inverted: false } as const;
  t.doesNotThrow(() => timelinePageData(builder.finish(), [a, b], options), "one fold's timelines share a grid");
  t.throws(
    () => timelinePageData(builder.finish(), [a, { ...b, bucketNs: 2 * b.bucketNs }], options),
    /timelines come from separate folds, on other grids: fold the captures together/,
  );
});

t.test("given the golden pages, then the page of the folded capture is the raw capture's", async (t) => {
  const golden = (name: string) => readFileSync(join(__dirname, "..", "golden", name));
  const raw = golden("multi.flame.--html.html");
  t.ok(golden("multi.fold.--leaks.flame.--html.html").equals(raw), "fold | flame --html equals flame --html");
  t.ok(golden("multi.fold.--timeline.flame.--html.html").equals(raw), "so does fold --timeline (the default)");
  const without = golden("multi.fold.--leaks.--no-timeline.flame.--html.html").toString();
  // A page with a time window re-folds its own title; one without shows the folded capture's measure.
  t.match(raw.toString(), /"foldedTitle":null/, "the raw capture's page has its time window");
  t.match(without, /"foldedTitle":"Leaked memory/, "fold --no-timeline: a page of what the folded capture holds");
});
