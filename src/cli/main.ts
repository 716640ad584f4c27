// The memtrace command: every report from the sink registry, plus the commands that write captures.
import { Command, CommanderError } from "commander";
import { SINKS } from "../sinks/registry";
import { registerFilter, registerFold } from "./capture-commands";
import { EXIT_OK, EXIT_USAGE } from "./io";
import { normalizeArgv } from "./options";
import { registerSink } from "./sink-command";
import { registerRecordCommand } from "../record/command";

const VERSION: string = require("../../../package.json").version;

export function buildProgram(): Command {
  const program = new Command("memtrace")
    .description(
      "A memory profiler for Node.js: records every native allocation and the V8 heap with JavaScript and native " +
        "call stacks, then turns the capture into reports. Commands read a file or stdin and compose with pipes.",
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`memtrace: ${text.replace(/^error: /, "")}`) });

  // Commands that are not reports
  registerRecordCommand(program);
  registerFold(program);
  registerFilter(program);

  for (const sink of SINKS) registerSink(program, sink);

  program.addHelpText(
    "after",
    "\nExamples:\n" +
      "  $ memtrace record app.js | memtrace fold | memtrace flame > flame.svg\n" +
      "  $ memtrace summary app.mtrace\n" +
      "  $ memtrace fold --leaks app.mtrace | memtrace collapsed > leaks.folded\n",
  );
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
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
