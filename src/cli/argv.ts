// The command line as commander should see it. In a module of its own, with no imports: `memtrace record`
// reads it before it starts the app.

/**
 * Rewrites the options whose values commander would take greedily, so that a file after them stays a file:
 * `--temporary app.mtrace` (an optional count that is not a number) and `--between 2s 5s app.mtrace` (two values).
 */
export function normalizeArgv(argv: string[]): string[] {
  // `memtrace record app.js --between 1 2`: everything after `record` belongs to it or to the app, never to fold.
  if (argv.slice(2).find((a) => !a.startsWith("-")) === "record") return argv;
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--temporary") {
      const next = argv[i + 1];
      if (next !== undefined && /^\d+$/.test(next)) {
        out.push(`--temporary=${next}`);
        i++;
      } else out.push("--temporary=1");
    } else if (a === "--between" && i + 2 < argv.length + 1) {
      const [t1, t2] = [argv[i + 1], argv[i + 2]];
      if (t1 !== undefined) out.push(`--between=${t1}`);
      if (t2 !== undefined && !t2.startsWith("-")) out.push(`--between=${t2}`);
      i += t2 !== undefined && !t2.startsWith("-") ? 2 : 1;
    } else out.push(a);
  }
  return out;
}
