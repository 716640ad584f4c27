// The memtrace command. `record` starts the app, so it loads only what recording needs (the reports and the
// protobuf runtime would add about 0.3 s before the app starts); every other command builds the whole program.
import { Command, CommanderError } from "commander";
import { EXIT_OK, EXIT_USAGE, exitQuietlyWhenReaderGoes } from "./io";
import { normalizeArgv } from "./argv";

const VERSION: string = require("../../../package.json").version;

function baseProgram(): Command {
  return new Command("memtrace")
    .description(
      "A memory profiler for Node.js: records every native allocation and the V8 heap with JavaScript and native " +
        "call stacks, then turns the capture into reports. Commands read a file or stdin and compose with pipes.",
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`memtrace: ${text.replace(/^error: /, "")}`) });
}

/** Every command: record, fold, filter and the reports of the sink registry. */
export function buildProgram(): Command {
  const program = baseProgram();
  const { registerRecordCommand } = require("../record/command") as typeof import("../record/command");
  const { registerDoctorCommand } = require("../record/doctor-command") as typeof import("../record/doctor-command");
  const { registerFilter, registerFold } = require("./capture-commands") as typeof import("./capture-commands");
  const { registerDiff } = require("./diff-command") as typeof import("./diff-command");
  const { registerLiveCommand } = require("./live-command") as typeof import("./live-command");
  const { registerSink } = require("./sink-command") as typeof import("./sink-command");
  const { SINKS } = require("../sinks/registry") as typeof import("../sinks/registry");

  const { registerAttachCommands } = require("../attach/command") as typeof import("../attach/command");

  // Commands that are not reports
  registerRecordCommand(program);
  registerAttachCommands(program);
  registerFold(program);
  registerFilter(program);
  registerDiff(program);
  registerLiveCommand(program);
  registerDoctorCommand(program);

  for (const sink of SINKS) registerSink(program, sink);

  program.addHelpText(
    "after",
    "\nExamples:\n" +
      "  $ memtrace record app.js | memtrace fold | memtrace flame > flame.svg\n" +
      "  $ memtrace summary app.mtrace\n" +
      "  $ memtrace fold --leaks app.mtrace | memtrace collapsed > leaks.folded\n" +
      "  $ memtrace diff --fail-over 1MiB before.mtrace after.mtrace\n",
  );
  return program;
}

/** Only the record command. */
function buildRecordProgram(): Command {
  const program = baseProgram();
  const { registerRecordCommand } = require("../record/command") as typeof import("../record/command");
  registerRecordCommand(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  exitQuietlyWhenReaderGoes();
  const command = argv.slice(2).find((a) => !a.startsWith("-"));
  const program = command === "record" ? buildRecordProgram() : buildProgram();
  try {
    await program.parseAsync(normalizeArgv(argv));
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and --version exit 0; everything commander rejects is a usage error.
      process.exitCode = e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      return;
    }
    throw e;
  }
}
