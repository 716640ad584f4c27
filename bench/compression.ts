// The capture's compressor, chosen by measurement: LZ4 as the recorder wrote it (one frame per 256 KiB chunk) beside
// zstd at several levels and windows, streamed as the recorder writes it (one frame, flushed at every 256 KiB chunk)
// and as independent frames per chunk. Prints size, compression and decompression speed in one run, on the same
// bytes; speeds are per second of this process's CPU time (user + system), which other work on a busy machine
// disturbs less than wall time, and each is the best of three. Node's own zstd (node:zlib, Node >= 22.15) is measured too when the running node has it: it is the same
// library, so it shows whether the binding costs anything.
//
//   npm run build && node dist/bench/compression.js capture.mtrace [more.mtrace ...]   (uncompressed captures)
import { readFileSync } from "node:fs";
import * as zlib from "node:zlib";
import { Lz4FrameDecoder, compressFrame } from "../src/codec/lz4";
import { ZstdStreamDecoder, ZstdStreamEncoder, compressZstdFrame, type ZstdSettings } from "../src/codec/zstd";

const CHUNK = 256 * 1024;

interface Variant {
  name: string;
  compress: (data: Buffer) => Buffer[];
  decompress?: (parts: Buffer[]) => number;
}

function chunks(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += CHUNK) out.push(data.subarray(at, at + CHUNK));
  return out;
}

function lz4Decode(parts: Buffer[]): number {
  let n = 0;
  const d = new Lz4FrameDecoder((c) => (n += c.length));
  for (const p of parts) d.write(p);
  return n;
}

function zstdDecode(parts: Buffer[]): number {
  let n = 0;
  const d = new ZstdStreamDecoder((c) => (n += c.length));
  for (const p of parts) d.write(p);
  return n;
}

function zstdStream(s: ZstdSettings): Variant {
  return {
    name: `zstd ${s.level}, window 2^${s.windowLog}, one frame flushed per chunk`,
    compress: (data) => {
      const e = new ZstdStreamEncoder(s);
      const out = chunks(data).map((c) => e.flush([c]));
      out.push(e.end());
      return out;
    },
    decompress: zstdDecode,
  };
}

const variants: Variant[] = [
  {
    name: "LZ4, a frame per chunk (the recorder until now)",
    compress: (d) => chunks(d).map(compressFrame),
    decompress: lz4Decode,
  },
  ...[-5, -1, 1, 3].map((level) => zstdStream({ level, windowLog: 23 })),
  zstdStream({ level: 3, windowLog: 20 }),
  zstdStream({ level: 3, windowLog: 27 }),
  ...[6, 9].map((level) => zstdStream({ level, windowLog: 23 })),
  {
    name: "zstd 3, a frame per chunk",
    compress: (d) => chunks(d).map((c) => compressZstdFrame(c, { level: 3, windowLog: 18 })),
    decompress: zstdDecode,
  },
];
if (typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === "function") {
  const z = zlib as unknown as { zstdCompressSync(b: Buffer, o: object): Buffer; constants: Record<string, number> };
  variants.push({
    name: `node:zlib zstd 3, whole input (Node ${process.versions.node})`,
    compress: (d) => [z.zstdCompressSync(d, { params: { [z.constants.ZSTD_c_compressionLevel]: 3 } })],
    decompress: zstdDecode,
  });
}

/** The least CPU time (seconds) of three runs of `f`. */
function best(f: () => unknown): number {
  let least = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = process.cpuUsage();
    f();
    const used = process.cpuUsage(start);
    least = Math.min(least, (used.user + used.system) / 1e6);
  }
  return least;
}

function main(): void {
  const files = process.argv.slice(2);
  if (files.length === 0) throw new Error("usage: node dist/bench/compression.js capture.mtrace ...");
  for (const file of files) {
    const data = readFileSync(file);
    const mb = data.length / 1e6;
    console.log(`\n${file}: ${mb.toFixed(1)} MB uncompressed\n`);
    console.log("| compression | size | ratio | compress MB/s (CPU) | decompress MB/s (CPU) |");
    console.log("| --- | --- | --- | --- | --- |");
    for (const v of variants) {
      let parts: Buffer[] = [];
      const ct = best(() => (parts = v.compress(data)));
      const size = parts.reduce((s, p) => s + p.length, 0);
      let dec = "";
      if (v.decompress) {
        let n = 0;
        const dt = best(() => (n = v.decompress!(parts)));
        if (n !== data.length) throw new Error(`${v.name}: decompressed ${n} bytes of ${data.length}`);
        dec = (mb / dt).toFixed(0);
      }
      const row = [v.name, `${(size / 1e6).toFixed(2)} MB`, (data.length / size).toFixed(1), (mb / ct).toFixed(0), dec];
      console.log(`| ${row.join(" | ")} |`);
    }
  }
}

main();
