// Names common files that are not memtrace captures, from their first bytes, so that the error says what the
// user actually gave us ("a PNG image") rather than what went wrong parsing it.

interface Magic {
  bytes: number[];
  name: string;
}

const MAGICS: Magic[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], name: "a PNG image" },
  { bytes: [0x1f, 0x8b], name: "a gzip file (a pprof profile? memtrace writes pprof but reads only its own captures)" },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], name: "a zstd-compressed file (decompress it first)" },
  { bytes: [0x42, 0x5a, 0x68], name: "a bzip2-compressed file (decompress it first)" },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a], name: "an xz-compressed file (decompress it first)" },
  { bytes: [0x02, 0x21, 0x4c, 0x18], name: "a legacy-format LZ4 file (memtrace reads the LZ4 frame format)" },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], name: "an ELF binary" },
  { bytes: [0x50, 0x4b, 0x03, 0x04], name: "a zip archive" },
  { bytes: [0x25, 0x50, 0x44, 0x46], name: "a PDF document" },
  { bytes: [0xff, 0xd8, 0xff], name: "a JPEG image" },
  { bytes: [0x47, 0x49, 0x46, 0x38], name: "a GIF image" },
];

/** What the input looks like if it is a known foreign format, or undefined. */
export function describeForeign(head: Uint8Array): string | undefined {
  for (const m of MAGICS) {
    if (head.length >= m.bytes.length && m.bytes.every((b, i) => head[i] === b)) return m.name;
  }
  if (head.length > 0 && looksLikeText(head)) {
    const first = String.fromCharCode(head[0]);
    if (first === "{" || first === "[")
      return "a JSON file (a .heapprofile or speedscope file? memtrace reads only its own captures)";
    if (first === "<") return "an XML, SVG or HTML file";
    return "a text file (collapsed stacks? memtrace reads only its own captures)";
  }
  return undefined;
}

function looksLikeText(head: Uint8Array): boolean {
  const n = Math.min(head.length, 64);
  for (let i = 0; i < n; i++) {
    const b = head[i];
    if (b === 0x09 || b === 0x0a || b === 0x0d) continue;
    if (b < 0x20 || b === 0x7f) return false;
  }
  return true;
}

export function hexPrefix(head: Uint8Array, n = 8): string {
  return Array.from(head.subarray(0, n), (b) => b.toString(16).padStart(2, "0")).join(" ");
}
