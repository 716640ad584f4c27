// The sink side of `input: "capture"`: a report that needs more than one measure of the same capture (pprof wants
// what was allocated and what was in use) folds the capture itself, once per measure, in one pass over its Messages.
//
// Each fold is a Folder of its own, fed the same Messages (folds read them and never change them). This costs the
// memory of two folds: the rows twice, and each process's live blocks twice, since a Folder pairs frees with their
// allocations whatever its measure. A stream folded before holds the one-pass measures (total among them) beside its
// own, and gives both; one folded before those were written holds its own measure alone, and gives the chosen alone.
import type { Transform } from "node:stream";
import { stageTransform } from "../../streams/stage";
import { Content, Measure, type Message } from "../../codec/model";
import { measuresOf } from "../../transforms/fold";
import { ProfileBuilder, type Profile } from "../../model/profile";
import { Folder, type FoldOptions } from "../../transforms/fold";
import { emitRendered, type Rendered } from "../sink";

export interface Folds {
  /** The capture folded by the measure asked for (the default: a folded input's own, else peak). */
  chosen: Profile;
  /** The capture folded by --total; undefined when the input was folded before, or when total was chosen. */
  total: Profile | undefined;
}

class Fold {
  private readonly builder = new ProfileBuilder();
  readonly folder: Folder;

  constructor(options: FoldOptions) {
    this.folder = new Folder((m) => this.builder.push(m), options);
  }

  finish(): Profile {
    this.folder.end();
    return this.builder.finish();
  }
}

/** A Transform that folds its input by the chosen measure and by total, then renders both once at the end. */
export function foldsSink<O>(fold: FoldOptions, render: (folds: Folds, options: O) => Rendered, options: O): Transform {
  const chosen = new Fold(fold);
  // Warnings (threads merged approximately) would come twice: the second fold keeps quiet.
  let total = fold.measure === "total" ? undefined : new Fold({ ...fold, measure: "total", onWarning: undefined });
  return stageTransform<Message, string | Uint8Array>(
    (emit) => ({
      push: (m) => {
        // A folded stream comes after the raw headers of its processes: one without total rows has no total fold.
        if (m.type === "header" && m.header.content === Content.FOLDED && m.header.fold) {
          if (!measuresOf(m.header.fold).includes(Measure.TOTAL)) total = undefined;
        }
        chosen.folder.push(m);
        total?.folder.push(m);
      },
      end: () => emitRendered(emit, render({ chosen: chosen.finish(), total: total?.finish() }, options)),
    }),
    { objectInput: true, objectOutput: false },
  );
}
