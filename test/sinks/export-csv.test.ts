// csv export: read back by csv-parse (a strict RFC 4180 reader) and checked against the folded profile, with names
// that hold commas, quotes, line breaks and semicolons.
import { parse } from "csv-parse/sync";
import t from "tap";
import { CSV_COLUMNS, csv, csvField } from "../../src/sinks/csv";
import { handComputed, hostileNames, HOSTILE_NAMES, multiProcess } from "../fixtures/captures";
import { decodeAll } from "../../src/codec/decoder";
import { fold, foldedRows } from "../fixtures/inspect";
import { runSink } from "./export-helpers";

async function table(
  bytes: Uint8Array,
  measure?: "peak" | "leaks" | "total",
): Promise<{ text: string; rows: string[][] }> {
  const text = (await runSink(csv, bytes, { measure })).toString("utf8");
  // strict: every record must have as many fields as the header; quotes must be well formed.
  const rows = parse(text, { relax_column_count: false, relax_quotes: false }) as string[][];
  return { text, rows };
}

t.test("given the hand-computed capture, when exported, then each row is a stack, thread and allocator", async (t) => {
  const { text, rows } = await table(handComputed().bytes(), "total");
  t.same(rows[0], [...CSV_COLUMNS]);
  t.ok(text.endsWith("\r\n") && !/[^\r]\n/.test(text), "records end in CRLF");
  // The total rows of test/transforms/numbers.test.ts, largest first.
  t.same(rows.slice(1), [
    ["total", "mmap", "1", "16384", "10", "11", "libuv-worker", "uv_worker;delta"],
    ["total", "malloc", "2", "3000", "20", "20", "node", "main (/app/child.js:1);phi (/app/child.js:2)"],
    ["total", "js", "3", "1024", "10", "11", "libuv-worker", "uv_worker;epsilon (/app/numbers.js:50)"],
    ["total", "realloc", "1", "600", "10", "10", "node", "main (/app/numbers.js:1);gamma (/app/numbers.js:30)"],
    ["total", "malloc", "1", "500", "20", "20", "node", "main (/app/child.js:1);gamma (/app/numbers.js:30)"],
    ["total", "calloc", "1", "300", "10", "10", "node", "main (/app/numbers.js:1);gamma (/app/numbers.js:30)"],
    ["total", "malloc", "1", "200", "10", "11", "libuv-worker", "uv_worker;beta"],
    ["total", "malloc", "1", "100", "10", "10", "node", "main (/app/numbers.js:1);alpha (/app/numbers.js:10)"],
  ]);
});

t.test("given --peak, when exported, then the measure column says so and the bytes are the peak's", async (t) => {
  const { rows } = await table(handComputed().bytes());
  t.ok(rows.slice(1).every((r) => r[0] === "peak"));
  t.equal(
    rows.slice(1).reduce((sum, r) => sum + Number(r[3]), 0),
    16884 + 3000,
  );
});

t.test("given hostile names, when exported and parsed, then every name comes back intact", async (t) => {
  const { text, rows } = await table(hostileNames().bytes());
  const threads = new Set(rows.slice(1).map((r) => r[6]));
  t.same([...threads].sort(), ['<b>main</b> & "co"', "線程 ;\n2"], "thread names with quotes and line breaks");
  const frames = new Set(rows.slice(1).flatMap((r) => r[7].split(";")));
  for (const name of HOSTILE_NAMES) {
    // The stack's separator rule (collapsed's): ";" in a name is U+FF1B, a line break a space.
    const expected = name.replace(/;/g, "\uff1b").replace(/\n/g, " ");
    t.ok(
      [...frames].some((f) => f === expected || f.startsWith(`${expected} (`)),
      `${JSON.stringify(name)} is a frame`,
    );
  }
  t.match(text, '"<b>main</b> & ""co"""', "quotes are doubled inside a quoted field");
});

t.test("given fields, when written, then only those that need it are quoted", async (t) => {
  t.equal(csvField("plain name (app.js:1)"), "plain name (app.js:1)");
  t.equal(csvField("a,b"), '"a,b"');
  t.equal(csvField('say "hi"'), '"say ""hi"""');
  t.equal(csvField("line\r\nbreak"), '"line\r\nbreak"');
  t.equal(csvField("<script>&amp;"), "<script>&amp;");
});

t.test(
  "given the realistic capture, when exported, then rows are sorted by bytes and add up to the fold",
  async (t) => {
    const { rows } = await table(multiProcess().bytes(), "leaks");
    const bytes = rows.slice(1).map((r) => Number(r[3]));
    t.same(
      bytes,
      [...bytes].sort((a, b) => b - a),
    );
    const keys = rows.slice(1).map((r) => [r[1], r[4], r[5], r[7]].join("|"));
    t.equal(new Set(keys).size, keys.length, "one row per stack, process, thread and allocator");
    const folded = foldedRows(await fold(decodeAll(multiProcess().bytes()), "leaks")).rows;
    t.equal(
      bytes.reduce((a, b) => a + b, 0),
      folded.reduce((sum, r) => sum + r.bytes, 0),
    );
  },
);
