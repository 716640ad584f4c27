// dump of a paired capture (format versions 2 and 3): sites by id, and each row as what it means.
import t from "tap";
import { decodeAll } from "../../src/codec/decoder";
import { encodeAll } from "../../src/codec/encoder";
import type { Message } from "../../src/codec/model";
import { DumpFormatter } from "../../src/sinks/dump";
import { Pairer } from "../../src/transforms/pair";
import { handComputed } from "../fixtures/captures";

function pairedDump(messages: Message[]): string {
  const out: Message[] = [];
  const pairer = new Pairer((m) => out.push(m));
  for (const m of messages) pairer.push(m);
  pairer.end();
  const dump = new DumpFormatter();
  return decodeAll(encodeAll(out), { paired: true })
    .map((m) => dump.format(m))
    .join("");
}

t.test("given the hand-computed capture paired, then dump names each row's site, age or mapping", async (t) => {
  const text = pairedDump(handComputed().messages);
  t.match(
    text,
    "pid 10 sites first=1 n=6\n" +
      "  site 1 malloc size=100 stack=2 count=1\n" +
      "  site 2 malloc size=200 stack=4 count=1\n" +
      "  site 3 calloc size=300 stack=5 count=1\n" +
      "  site 4 mmap size=16384 stack=6 count=1\n" +
      "  site 5 realloc size=600 stack=5 count=1\n" +
      "  site 6 js size=1024 stack=7 count=3\n",
  );
  // The numbers' events (test/fixtures/captures.ts): a free names the allocation it releases by age (1: the latest
  // allocation of the process), an mmap and a munmap keep their addresses, a free of 0xdead released nothing.
  t.match(
    text,
    "pid 10 paired n=12 frees=6 extra=0 frees-as-steps\n" +
      "  t=100 tid=10 site=1\n" +
      "  t=200 tid=11 site=2\n" +
      "  t=300 tid=10 site=3\n" +
      "  t=400 tid=10 free age=3\n" +
      "  t=500 tid=11 site=4 address=0x10000\n" +
      "  t=600 tid=10 munmap 0x11000 length=4096\n" +
      "  t=700 tid=10 realloc (old block) age=2\n" +
      "  t=700 tid=10 site=5\n" +
      "  t=800 tid=10 free age=4\n" +
      "  t=900 tid=11 site=6\n" +
      "  t=950 tid=10 js (collected) age=1\n" +
      "  t=1000 tid=10 free released nothing\n",
  );
});

t.test("given a paired batch that names sites and columns it lacks, then dump prints ? and no error", async (t) => {
  const dump = new DumpFormatter();
  const text = dump.format({
    type: "paired",
    pid: 1,
    batch: {
      length: 2,
      op: Float64Array.from([2, 3]),
      freeReference: 0,
      time: Float64Array.from([1, 2]),
      tid: Uint32Array.from([1, 1]),
      freeKind: new Uint8Array(0),
      address: new Float64Array(0),
      unmapLength: new Float64Array(0),
      extraRow: Uint32Array.from([0]),
      extraAge: Float64Array.from([1]),
      extraKind: Uint8Array.from([9]),
    },
  });
  t.equal(text, "pid 1 paired n=2 frees=0 extra=1\n  t=1 tid=1 site=1 releases age=1 (?)\n  t=2 tid=1 ? late\n");
});
