// What a capture would weigh if it carried no addresses: an estimate for the capture-encoding question of issue 23.
//
// heaptrack's file is small because its recorder's interpreter pairs every free with its allocation while recording
// and writes an allocation as an index into a table of (stack, size) and a free as the index of what it frees: no
// address reaches the file. memtrace writes every event's address (delta-coded), and addresses are most of what
// compression cannot remove. This script reads a memtrace capture, pairs its events as fold does, and writes the
// events as such an encoding would (an allocation: its (stack, size, allocator) site; a free: how many allocations
// of its process ago its block was made; times as today), in columns, then compresses them with zstd (the `zstd`
// tool) and LZ4 (lz4-napi), beside the capture's own columns. A second table writes a free other ways: the site
// of the block it frees, and the block's age among that site's allocations or its step from the site's last free.
//
// Given a paired capture (`record --paired --no-compress`, Header.version 2), it writes the capture again in other
// forms instead (bench/lib/paired-forms.ts: rows per batch, the order of a batch's columns, how a free names its
// block, how times are written) and compresses each whole with `zstd -3 --long=23`, as the recorder's zstd writes it.
//
//   npm run build && node dist/bench/paired-encoding.js capture.mtrace [heaptrack-file.zst]
import { execFileSync } from "node:child_process";
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decode } from "../src/codec/decoder";
import { compressFrame } from "../src/codec/lz4";
import { isAllocation, isDeallocation, type Message } from "../src/codec/model";
import { ByteWriter, zigzag } from "../src/codec/wire";
import { LiveHeap } from "../src/transforms/live";
import { EventOrderer } from "../src/transforms/order";
import { type Form, FormSet, FormWriter } from "./lib/paired-forms";

interface Columns {
  kind: ByteWriter;
  time: ByteWriter;
  value: ByteWriter;
  tid: ByteWriter;
}

/**
 * Other ways to write a free, beside its age among all allocations (`value`): the site of the block it frees, and
 * the block's place among that site's allocations, either as its age there or as the step from the last block of
 * that site freed (V8 frees a site's blocks in bursts, oldest first: mostly 0). Allocations write their site in
 * each, as in `value`.
 */
interface FreeForms {
  /** Allocation: site; free: the site of the block it frees (0: none). */
  site: ByteWriter;
  /** Free: the block's age among its site's allocations. */
  siteAge: ByteWriter;
  /** Free: zigzag of (the block's serial in its site - the last freed serial of that site - 1). */
  siteStep: ByteWriter;
}

async function main(): Promise<void> {
  const [file, heaptrack] = process.argv.slice(2);
  if (await isPaired(file)) return pairedForms(file, heaptrack);
  const cols: Columns = {
    kind: new ByteWriter(),
    time: new ByteWriter(),
    value: new ByteWriter(),
    tid: new ByteWriter(),
  };
  const forms: FreeForms = { site: new ByteWriter(), siteAge: new ByteWriter(), siteStep: new ByteWriter() };
  const sites = new Map<string, number>();
  /** Per site: its allocations so far, and the serial (within the site) of its block freed last. */
  const siteCount: number[] = [];
  const siteLastFreed: number[] = [];
  interface Heap {
    live: LiveHeap;
    allocations: number;
    lastTime: number;
    lastTid: number;
    /** A live block's serial -> its site and its serial within the site. */
    blockSite: Map<number, number>;
    blockSiteSerial: Map<number, number>;
  }
  const heaps = new Map<number, Heap>();
  let released = -1;
  let events = 0;
  const orderer = new EventOrderer((m: Message) => {
    if (m.type === "header") {
      const s = m.header.settings;
      const live = new LiveHeap((key) => (released = key), {
        allocationTimeLeadNs: s.allocationTimeLeadNs,
        deallocationTimeLeadNs: s.deallocationTimeLeadNs,
      });
      heaps.set(m.pid, {
        live,
        allocations: 0,
        lastTime: 0,
        lastTid: 0,
        blockSite: new Map(),
        blockSiteSerial: new Map(),
      });
    }
    if (m.type !== "events") return;
    const h = heaps.get(m.pid)!;
    const b = m.batch;
    for (let i = 0; i < b.length; i++) {
      const kind = b.kind[i];
      events++;
      cols.kind.varint(kind);
      cols.time.varint(Math.max(0, b.time[i] - h.lastTime));
      h.lastTime = Math.max(h.lastTime, b.time[i]);
      // A thread column that changes only where the thread does: a zigzag delta, mostly 0.
      cols.tid.varint(zigzag(b.tid[i] - h.lastTid));
      h.lastTid = b.tid[i];
      if (isAllocation(kind)) {
        const key = `${b.stack[i]},${b.size[i]},${kind}`;
        let site = sites.get(key);
        if (site === undefined) {
          sites.set(key, (site = sites.size));
          siteCount.push(0);
          siteLastFreed.push(-1);
        }
        cols.value.varint(site);
        forms.site.varint(site);
        h.blockSite.set(h.allocations, site);
        h.blockSiteSerial.set(h.allocations, siteCount[site]++);
        released = -1;
        h.live.alloc(kind, b.address[i], b.size[i], h.allocations++, b.count[i], 0, b.time[i], b.tid[i]);
        // A block released by an allocation at its address (its free never seen): forgotten.
        if (released >= 0) forget(h, released);
      } else if (isDeallocation(kind)) {
        released = -1;
        h.live.free(kind, b.address[i], b.size[i], b.time[i], b.tid[i]);
        // Unmatched frees (of blocks allocated before recording) would carry their address: counted as 0 here.
        cols.value.varint(released < 0 ? 0 : h.allocations - released);
        const site = released < 0 ? undefined : h.blockSite.get(released);
        if (site === undefined) {
          forms.site.varint(0);
          forms.siteAge.varint(0);
          forms.siteStep.varint(0);
        } else {
          const k = h.blockSiteSerial.get(released)!;
          forms.site.varint(site + 1);
          forms.siteAge.varint(siteCount[site] - k);
          forms.siteStep.varint(zigzag(k - siteLastFreed[site] - 1));
          siteLastFreed[site] = k;
          forget(h, released);
        }
      }
    }
  });
  const forget = (h: Heap, serial: number) => {
    h.blockSite.delete(serial);
    h.blockSiteSerial.delete(serial);
  };
  for await (const m of decode(createReadStream(file, { highWaterMark: 256 * 1024 }))) orderer.push(m);
  orderer.end();

  const work = mkdtempSync(join(tmpdir(), "memtrace-paired-"));
  const size = (bytes: Uint8Array, how: string[]) => {
    const path = join(work, "column");
    writeFileSync(path, bytes);
    return execFileSync("zstd", [...how, "-q", "-c", path], { maxBuffer: 1 << 30 }).length;
  };
  const lz4 = (bytes: Uint8Array) => {
    let n = 0;
    for (let at = 0; at < bytes.length; at += 256 * 1024)
      n += compressFrame(bytes.subarray(at, at + 256 * 1024)).length;
    return n;
  };
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
  // zstd's level and window: a long window finds the repeats of a workload's pattern far apart.
  const levels = [["-3"], ["-3", "--long=27"], ["-9", "--long=27"], ["-19", "--long=27"]];
  const rows: string[][] = [];
  const sums = new Array<number>(levels.length + 2).fill(0);
  for (const [name, w] of Object.entries(cols)) {
    const bytes = w.view();
    const c = [bytes.length, ...levels.map((how) => size(bytes, how)), lz4(bytes)];
    c.forEach((v, i) => (sums[i] += v));
    rows.push([name, ...c.map(mib)]);
  }
  rows.push(["all", ...sums.map(mib)]);
  console.log(
    `${events} events, ${sites.size} sites (stack, size, allocator); the capture: ${mib(statSync(file).size)}`,
  );
  if (heaptrack) console.log(`heaptrack's file: ${mib(statSync(heaptrack).size)}`);
  console.log(
    `\n| column | raw | ${levels.map((l) => `zstd ${l.join(" ")}`).join(" | ")} | LZ4 (256 KiB frames) |\n` +
      `| --- | --- | ${levels.map(() => "---").join(" | ")} | --- |`,
  );
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);

  // The free's other forms: each replaces `value` (kind, time and tid as above).
  const restCols = [cols.kind, cols.time, cols.tid].map((w) => w.view());
  const restZstd = restCols.reduce((n, b) => n + size(b, levels[0]), 0);
  const formRows: [string, Uint8Array[]][] = [
    ["value: site, or the age among all allocations (above)", [cols.value.view()]],
    ["site column + the age within the site", [forms.site.view(), forms.siteAge.view()]],
    ["site column + the step from the site's last free", [forms.site.view(), forms.siteStep.view()]],
  ];
  console.log(
    `\nA free written other ways (the value column replaced; kind, time and tid as above).\n\n` +
      `| free written as | raw | ${levels.map((l) => `zstd ${l.join(" ")}`).join(" | ")} | all columns, zstd -3 |\n` +
      `| --- | --- | ${levels.map(() => "---").join(" | ")} | --- |`,
  );
  for (const [name, parts] of formRows) {
    const c = [0, ...levels.map((_, i) => i + 1)].map((i) =>
      parts.reduce((n, bytes) => n + (i === 0 ? bytes.length : size(bytes, levels[i - 1])), 0),
    );
    console.log(`| ${name} | ${c.map(mib).join(" | ")} | ${mib(c[1] + restZstd)} |`);
  }
  rmSync(work, { recursive: true, force: true });
}

async function isPaired(file: string): Promise<boolean> {
  for await (const m of decode(createReadStream(file, { start: 0, end: 1 << 20 }), { paired: true }))
    if (m.type === "header") return m.header.version === 2;
  return false;
}

/** The forms measured: the recorder's own first, then one change at a time, then together. */
const FORMS: Form[] = [
  { name: "as recorded (age, 64 Ki rows or a round)", free: "age", time: "delta" },
  { name: "256 Ki rows per batch", free: "age", time: "delta", batchRows: 256 * 1024 },
  { name: "1 Mi rows per batch", free: "age", time: "delta", batchRows: 1024 * 1024 },
  { name: "columns apart (each its own stream)", free: "age", time: "delta", apart: true },
  { name: "order: time, tid, free_kind, op", free: "age", time: "delta", order: [1, 3, 4, 5, 2] },
  { name: "order: op, free_kind, tid, time", free: "age", time: "delta", order: [1, 2, 5, 4, 3] },
  { name: "times as runs", free: "age", time: "runs" },
  { name: "free: serial step", free: "serial-step", time: "delta" },
  { name: "free: site + site step", free: "site-step", time: "delta" },
  { name: "free: site + site step, 1 Mi rows", free: "site-step", time: "delta", batchRows: 1024 * 1024 },
  { name: "free: serial step, 1 Mi rows", free: "serial-step", time: "delta", batchRows: 1024 * 1024 },
  { name: "free: site + site step, times as runs", free: "site-step", time: "runs" },
  { name: "free: serial step, times as runs", free: "serial-step", time: "runs" },
  { name: "free: serial step, times as runs, 1 Mi rows", free: "serial-step", time: "runs", batchRows: 1024 * 1024 },
  { name: "free: site + site step, columns apart", free: "site-step", time: "delta", apart: true },
  { name: "(no times at all: what times cost)", free: "age", time: "none" },
  { name: "(site step, no times)", free: "site-step", time: "none" },
];

async function pairedForms(file: string, heaptrack: string | undefined): Promise<void> {
  const work = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), "memtrace-forms-"));
  const only = process.env.FORMS?.split(",").map(Number);
  const forms = FORMS.filter((_, i) => !only || only.includes(i));
  const writers = forms.map((f, i) => {
    const dir = join(work, String(i));
    mkdirSync(dir);
    return new FormWriter(f, dir);
  });
  const set = new FormSet(writers);
  let rows = 0;
  for await (const m of decode(createReadStream(file, { highWaterMark: 1 << 20 }), { paired: true })) {
    if (m.type === "paired") rows += m.batch.length;
    set.push(m);
  }
  set.end();
  const zstd = (path: string, how: string[]) =>
    Number(
      execFileSync("sh", ["-c", `zstd ${how.join(" ")} -q -c '${path}' | wc -c`])
        .toString()
        .trim(),
    );
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
  const fileBytes = statSync(file).size;
  const ht = heaptrack ? statSync(heaptrack).size : 0;
  const batchRows = [...set.batchRows].sort((a, b) => a - b);
  console.log(
    `${rows} rows in ${set.batches} PairedBatches (median ${batchRows[batchRows.length >> 1]} rows, ` +
      `${batchRows.filter((n) => n >= 65536).length} full); the capture ${mib(fileBytes)} raw, ` +
      `${mib(zstd(file, ["-3", "--long=23"]))} with zstd -3 --long=23, ${mib(zstd(file, ["-3"]))} with zstd -3`,
  );
  if (heaptrack) console.log(`heaptrack's file: ${mib(ht)}`);
  console.log(
    `\n| form | raw | zstd -3 --long=23 | vs heaptrack | zstd -19 --long=23 |\n| --- | --- | --- | --- | --- |`,
  );
  writers.forEach((w) => {
    const files = w.files();
    const raw = files.reduce((n, f) => n + statSync(f).size, 0);
    const z3 = files.reduce((n, f) => n + zstd(f, ["-3", "--long=23"]), 0);
    const z19 = process.env.NO19 ? NaN : files.reduce((n, f) => n + zstd(f, ["-19", "--long=23"]), 0);
    const vs = ht ? `${(z3 / ht).toFixed(2)}x` : "";
    console.log(`| ${w.form.name} | ${mib(raw)} | ${mib(z3)} | ${vs} | ${mib(z19)} |`);
    for (const f of files) rmSync(f);
  });
  rmSync(work, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
