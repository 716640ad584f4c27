// The name and version that exported files carry (speedscope's `exporter`, pprof's comments), so that a file found
// later says what wrote it.

/** memtrace's version, from its package.json: three folders up from src/ (tests), four from dist/src/ (the build). */
function version(): string {
  try {
    return (require("../../../package.json") as { version: string }).version;
  } catch {
    return (require("../../../../package.json") as { version: string }).version;
  }
}

export const EXPORTER = `memtrace@${version()}`;
