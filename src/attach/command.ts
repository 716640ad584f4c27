// The `memtrace attach` and `memtrace detach` commands: options and help. The work is in attach.ts and detach.ts.
import { InvalidArgumentError, type Command } from "commander";
import { EXIT_BAD_INPUT, EXIT_USAGE } from "../cli/io";
import { UsageError } from "../errors";
import { intIn } from "../record/command";
import { NativeBuildMissing, NoAgent } from "../record/native";
import { TrackError } from "../track/tracker";
import { attach } from "./attach";
import { detach } from "./detach";
import { AttachError } from "./target-process";

function pid(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError(`expected a process id, got "${value}"`);
  return Number(value);
}

function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0)
    throw new InvalidArgumentError(`expected seconds above 0, got "${value}"`);
  return n;
}

interface AttachCliOptions {
  output?: string;
  compress?: boolean;
  duration?: number;
  stackDepth?: number;
  nativeOnly?: boolean;
  jsInterval?: number;
  paired?: boolean;
}

/** Maps what went wrong to one line and an exit status: the process cannot be recorded (1), bad usage (2). */
function fail(cmd: Command, e: unknown): void {
  if (e instanceof AttachError || e instanceof TrackError || e instanceof NoAgent) {
    process.stderr.write(`memtrace ${cmd.name()}: ${e.message}\n`);
    process.exitCode = EXIT_BAD_INPUT;
    return;
  }
  if (e instanceof UsageError || e instanceof NativeBuildMissing) cmd.error(e.message, { exitCode: EXIT_USAGE });
  throw e;
}

export function registerAttachCommands(program: Command): void {
  program
    .command("attach")
    .summary("record a running node process, from now until Ctrl-C, --duration or memtrace detach")
    .description(
      "Starts recording in a node process that runs without memtrace: every native allocation of its threads, with " +
        "JS and native stacks, from now on. Node's inspector is the way in: SIGUSR1 opens it (node prints " +
        '"Debugger listening on ..." on the process\'s stderr), memtrace loads its recorder through it and closes ' +
        "it again. The process runs on unharmed after the recording, and ends with its own exit code.",
    )
    .argument("<pid>", "the process id", pid)
    .option(
      "-o, --output <file>",
      "write the capture to this file (default: stdout, or memtrace-attach.<pid>.mtrace at a terminal)",
    )
    .option("--duration <seconds>", "stop after this many seconds", seconds)
    .option("--compress", "compress the capture (zstd), also when it goes to a pipe")
    .option("--no-compress", "do not compress the capture, also when it goes to a file")
    .option("--stack-depth <n>", "the most frames recorded per stack", intIn(1, 512))
    .option("--native-only", "do not start memtrace's agent in the process: JS frames stay unnamed")
    .option(
      "--js-interval <bytes>",
      "sample the V8 heap about every <bytes> allocated bytes (0: never)",
      intIn(0, 1 << 30),
    )
    .option(
      "--paired",
      "pair each free with its allocation as it records (format version 4, the default, as memtrace record's)",
    )
    .option("--no-paired", "write every event as it came, with its address, for fold to pair (format version 1)")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  $ memtrace attach 4242 --duration 30 -o server.mtrace\n" +
        "  $ memtrace attach 4242 -o server.mtrace &   # then, later:\n" +
        "  $ memtrace detach 4242\n",
    )
    .action(async (target: number, opts: AttachCliOptions, cmd: Command) => {
      try {
        await attach(target, {
          output: opts.output,
          compress: opts.compress,
          duration: opts.duration,
          stackDepth: opts.stackDepth,
          nativeOnly: opts.nativeOnly,
          jsInterval: opts.jsInterval,
          paired: opts.paired,
          say: (line) => process.stderr.write(`${line}\n`),
        });
      } catch (e) {
        fail(cmd, e);
      }
    });

  program
    .command("detach")
    .summary("stop the memtrace attach that records a process")
    .argument("<pid>", "the process id", pid)
    .action(async (target: number, _opts: unknown, cmd: Command) => {
      try {
        const output = await detach(target);
        process.stderr.write(`memtrace: stopped recording process ${target}; the capture is in ${output}\n`);
      } catch (e) {
        fail(cmd, e);
      }
    });
}
