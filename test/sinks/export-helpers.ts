// Runs an export report in this process as the CLI runs it (decode, fold by the measure unless the report folds by
// itself, the report), and makes what the external checks need: temp folders, and the environment of `go`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { decodeAll } from "../../src/codec/decoder";
import type { Message } from "../../src/codec/model";
import type { SinkDefinition } from "../../src/sinks/sink";
import { fold, type FoldOptions, type MeasureName } from "../../src/transforms/fold";

export async function runSink<O>(
  def: SinkDefinition<O>,
  input: Uint8Array | Message[],
  options: { measure?: MeasureName; fold?: FoldOptions; [option: string]: unknown } = {},
): Promise<Buffer> {
  const messages = input instanceof Uint8Array ? decodeAll(input) : input;
  const { measure, fold: foldOptions, ...own } = options;
  const how: FoldOptions = { ...foldOptions, measure: measure ?? foldOptions?.measure };
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  const source = Readable.from(messages, { objectMode: true });
  if (def.input === "capture") await pipeline(source, def.create({ ...own, fold: how } as O), out);
  // Every frame of the small captures (as runReport reads them), unless the options say otherwise.
  else await pipeline(source, fold(how), def.create({ frames: "all", ...own } as O), out);
  return Buffer.concat(chunks);
}

/** A fresh folder for files, removed after the test. */
export function tempDir(t: { teardown(f: () => void): void }, prefix = "memtrace-export-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
