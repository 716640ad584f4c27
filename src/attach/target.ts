// Runs inside the process memtrace attach records, loaded through its inspector (attach.ts): starts the in-process
// recorder on attach's socket. The recording stops when attach writes to that socket or goes away (the recorder's
// writer thread watches it, native/preload/runtime.h); this module then stops the agent, and closes the inspector
// if attach opened it.
import { RuntimeState } from "../record/native";
import { runtimeSettings, startRuntime, type TrackOptions } from "../track/tracker";

export interface AttachedStart {
  error?: string;
  /** process.version of the target. */
  node?: string;
}

/** How often the target looks whether the recording stopped, to stop its agent too. */
const WATCH_MS = 100;

export function startAttached(socketPath: string, options: TrackOptions, closeInspector: boolean): AttachedStart {
  // Loaded before recording starts: its module is not the app's allocation.
  const inspector = closeInspector ? (require("node:inspector") as typeof import("node:inspector")) : undefined;
  const done = (result: AttachedStart): AttachedStart => {
    // attach disconnects once it has the result; close() waits for that, so it runs a moment later.
    if (inspector) setTimeout(() => inspector.close(), 50).unref();
    return result;
  };
  try {
    const flagGiven = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].includes(
      "--interpreted-frames-native-stack",
    );
    const { addon } = startRuntime(runtimeSettings(socketPath, options, true), options.nativeOnly ?? false);
    const watch = setInterval(() => {
      if (addon.runtime.state() === RuntimeState.RECORDING) return;
      clearInterval(watch);
      addon.stop(!flagGiven);
    }, WATCH_MS);
    watch.unref();
    return done({ node: process.version });
  } catch (e) {
    return done({ error: (e as Error).message });
  }
}
