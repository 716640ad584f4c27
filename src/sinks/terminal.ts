// Whether a text report colors its output and how wide it may be, when its options do not say. This is the one place
// a sink looks at its environment: the CLI passes -o in the options, and only a report written to a terminal
// (stdout, not a file) is colored and fitted to the terminal's width.

export interface TerminalOptions {
  /** --color / --no-color; undefined when neither was given. */
  color?: boolean;
  /** --width; undefined: the terminal's width, or no limit when not writing to a terminal. */
  width?: number;
  /** -o: the report goes to this file rather than stdout. */
  output?: string;
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
  const width = options.width ?? (tty && stdout.columns ? stdout.columns : undefined);
  return { color, width };
}
