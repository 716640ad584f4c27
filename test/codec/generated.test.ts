// The generated message types must be what proto/memtrace.proto generates: the .proto is the contract, and the
// committed TypeScript must never drift from it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { needs } from "../sinks/tools";

const ROOT = join(__dirname, "..", "..");
const hasProtoc = spawnSync("protoc", ["--version"]).status === 0;

t.test(
  "given proto/memtrace.proto, when generated again, then it equals the committed src/codec/gen/memtrace_pb.ts",
  needs(hasProtoc, "protobuf-compiler"),
  async (t) => {
    const out = mkdtempSync(join(tmpdir(), "memtrace-gen-"));
    const r = spawnSync(
      "protoc",
      [
        `--plugin=protoc-gen-es=${join(ROOT, "node_modules", ".bin", "protoc-gen-es")}`,
        `--es_out=${out}`,
        "--es_opt=target=ts",
        `--proto_path=${join(ROOT, "proto")}`,
        join(ROOT, "proto", "memtrace.proto"),
      ],
      { encoding: "utf8" },
    );
    t.equal(r.status, 0, `protoc ran (${r.stderr.trim()})`);
    const fresh = readFileSync(join(out, "memtrace_pb.ts"), "utf8");
    const committed = readFileSync(join(ROOT, "src", "codec", "gen", "memtrace_pb.ts"), "utf8");
    t.ok(fresh === committed, "src/codec/gen/memtrace_pb.ts is up to date: if not, run `npm run proto` and commit it");
  },
);
