// The Transform around a push-based stage (fold, filter): Messages in, Messages out, errors through the callback.
import { Transform, type TransformCallback } from "node:stream";
import type { Message } from "../codec/model";

export interface PushStage {
  push(m: Message): void;
  end(): void;
}

export function pushTransform(make: (emit: (m: Message) => void) => PushStage): Transform {
  const stream: Transform = new Transform({
    objectMode: true,
    transform(m: Message, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        stage.push(m);
        callback();
      } catch (e) {
        callback(e as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        stage.end();
        callback();
      } catch (e) {
        callback(e as Error);
      }
    },
  });
  const stage = make((m) => stream.push(m));
  return stream;
}

/** Runs a push-based stage over an async iterable of Messages. */
export async function* pushIterate(
  source: AsyncIterable<Message> | Iterable<Message>,
  make: (emit: (m: Message) => void) => PushStage,
): AsyncGenerator<Message> {
  const out: Message[] = [];
  const stage = make((m) => out.push(m));
  for await (const m of source) {
    stage.push(m);
    yield* out;
    out.length = 0;
  }
  stage.end();
  yield* out;
}
