// The stream shapes around a push-based stage. A stage (the decoder, fold, filter, a report writing as it reads)
// is an object with push(input) and end(), handing its output to `emit`; this file gives it the two public shapes:
// a Transform for stream.pipeline, and an async generator over an iterable. Errors a stage throws go through the
// stream's callback, so that pipeline() rejects with them.
import { Transform, type TransformCallback } from "node:stream";

export interface Stage<I> {
  push(input: I): void;
  end(): void;
}

export interface StageModes {
  /** Whether the input is objects (Messages) or bytes. */
  objectInput?: boolean;
  /** Whether the output is objects (Messages) or bytes/strings. */
  objectOutput?: boolean;
}

export function stageTransform<I, O>(make: (emit: (out: O) => void) => Stage<I>, modes: StageModes = {}): Transform {
  const stream: Transform = new Transform({
    writableObjectMode: modes.objectInput ?? true,
    readableObjectMode: modes.objectOutput ?? true,
    transform(input: I, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        stage.push(input);
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
  const stage = make((out) => stream.push(out));
  return stream;
}

/** Runs a push-based stage over an iterable, as an async generator of its output. */
export async function* stageIterate<I, O>(
  source: AsyncIterable<I> | Iterable<I>,
  make: (emit: (out: O) => void) => Stage<I>,
): AsyncGenerator<O> {
  const out: O[] = [];
  const stage = make((o) => out.push(o));
  for await (const input of source) {
    stage.push(input);
    yield* out;
    out.length = 0;
  }
  stage.end();
  yield* out;
}
