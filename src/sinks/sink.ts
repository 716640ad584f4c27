// What a report is: a sink. Messages go in (object mode), the report's bytes come out.
//
// A report is one file in src/sinks/ that exports a SinkDefinition, plus one line in registry.ts. The CLI builds its
// command from the definition (name, help, examples, options); the library exposes `definition.create(options)` as a
// Transform to use with stream.pipeline. Sinks never open files or spawn processes: I/O stays in bin/ and src/cli/.
import type { Transform } from "node:stream";
import { stageTransform } from "../streams/stage";
import type { Message } from "../codec/model";
import { ProfileBuilder, type Profile } from "../model/profile";
import { FRAME_VIEWS, framesView, type FramesView } from "../transforms/app-view/view";

/** A command-line option of a report, declared once for the CLI and documented in its --help. */
export interface OptionSpec {
  /** commander flags, e.g. "--top <n>" or "--no-color". */
  flags: string;
  description: string;
  defaultValue?: string | number | boolean;
  /** Parses and validates the value; throws a UsageError (src/errors.ts) that says what was expected. */
  parse?: (value: string, previous: unknown) => unknown;
  choices?: readonly string[];
}

export type SinkInput = "profile" | "messages" | "capture";

export interface SinkDefinition<O = Record<string, unknown>> {
  /** The command name: `memtrace <name>`. */
  name: string;
  /** One line for `memtrace --help`. */
  summary: string;
  /** Longer help text, if the summary is not enough. */
  description?: string;
  /** Example command lines, shown in `memtrace <name> --help`. */
  examples: string[];
  options: OptionSpec[];
  /**
   * "profile": the report reads a folded profile (the CLI folds a raw capture first, with the measure options);
   * "messages": it reads the capture's Messages as they come;
   * "capture": it reads the capture's Messages and folds them itself, as often as it needs (pprof needs the chosen
   * measure and the total): the CLI adds the measure options and passes them, resolved, as `options.fold`.
   */
  input: SinkInput;
  /**
   * For a report whose input depends on its options: flame reads a profile, but `flame --html` folds the capture
   * itself (its time window needs every allocation's lifetime). The CLI asks this with the parsed options; the
   * measure options are offered whenever `input` is not "messages". Default: `input`.
   */
  inputOf?(options: O): SinkInput;
  /**
   * A report of messages reads paired scopes (format version 2: SiteTable, PairedBatch) itself, as dump prints
   * them. Reports of a profile or a capture read them whatever this says (fold and Folder pair them).
   */
  readsPaired?: boolean;
  /** The output is binary: the CLI refuses to write it to a terminal. */
  binaryOutput?: boolean;
  create(options: O): Transform;
}

/** The output of a profile report: all at once, or in pieces (for large outputs). */
export type Rendered = string | Uint8Array | Iterable<string | Uint8Array>;

/** `--frames`: which frames a report's stacks show (the app view, src/transforms/app-view/, by default). */
export interface FramesOptions {
  frames?: FramesView;
}

export const FRAMES_OPTION: OptionSpec = {
  flags: "--frames <which>",
  description:
    "app: the app's frames, with node's start-up folded into a frame per kind of thread and the runtime under the " +
    "app's code into one frame that says what it is; all: every frame as recorded",
  defaultValue: "app",
  choices: FRAME_VIEWS,
};

/**
 * A Transform for a report that renders a whole Profile: it collects the folded stream, then renders once at the
 * end, in the view of `options.frames` (the app view unless "all"). Memory is the Profile's (unique stacks), not
 * the capture's.
 */
export function profileSink<O extends FramesOptions>(
  render: (profile: Profile, options: O) => Rendered,
  options: O,
): Transform {
  return stageTransform<Message, string | Uint8Array>(
    (emit) => {
      const builder = new ProfileBuilder();
      return {
        push: (m) => builder.push(m),
        end: () => emitRendered(emit, render(framesView(builder.finish(), options.frames), options)),
      };
    },
    { objectInput: true, objectOutput: false },
  );
}

/** Hands on a report's output, whole or in pieces. */
export function emitRendered(emit: (piece: string | Uint8Array) => void, out: Rendered): void {
  if (typeof out === "string" || out instanceof Uint8Array) emit(out);
  else for (const piece of out) emit(piece);
}

/** A Transform for a report that writes as Messages arrive (dump): `write` returns text for each Message. */
export function messageSink(write: (m: Message) => string, end?: () => string): Transform {
  return stageTransform<Message, string>(
    (emit) => ({
      push: (m) => emit(write(m)),
      end: () => {
        const tail = end?.();
        if (tail) emit(tail);
      },
    }),
    { objectInput: true, objectOutput: false },
  );
}
