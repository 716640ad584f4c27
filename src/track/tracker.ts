// Recording from inside a running process: `track(file)` starts recording this process's allocations (every
// thread) into `file`, in the capture format every command reads, and `await tracker.stop()` ends it. No
// LD_PRELOAD: the interposer is loaded at run time and hooks the GOTs (native/preload/runtime.h).
//
// One recording at a time per process. Under `memtrace record` the process is already recorded from its start, and
// a second recording would count every allocation twice: track() refuses.
import { join, resolve } from "node:path";
import {
  isolateIdentity,
  loadRuntimeAgent,
  PACKAGE_ROOT,
  preloadLibraryPath,
  RuntimeState,
  v8LineOf,
  type AgentAddon,
  type RuntimeSettings,
} from "../record/native";
import { PAIRED_BY_DEFAULT, pairedFromEnv } from "../record/paired";

const VERSION: string = (require(join(PACKAGE_ROOT, "package.json")) as { version: string }).version;

export interface TrackOptions {
  /** The most frames recorded per stack (1-512, default 128). */
  stackDepth?: number;
  /** Sample RSS and the V8 heap every this many milliseconds (0: never; default 10). */
  memoryInterval?: number;
  /** Read the clock at every allocation and free (default: a thread reads it on one event in 64). */
  exactTimes?: boolean;
  /** Do not start memtrace's agent: JS frames stay unnamed and the JS heap is not sampled. */
  nativeOnly?: boolean;
  /** Sample the V8 heap about every this many allocated bytes (0: never; default 512 KiB). */
  jsInterval?: number;
  /** Collect the V8 heap's samples this many times a second (default 10). */
  jsPoll?: number;
  /** Keep samples of collected objects too (the total view; no frees of JS objects). */
  jsAll?: boolean;
  /**
   * Pair each free with its allocation while recording, and write format version 4, as `memtrace record` does
   * (default true); false writes the events as they came (version 1), as `memtrace record --no-paired`.
   */
  paired?: boolean;
}

/** track() could not start, or was given options it cannot take. */
export class TrackError extends Error {
  override name = "TrackError";
}

let running: Tracker | undefined;

/** A recording in progress, from track(). */
export class Tracker {
  private stopped: Promise<void> | undefined;

  /** @internal Use track(). */
  constructor(
    /** The capture's file (absolute). */
    readonly file: string,
    private readonly addon: AgentAddon,
    private readonly agentStarted: boolean,
  ) {}

  /**
   * Ends the recording: the JS heap is polled a last time, the capture gets its Trailer, the hooks are removed.
   * Calling it again returns the same promise.
   */
  stop(): Promise<void> {
    if (!this.stopped) {
      try {
        if (this.agentStarted) this.addon.stop(!flagGivenToNode());
        this.addon.runtime.stop();
        this.stopped = Promise.resolve();
      } catch (e) {
        this.stopped = Promise.reject(e as Error);
      } finally {
        if (running === this) running = undefined;
      }
    }
    return this.stopped;
  }
}

/** Whether node was started with --interpreted-frames-native-stack (then it stays on after a recording). */
function flagGivenToNode(): boolean {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  return given.some((a) => a.replace(/_/g, "-") === "--interpreted-frames-native-stack");
}

function wholeNumber(value: number | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TrackError(`track(): ${name} must be a whole number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** paired as given; else MEMTRACE_PAIRED when set (the tests'), else the default of `memtrace record`. */
function pairedSetting(paired: boolean | undefined): 0 | 1 | 2 {
  if (paired !== undefined && typeof paired !== "boolean") {
    throw new TrackError(`track(): paired must be true or false, got ${String(paired)}`);
  }
  if (paired !== undefined) return paired ? 1 : 0;
  return pairedFromEnv() ?? (PAIRED_BY_DEFAULT ? 1 : 0);
}

/** The runtime recorder's settings for these options (the defaults of `memtrace record`). */
export function runtimeSettings(output: string, options: TrackOptions, socket = false): RuntimeSettings {
  const nativeOnly = options.nativeOnly ?? false;
  return {
    output,
    socket,
    stackDepth: wholeNumber(options.stackDepth, "stackDepth", 1, 512, 128),
    memoryIntervalMs: wholeNumber(options.memoryInterval, "memoryInterval", 0, 60000, 10),
    eventsPerClockRead: options.exactTimes ? 1 : 64,
    // Without the agent nothing samples the JS heap: the capture's Header must not say it was sampled.
    jsInterval: nativeOnly ? 0 : wholeNumber(options.jsInterval, "jsInterval", 0, 1 << 30, 512 * 1024),
    jsPollHz: wholeNumber(options.jsPoll, "jsPoll", 1, 1000, 10),
    jsAll: options.jsAll ?? false,
    nodeVersion: process.version,
    v8Version: process.versions.v8,
    agent: nativeOnly ? "" : `memtrace-agent ${VERSION} for V8 ${v8LineOf(process.versions.v8)}`,
    paired: pairedSetting(options.paired),
  };
}

/**
 * Starts recording with the runtime recorder and the calling isolate's agent. Throws TrackError when the
 * process cannot be recorded this way.
 */
export function startRuntime(settings: RuntimeSettings, nativeOnly: boolean): { addon: AgentAddon; agent: boolean } {
  const addon = loadRuntimeAgent();
  const state = addon.runtime.state();
  if (state === RuntimeState.PRELOADED) {
    throw new TrackError(
      "this process is recorded by `memtrace record` from its start: a recording inside it would count every " +
        "allocation twice (look at the window in that capture: memtrace filter --from/--to)",
    );
  }
  if (state === RuntimeState.RECORDING) {
    throw new TrackError("a recording is already running in this process (track() or memtrace attach): stop it first");
  }
  const error = addon.runtime.start(preloadLibraryPath(), settings);
  if (error !== null) throw new TrackError(error);
  let agent = false;
  if (!nativeOnly) {
    const memoryUsage = process.memoryUsage;
    agent = addon.start({ ...isolateIdentity(addon), arrayBuffers: () => memoryUsage.call(process).arrayBuffers });
  }
  return { addon, agent };
}

/** Starts recording this process into `file`; `await tracker.stop()` ends it. */
export function track(file: string, options?: TrackOptions): Tracker;
/** Records `fn`: starts, calls it, and stops when its result (or promise) settles; returns that result. */
export function track<T>(file: string, fn: () => T | Promise<T>, options?: TrackOptions): Promise<T>;
export function track<T>(
  file: string,
  fnOrOptions?: TrackOptions | (() => T | Promise<T>),
  maybeOptions?: TrackOptions,
): Tracker | Promise<T> {
  if (typeof fnOrOptions === "function") return trackCall(file, fnOrOptions, maybeOptions ?? {});
  return startTracker(file, fnOrOptions ?? {});
}

function startTracker(file: string, options: TrackOptions): Tracker {
  if (typeof file !== "string" || file === "") throw new TrackError("track(): give the capture's file name");
  if (running) {
    throw new TrackError(`a recording is already running in this process (into ${running.file}): stop it first`);
  }
  const path = resolve(file);
  const nativeOnly = options.nativeOnly ?? false;
  const { addon, agent } = startRuntime(runtimeSettings(path, options), nativeOnly);
  running = new Tracker(path, addon, agent);
  return running;
}

async function trackCall<T>(file: string, fn: () => T | Promise<T>, options: TrackOptions): Promise<T> {
  const tracker = startTracker(file, options);
  try {
    return await fn();
  } finally {
    await tracker.stop();
  }
}
