// The record layout is written down three times: the .proto (the contract, from which src/codec/gen is generated),
// the TypeScript codec's table of Record body fields, and the C++ recorder, which encodes Records by hand. These
// tests hold the copies to the .proto, so that a field renumbered in one place fails here rather than in a capture.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import type { DescMessage } from "@bufbuild/protobuf";
import * as pb from "../../src/codec/gen/memtrace_pb";
import { FREE_AGE, FREE_STEP } from "../../src/codec/model";
import { BODY_FIELD } from "../../src/codec/records";

const ROOT = join(__dirname, "..", "..");
const native = (file: string) => readFileSync(join(ROOT, "native", "preload", file), "utf8");

/** The .proto's Record body: oneof field name (or its TypeScript name) -> number. */
function bodyFields(local = false): Map<string, number> {
  const body = pb.RecordSchema.oneofs.find((o) => o.name === "body")!;
  return new Map(body.fields.map((f) => [local ? f.localName : f.name, f.number]));
}

/** `kFooBar = 3,` entries of a C++ enum, by name. */
function cppEnum(source: string, name: string): Map<string, number> {
  const block = new RegExp(`enum ${name}[^{]*\\{([^}]*)\\}`).exec(source);
  if (!block) throw new Error(`enum ${name} not found`);
  return new Map([...block[1].matchAll(/k(\w+)\s*=\s*(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

const snake = (camel: string) => camel.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

t.test(
  "given the .proto's Record body, when the TypeScript codec's BODY_FIELD is compared, then they agree",
  async (t) => {
    t.same(new Map(Object.entries(BODY_FIELD)), bodyFields(true));
  },
);

t.test(
  "given the .proto's Record body, when the recorder's RecordField is compared, then every entry agrees",
  async (t) => {
    const fields = bodyFields();
    const cpp = cppEnum(native("record_writer.h"), "RecordField");
    t.ok(cpp.size >= 10, `${cpp.size} entries read`);
    for (const [name, number] of cpp) t.equal(fields.get(snake(name)), number, `RecordField k${name}`);
  },
);

t.test(
  "given the .proto's EventKind, when the recorder's event kinds are compared, then every value agrees",
  async (t) => {
    const kinds = cppEnum(native("tracking.h"), "EventKind");
    t.ok(kinds.size >= 15, `${kinds.size} entries read`);
    for (const [name, value] of kinds) {
      t.equal(pb.EventKind[snake(name).toUpperCase() as keyof typeof pb.EventKind], value, `EventKind k${name}`);
    }
    const js = /kJsSample = (\d+), kJsSampleFreed = (\d+)/.exec(native("record_writer.cpp"));
    t.same([Number(js?.[1]), Number(js?.[2])], [pb.EventKind.JS_SAMPLE, pb.EventKind.JS_SAMPLE_FREED], "JS samples");
  },
);

t.test(
  "given the byte layouts drawn in the recorder's comments, when each field is looked up in the .proto, then its number agrees",
  async (t) => {
    const messages = new Map<string, DescMessage>();
    for (const v of Object.values(pb) as unknown[]) {
      const m = v as DescMessage;
      if (m?.kind === "message") messages.set(m.name, m);
    }
    let checked = 0;
    for (const file of ["record_writer.h", "record_writer.cpp", "pairing.cpp"]) {
      // A layout comment: "// Name: a(1), b(2) {c(1)}, ..." possibly continued on the next comment lines.
      const text = native(file).replace(/\n\s*\/\/ (?![A-Z]\w*: )/g, " ");
      for (const m of text.matchAll(/\/\/ ([A-Z]\w*): ([^\n]*)/g)) {
        const schema = messages.get(m[1]);
        if (!schema) continue;
        // Sub-messages in braces are another message's fields: only the top level is this one's.
        const top = m[2].replace(/\{[^}]*\}/g, "");
        for (const f of top.matchAll(/\b([a-z][a-z0-9_]*)\((\d+)\)/g)) {
          const field = schema.fields.find((x) => x.name === f[1]);
          t.equal(field?.number, Number(f[2]), `${file}: ${m[1]}.${f[1]}`);
          checked++;
        }
      }
    }
    t.ok(checked > 60, `${checked} fields checked`);
  },
);

t.test(
  "given the .proto's EventKind, ExtraRelease and FreeReference, when the paired format's C++ values are compared, then they agree",
  async (t) => {
    const header = readFileSync(join(ROOT, "native", "include", "memtrace", "paired_format.h"), "utf8");
    const values = new Map([...header.matchAll(/constexpr uint8_t k(\w+) = (\d+);/g)].map((m) => [m[1], Number(m[2])]));
    t.equal(values.size, 10, "10 values read");
    for (const name of ["Mmap", "Mremap", "JsSample", "Munmap", "JsSampleFreed"]) {
      t.equal(values.get(name), pb.EventKind[snake(name).toUpperCase() as keyof typeof pb.EventKind], `k${name}`);
    }
    for (const name of ["Early", "Overwritten", "Awaited"]) {
      t.equal(values.get(name), pb.ExtraRelease[name.toUpperCase() as keyof typeof pb.ExtraRelease], `k${name}`);
    }
    t.equal(values.get("FreeAge"), pb.FreeReference.AGE, "kFreeAge");
    t.equal(values.get("FreeStep"), pb.FreeReference.STEP, "kFreeStep");
    t.equal(FREE_AGE, pb.FreeReference.AGE, "FREE_AGE");
    t.equal(FREE_STEP, pb.FreeReference.STEP, "FREE_STEP");
  },
);
