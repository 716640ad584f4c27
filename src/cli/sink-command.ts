// Builds the command of a report from its SinkDefinition: input file or stdin, -o, the report's own options, and
// for reports that read a profile, the measure options and the fold in front of the report.
import { Option, type Command } from "commander";
import { createDecodeStream } from "../codec/decoder";
import type { OptionSpec, SinkDefinition } from "../sinks/sink";
import { foldStage, resolveFoldOptions } from "./fold-stage";
import { progress } from "./progress";
import { inputName, openInputOutput, report, run, warn } from "./io";
import { addMeasureOptions, commanderParser } from "./options";

export function registerSink(program: Command, def: SinkDefinition<never>): void {
  const cmd = program
    .command(`${def.name} [file]`)
    .summary(def.summary)
    .description(def.description ?? def.summary)
    .option("-o, --output <file>", "write to this file instead of stdout");
  addOptions(cmd, def.options);
  if (def.input !== "messages") addMeasureOptions(cmd);
  cmd.addHelpText("after", examples(def.examples));
  cmd.action(async (file: string | undefined, opts: Record<string, unknown>) => {
    let status: number;
    try {
      const onWarning = (w: { message: string }) => warn(def.name, inputName(file), w.message);
      const kind = def.inputOf?.(opts as never) ?? def.input;
      // The options first: a mistake in them is reported before any file is opened.
      const folding = kind === "profile" ? [await foldStage(file, opts, (message) => onWarning({ message }))] : [];
      // A report that folds by itself gets the fold options resolved here: finding a run's length reads the file.
      const sink = def.create(
        (kind === "capture"
          ? { ...opts, fold: await resolveFoldOptions(file, opts, (message) => onWarning({ message })) }
          : opts) as never,
      );
      const { input, output } = openInputOutput(
        file,
        opts.output as string | undefined,
        def.binaryOutput ?? false,
        def.name,
      );
      const stages = [
        input.stream,
        progress(def.name, file),
        // Paired scopes (format version 2) are read by fold, and by the reports that fold or print records.
        createDecodeStream({ onWarning, paired: kind !== "messages" || def.readsPaired }),
        ...folding,
        sink,
        output.stream,
      ];
      status = await run(def.name, input, stages);
    } catch (e) {
      status = report(def.name, undefined, e);
    }
    process.exitCode = status;
  });
}

/** A report's options, as commander options. */
export function addOptions(cmd: Command, specs: OptionSpec[]): void {
  for (const spec of specs) {
    const option = new Option(spec.flags, spec.description);
    if (spec.defaultValue !== undefined) option.default(spec.defaultValue);
    if (spec.choices) option.choices(spec.choices);
    if (spec.parse) option.argParser(commanderParser(spec.parse));
    cmd.addOption(option);
  }
}

export function examples(lines: string[]): string {
  return lines.length ? `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n` : "";
}
