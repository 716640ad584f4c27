// Where memtrace's native files are: the package's prebuilds for this platform (prebuilds/<platform>-<arch>/),
// below every layer that loads one (the recorder's interposer and agents in src/record/native.ts, fold's kernel in
// src/native/kernel.ts).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

function packageRoot(): string {
  // src/native (tests) or dist/src/native (the built command): the first folder up that has native/.
  let dir = __dirname;
  while (!existsSync(join(dir, "native", "CMakeLists.txt"))) {
    const parent = dirname(dir);
    if (parent === dir) return join(__dirname, "..", "..");
    dir = parent;
  }
  return dir;
}

/** The installed package's folder (the repository's, in a development checkout). */
export const PACKAGE_ROOT = packageRoot();

/** This machine's platform and architecture, as prebuilds/ names its folders ("linux-x64"). */
export const PLATFORM = `${process.platform}-${process.arch}`;

/**
 * The folder of the interposer and the agents: the package's prebuilds for this platform, or MEMTRACE_NATIVE_DIR
 * (a build of one's own, or a test's copy).
 */
export function nativeDir(): string {
  return process.env.MEMTRACE_NATIVE_DIR || join(PACKAGE_ROOT, "prebuilds", PLATFORM);
}
