// Whether a recording pairs each free with its allocation as it records (format version 4) when not told: the
// default of `memtrace record`, `memtrace attach` and track() (docs/pipeline.md, "Paired by default").
export const PAIRED_BY_DEFAULT = true;

/**
 * MEMTRACE_PAIRED, the tests' way to ask without an option: 0 unpaired, 1 paired, 2 both forms in one capture
 * (to fold one recording both ways); undefined when unset or not one of these.
 */
export function pairedFromEnv(env: NodeJS.ProcessEnv = process.env): 0 | 1 | 2 | undefined {
  const value = env.MEMTRACE_PAIRED;
  return value === "0" || value === "1" || value === "2" ? (Number(value) as 0 | 1 | 2) : undefined;
}
