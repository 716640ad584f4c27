// Where a capture's bytes are: per Record kind (and per column of the paired batches), raw and compressed, for
// issue 23's size goal on the smaller workloads. Compressed bytes are counted two ways, since zstd's window makes
// kinds share their cost: "alone" compresses a kind's Records by themselves, in stream order, as the recorder
// compresses (zstd level 3, window 2^23); "share" is what the capture compressed whole loses when the kind is left
// out. Takes captures in any form (zstd, LZ4 or none): they are decompressed first.
//
//   npm run build && node dist/bench/capture-kinds.js capture.mtrace ...
import { readFileSync } from "node:fs";
import { Lz4FrameDecoder, startsWithLz4Magic } from "../src/codec/lz4";
import { readVarint, lastPos } from "../src/codec/wire";
import { startsWithZstdMagic, ZstdStreamDecoder, ZstdStreamEncoder } from "../src/codec/zstd";

const KINDS: Record<number, string> = {
  2: "header",
  3: "strings",
  4: "functions",
  5: "frames",
  6: "stacks",
  7: "events (unpaired)",
  8: "watermarks",
  9: "memory samples",
  10: "thread info",
  11: "process events",
  12: "mappings",
  13: "code events",
  14: "frame resolutions",
  15: "gc events",
  17: "trailer",
  19: "sites",
  20: "paired batches",
  22: "code event batches",
};
const PAIRED_COLUMNS: Record<number, string> = {
  1: "time_ns",
  2: "op",
  3: "time_delta",
  4: "tid_delta",
  5: "free_kind",
  6: "address",
  7: "unmap_length",
  8: "extra_row",
  9: "extra_age",
  10: "extra_kind",
  11: "free_reference",
  12: "time_change_row",
  13: "time_change",
  14: "late_age",
};

function decompress(file: string): Uint8Array {
  const data = readFileSync(file);
  const out: Uint8Array[] = [];
  const keep = (c: Uint8Array): void => void out.push(Uint8Array.from(c));
  if (startsWithZstdMagic(data)) {
    const d = new ZstdStreamDecoder(keep);
    d.write(data);
    d.end();
  } else if (startsWithLz4Magic(data)) {
    const d = new Lz4FrameDecoder(keep);
    d.write(data);
    d.end();
  } else return data;
  return Buffer.concat(out);
}

function zstdSize(parts: Uint8Array[]): number {
  const z = new ZstdStreamEncoder();
  let n = 0;
  for (const p of parts) n += z.flush([p]).length;
  n += z.end().length;
  z.dispose();
  return n;
}

/** Each framed Record (with its length prefix) and the field number of its body. */
function records(data: Uint8Array): { kind: number; bytes: Uint8Array; body: [number, number] }[] {
  const out: { kind: number; bytes: Uint8Array; body: [number, number] }[] = [];
  let p = 0;
  while (p < data.length) {
    const len = readVarint(data, p, data.length);
    const start = lastPos();
    const end = start + len;
    let q = start;
    let kind = 0;
    let body: [number, number] = [start, start];
    while (q < end) {
      const key = readVarint(data, q, end);
      q = lastPos();
      if ((key & 7) === 0) {
        readVarint(data, q, end);
        q = lastPos();
      } else {
        const n = readVarint(data, q, end);
        q = lastPos();
        kind = key >>> 3;
        body = [q, q + n];
        q += n;
      }
    }
    out.push({ kind, bytes: data.subarray(p, end), body });
    p = end;
  }
  return out;
}

/** The bytes of each field of a message (key and length included), by field number. */
function fieldBytes(data: Uint8Array, [start, end]: [number, number], into: Map<number, Uint8Array[]>): void {
  let q = start;
  while (q < end) {
    const from = q;
    const key = readVarint(data, q, end);
    q = lastPos();
    const wire = key & 7;
    if (wire === 0) {
      readVarint(data, q, end);
      q = lastPos();
    } else if (wire === 2) {
      const n = readVarint(data, q, end);
      q = lastPos() + n;
    } else throw new Error(`wire type ${wire} in a PairedBatch`);
    const f = key >>> 3;
    if (!into.has(f)) into.set(f, []);
    into.get(f)!.push(data.subarray(from, q));
  }
}

const sum = (parts: Uint8Array[]): number => parts.reduce((n, p) => n + p.length, 0);
const kib = (n: number): string => (n / 1024).toFixed(1);

function report(file: string): void {
  const data = decompress(file);
  const all = records(data);
  const whole = zstdSize(all.map((r) => r.bytes));
  const byKind = new Map<number, Uint8Array[]>();
  const columns = new Map<number, Uint8Array[]>();
  for (const r of all) {
    if (!byKind.has(r.kind)) byKind.set(r.kind, []);
    byKind.get(r.kind)!.push(r.bytes);
    if (r.kind === 20) fieldBytes(data, r.body, columns);
  }
  console.log(`\n## ${file}\n`);
  console.log(`${all.length} Records, ${kib(data.length)} KiB raw, ${kib(whole)} KiB with zstd -3 (window 2^23)\n`);
  console.log("| kind | Records | raw KiB | zstd alone KiB | share KiB |");
  console.log("| --- | --- | --- | --- | --- |");
  const rows = [...byKind].sort((a, b) => sum(b[1]) - sum(a[1]));
  for (const [kind, parts] of rows) {
    const rest = all.filter((r) => r.kind !== kind).map((r) => r.bytes);
    const share = whole - zstdSize(rest);
    console.log(
      `| ${KINDS[kind] ?? `field ${kind}`} | ${parts.length} | ${kib(sum(parts))} | ${kib(zstdSize(parts))} | ${kib(share)} |`,
    );
  }
  if (columns.size === 0) return;
  console.log("\nPaired batches by column (each column's bytes compressed alone, in stream order):\n");
  console.log("| column | raw KiB | zstd alone KiB |");
  console.log("| --- | --- | --- |");
  for (const [f, parts] of [...columns].sort((a, b) => sum(b[1]) - sum(a[1]))) {
    console.log(`| ${PAIRED_COLUMNS[f] ?? `field ${f}`} | ${kib(sum(parts))} | ${kib(zstdSize(parts))} |`);
  }
}

for (const file of process.argv.slice(2)) report(file);
