// The only door to memtrace's native parts: where the interposer library and the agents are, and the typed
// interface of the agent. Nothing else in memtrace names a native file.
//
// The package ships them prebuilt in prebuilds/<platform>-<arch>/ (built from native/ by `npm run prebuilds`,
// or from source by the install script where no prebuilt fits): libmemtrace_preload.so, and one agent per V8
// line, memtrace-agent-v8-<major>.<minor>.node. Which agent a recorded process loads is the interposer's
// decision (native/preload/agent_select.h), published in MEMTRACE_AGENT_PATH.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT, PLATFORM, nativeDir } from "../native/files";

export { PACKAGE_ROOT, PLATFORM, nativeDir };

/** The agent, as seen from JavaScript (native/addon/addon.cpp). */
export interface AgentAddon {
  /** Starts the agent of the calling isolate; false when this process is not being recorded. */
  start(options: IsolateIdentity & { arrayBuffers?: () => number }): boolean;
  /**
   * A process.emit that calls `emit` and then, once the runtime's 'exit' has been emitted in the calling isolate
   * (its 'exit' listeners have run), records that the app's code has ended there.
   */
  wrapEmit(emit: typeof process.emit): typeof process.emit | undefined;
  /** Whether the interposer is recording this process. */
  recording(): boolean;
  /** Whether the calling isolate is Node's main thread. */
  onMainThread(): boolean;
  /**
   * Stops the calling isolate's agent before its environment ends: a last poll of the JS heap, then V8's callbacks
   * removed; with `restoreFlag`, --interpreted-frames-native-stack is turned off again. False if none ran.
   */
  stop(restoreFlag: boolean): boolean;
  /** Recording from inside the process, without LD_PRELOAD (native/preload/runtime.h). */
  runtime: RuntimeControl;
}

/** What a recording started from inside the process records (native/include/memtrace/agent_api.h). */
/** Which isolate calls the agent: the main thread's, or a worker's by its threadId and its `name` option. */
export interface IsolateIdentity {
  mainThread: boolean;
  workerId: number;
  threadName?: string;
}

/**
 * The calling isolate's identity. Only a worker loads worker_threads: the main thread would pay for loading it at
 * every start. threadName is the worker's `name` option from Node 22 on (Node 24 also names the OS thread by it, cut to 15
 * bytes); Node 20 does not tell a worker its name.
 */
export function isolateIdentity(addon: AgentAddon): IsolateIdentity {
  if (addon.onMainThread()) return { mainThread: true, workerId: 0 };
  const workerThreads = require("node:worker_threads") as { threadId: number; threadName?: unknown };
  const { threadId, threadName } = workerThreads;
  return { mainThread: false, workerId: threadId, threadName: typeof threadName === "string" ? threadName : undefined };
}

export interface RuntimeSettings {
  /** The capture's file; with `socket`, the Unix socket to connect to (memtrace attach's). */
  output: string;
  socket?: boolean;
  stackDepth: number;
  memoryIntervalMs: number;
  eventsPerClockRead: number;
  jsInterval: number;
  jsPollHz: number;
  jsAll: boolean;
  nodeVersion: string;
  v8Version: string;
  /** The agent that names JS frames, as the Header says it ("memtrace-agent 0.1.0 for V8 11.3"), or "". */
  agent: string;
  /**
   * 1: pair each free with its allocation while recording (format version 4); 0: events as they came (version 1);
   * 2: both forms, for tests. An interposer older than the agent API's version 8 records unpaired.
   */
  paired: 0 | 1 | 2;
}

/** memtrace_runtime_state. */
export const RuntimeState = { IDLE: 0, RECORDING: 1, PRELOADED: 2 } as const;

export interface RuntimeControl {
  /** Loads the interposer at `library` and starts recording; the reason it could not, or null. */
  start(library: string, settings: RuntimeSettings): string | null;
  stop(): void;
  state(): number;
}

/** The native parts are missing: no prebuilt fits this machine and none was built from source. */
export class NativeBuildMissing extends Error {}

/** The build tree's binaries that are never shipped: the tests' fixtures and the benchmarks' interposer. */
export const NATIVE_BUILD_DIR = join(PACKAGE_ROOT, "native", "build", "Release");

/** The file name of the agent for a V8 line ("13.6"). */
export function agentFileName(v8Line: string): string {
  return `memtrace-agent-v8-${v8Line}.node`;
}

/** "13.6" for V8 "13.6.233.17-node.37". */
export function v8LineOf(v8Version: string): string {
  return v8Version.split(".").slice(0, 2).join(".");
}

/** libmemtrace_preload.so: the allocation interposer, LD_PRELOADed into every recorded process. */
export function preloadLibraryPath(): string {
  const path = join(nativeDir(), "libmemtrace_preload.so");
  if (process.platform !== "linux") {
    throw new NativeBuildMissing(`memtrace records on Linux only (this is ${process.platform})`);
  }
  if (!existsSync(path)) {
    throw new NativeBuildMissing(
      `memtrace's native recorder is not installed (${path} is missing): no prebuilt fits ${PLATFORM}; ` +
        `build it with \`npm rebuild memtrace\`, which needs cmake, a C++20 compiler and Node.js's headers`,
    );
  }
  return path;
}

/** The interposer chose no agent for this process, or the one it chose does not start in this node. */
export class NoAgent extends Error {}

/**
 * The agent the interposer chose for this process (MEMTRACE_AGENT_PATH), loaded. Throws NoAgent when it chose
 * none, or when the file's own check of the V8 line failed (it then exports nothing); a file that does not load
 * in this node throws node's error (every symbol is bound at load).
 */
export function loadAgentAddon(): AgentAddon {
  const path = process.env.MEMTRACE_AGENT_PATH;
  if (!path) throw new NoAgent("no agent for this process");
  const addon = require(path) as Partial<AgentAddon>;
  if (typeof addon.start !== "function") throw new NoAgent(`${path} is not for this V8 (${process.versions.v8})`);
  return addon as AgentAddon;
}

/** The agent for a node of this V8 version, if memtrace has one installed. */
export function agentPathFor(v8Version: string): string | undefined {
  const path = join(nativeDir(), agentFileName(v8LineOf(v8Version)));
  return existsSync(path) ? path : undefined;
}

/**
 * The agent for this process's V8, loaded, to record from inside the process (track(), memtrace attach): there is
 * no interposer's choice to read then, so it is chosen the same way, by the V8 line.
 */
export function loadRuntimeAgent(): AgentAddon {
  const path = agentPathFor(process.versions.v8);
  if (!path) {
    throw new NoAgent(
      `memtrace has no agent for V8 ${v8LineOf(process.versions.v8)} (Node.js ${process.version}) in ${nativeDir()}`,
    );
  }
  const addon = require(path) as Partial<AgentAddon>;
  if (typeof addon.start !== "function") throw new NoAgent(`${path} is not for this V8 (${process.versions.v8})`);
  return addon as AgentAddon;
}

/** The agent module the app loads with --require: always the compiled one (the app runs plain JavaScript). */
export function agentModulePath(): string {
  const path = join(PACKAGE_ROOT, "dist", "src", "record", "agent.js");
  if (!existsSync(path)) {
    throw new NativeBuildMissing(
      `memtrace is not built (${path} is missing): run \`npm install\` in the memtrace folder`,
    );
  }
  return path;
}
