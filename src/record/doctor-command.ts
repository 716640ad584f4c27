// The `memtrace doctor` command: options and help. The checks are in doctor.ts.
import type { Command } from "commander";
import { doctor, formatDoctor } from "./doctor";

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .summary("check that memtrace can record here, and print what a bug report needs")
    .description(
      "Prints memtrace's version and folder, the platform, the node (its path, version, V8 and ABI), the native " +
        "files memtrace has for it, and then what a small test recording with that node shows: whether the " +
        "interposer loads, which agent the node gets and whether it names JS functions in native stacks, and how " +
        "much native memory has whole stacks (frame pointers up to node's start). Exits with 1 if any of it is a " +
        "problem.",
    )
    .option("--node <path>", "check this node instead of the one running memtrace (e.g. the one your app uses)")
    .addHelpText(
      "after",
      "\nExamples:\n  $ memtrace doctor\n  $ memtrace doctor --node ~/.nvm/versions/node/v24.11.0/bin/node\n",
    )
    .action(async (opts: { node?: string }) => {
      const lines = await doctor(opts.node);
      process.stdout.write(formatDoctor(lines));
      if (lines.some((l) => !l.ok)) process.exitCode = 1;
    });
}
