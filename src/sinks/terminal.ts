// Whether a text report colors its output and how wide it may be, when its options do not say. This is the one place
// a sink looks at its environment: the CLI passes -o in the options, and only a report written to a terminal
// (stdout, not a file) is colored and fitted to the terminal's width.
import { UsageError } from "../errors";
import type { OptionSpec } from "./sink";

export interface TerminalOptions {
  /** --color / --no-color; undefined when neither was given. */
  color?: boolean;
  /** --width; undefined: the terminal's width, or no limit when not writing to a terminal. */
  width?: number;
  /** -o: the report goes to this file rather than stdout. */
  output?: string;
  /** --wide: full names (no eliding: names.ts), and no fitting to the terminal's width. */
  wide?: boolean;
}

export interface Stdout {
  isTTY?: boolean;
  columns?: number;
}

export function terminalSettings(
  options: TerminalOptions,
  stdout: Stdout = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): { color: boolean; width: number | undefined } {
  const tty = (options.output === undefined || options.output === "-") && stdout.isTTY === true;
  // NO_COLOR (https://no-color.org) and TERM=dumb turn off colors unless --color asks for them.
  const color = options.color ?? (tty && !env.NO_COLOR && env.TERM !== "dumb");
  const width = options.wide ? undefined : (options.width ?? (tty && stdout.columns ? stdout.columns : undefined));
  return { color, width };
}

/**
 * The color of a share of the total, for a report's percentages: green under 10%, yellow under 50%, red from there
 * (memray's gradient, in three steps).
 */
export function shareColor(part: number, total: number): string {
  const share = total > 0 ? part / total : 0;
  return share >= 0.5 ? "31" : share >= 0.1 ? "33" : "32";
}

function parseColumns(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 40)
    throw new UsageError(`expected 40 columns or more, got "${value}"`);
  return n;
}

/** The options of every report written for a terminal: --width, --color and --no-color. */
export const TERMINAL_OPTIONS: OptionSpec[] = [
  {
    flags: "--width <columns>",
    description: "fit the output to this width (default: the terminal's)",
    parse: parseColumns,
  },
  {
    flags: "--wide",
    description: "full names: C++ templates and argument lists not elided, nothing cut to fit the terminal's width",
  },
  { flags: "--color", description: "color the output even when not writing to a terminal" },
  { flags: "--no-color", description: "no colors (NO_COLOR in the environment does the same)" },
];
