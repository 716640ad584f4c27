// The memtrace command. Each command's modules are loaded only when it runs: `record` starts the app, and the
// reports, the protobuf runtime and the other commands would delay it; a report loads itself and not the others.
// Help without a command, and a command memtrace does not know, build the whole program.
import { setFlagsFromString } from "node:v8";
import { Command, CommanderError } from "commander";
import { EXIT_OK, EXIT_USAGE, exitQuietlyWhenReaderGoes } from "./io";
import { normalizeArgv } from "./argv";
import { SINK_LOADERS } from "../sinks/registry";

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

type Register = (program: Command) => void;

/**
 * Every command that is not a report, in the order `memtrace --help` lists them, by the names it registers: each
 * loads its modules only when it is registered, and the CLI registers only the command it runs.
 */
const COMMANDS: [string[], Register][] = [
  [["record"], (p) => (require("../record/command") as typeof import("../record/command")).registerRecordCommand(p)],
  [
    ["attach", "detach"],
    (p) => (require("../attach/command") as typeof import("../attach/command")).registerAttachCommands(p),
  ],
  [["fold"], (p) => (require("./capture-commands") as typeof import("./capture-commands")).registerFold(p)],
  [["filter"], (p) => (require("./capture-commands") as typeof import("./capture-commands")).registerFilter(p)],
  [["diff"], (p) => (require("./diff-command") as typeof import("./diff-command")).registerDiff(p)],
  [["live"], (p) => (require("./live-command") as typeof import("./live-command")).registerLiveCommand(p)],
  [
    ["doctor"],
    (p) => (require("../record/doctor-command") as typeof import("../record/doctor-command")).registerDoctorCommand(p),
  ],
];

/** A report of the sink registry as a command. */
function reportCommand(name: string): Register {
  return (p) => (require("./sink-command") as typeof import("./sink-command")).registerSink(p, SINK_LOADERS[name]());
}

/** The command named, or every command (for help, and for a name commander should say it does not know). */
export function buildProgram(command?: string): Command {
  const program = baseProgram();
  const one = COMMANDS.find(([names]) => command !== undefined && names.includes(command))?.[1];
  if (one) {
    one(program);
    return program;
  }
  if (command !== undefined && Object.hasOwn(SINK_LOADERS, command)) {
    reportCommand(command)(program);
    return program;
  }
  for (const [, register] of COMMANDS) register(program);
  for (const name of Object.keys(SINK_LOADERS)) reportCommand(name)(program);
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

/**
 * A command reads a stream once and keeps little: V8's young generation would grow to 32 MB for garbage that dies
 * young anyway. Set at run time this flag still acts (--max-semi-space-size does not: the heap is sized at start).
 */
function keepYoungGenerationSmall(): void {
  setFlagsFromString("--semi-space-growth-factor=1");
}

export async function main(argv: string[] = process.argv): Promise<void> {
  keepYoungGenerationSmall();
  exitQuietlyWhenReaderGoes();
  const args = argv.slice(2);
  const command = args.find((a) => !a.startsWith("-"));
  // --version needs no command at all.
  const version = command === undefined && args.some((a) => a === "-V" || a === "--version");
  const program = version ? baseProgram() : buildProgram(command);
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
