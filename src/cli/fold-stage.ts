// The fold in front of a report, or behind `memtrace fold`, from the command line's measure options.
import type { Transform } from "node:stream";
import { fold } from "../transforms/fold";
import { scanDurations } from "./durations";
import { foldNeedsDurations, foldOptionsOf, type MeasureCliOptions } from "./options";

export async function foldStage(
  file: string | undefined,
  opts: MeasureCliOptions,
  onWarning: (message: string) => void,
): Promise<Transform> {
  const options = foldOptionsOf(opts);
  const durations = foldNeedsDurations(options) ? await scanDurations(file) : undefined;
  return fold({ ...options, durations, onWarning });
}
