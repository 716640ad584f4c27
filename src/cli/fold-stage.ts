// The fold in front of a report, or behind `memtrace fold`, from the command line's measure options.
import type { Transform } from "node:stream";
import { fold, type FoldOptions } from "../transforms/fold";
import { scanDurations } from "./durations";
import { foldNeedsDurations, foldOptionsOf, type MeasureCliOptions } from "./options";

export async function foldStage(
  file: string | undefined,
  opts: MeasureCliOptions,
  onWarning: (message: string) => void,
  extra: Pick<FoldOptions, "timeline"> = {},
): Promise<Transform> {
  return fold({ ...(await resolveFoldOptions(file, opts, onWarning)), ...extra });
}

/** The fold options of the command line, with what only the CLI can find out (the runs' lengths, from the file). */
export async function resolveFoldOptions(
  file: string | undefined,
  opts: MeasureCliOptions,
  onWarning: (message: string) => void,
): Promise<FoldOptions> {
  const options = foldOptionsOf(opts);
  const durations = foldNeedsDurations(options) ? await scanDurations(file) : undefined;
  return { ...options, durations, onWarning };
}
