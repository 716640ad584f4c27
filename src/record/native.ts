// The only door to memtrace's native parts (native/, built by `npm install`): where the interposer library is,
// and the typed interface of the in-process agent addon. Nothing else in memtrace names a native file.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** memtrace_addon.node, as seen from JavaScript (native/addon/addon.cpp). */
export interface AgentAddon {
  /** Starts the agent of the calling isolate; false when this process is not being recorded. */
  start(options: { mainThread: boolean; workerId: number; arrayBuffers?: () => number }): boolean;
  /**
   * A process.emit that calls `emit` and then, once the runtime's 'exit' has been emitted in the calling isolate
   * (its 'exit' listeners have run), records that the app's code has ended there.
   */
  wrapEmit(emit: typeof process.emit): typeof process.emit | undefined;
  /** Whether the interposer is recording this process. */
  recording(): boolean;
  /** Whether the calling isolate is Node's main thread. */
  onMainThread(): boolean;
}

/** The native build is missing or incomplete: memtrace was installed without running its install script. */
export class NativeBuildMissing extends Error {}

function packageRoot(): string {
  // src/record (tests) or dist/src/record (the built command): the first folder up that has native/.
  let dir = __dirname;
  while (!existsSync(join(dir, "native", "CMakeLists.txt"))) {
    const parent = dirname(dir);
    if (parent === dir) return join(__dirname, "..", "..");
    dir = parent;
  }
  return dir;
}

export const NATIVE_BUILD_DIR = join(packageRoot(), "native", "build", "Release");

function nativeFile(name: string): string {
  const path = join(NATIVE_BUILD_DIR, name);
  if (!existsSync(path)) {
    throw new NativeBuildMissing(
      `memtrace's native recorder is not built (${path} is missing): run \`npm install\` in the memtrace folder`,
    );
  }
  return path;
}

/** libmemtrace_preload.so: the allocation interposer, LD_PRELOADed into every recorded process. */
export function preloadLibraryPath(): string {
  return nativeFile("libmemtrace_preload.so");
}

/** memtrace_addon.node, loaded in the recorded app (one instance serves every isolate of the process). */
export function loadAgentAddon(): AgentAddon {
  return require(nativeFile("memtrace_addon.node")) as AgentAddon;
}

/** The agent module the app loads with --require: always the compiled one (the app runs plain JavaScript). */
export function agentModulePath(): string {
  const path = join(packageRoot(), "dist", "src", "record", "agent.js");
  if (!existsSync(path)) {
    throw new NativeBuildMissing(
      `memtrace is not built (${path} is missing): run \`npm install\` in the memtrace folder`,
    );
  }
  return path;
}
