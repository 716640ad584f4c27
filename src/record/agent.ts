// Loaded into every isolate of a recorded app (the main thread and each worker_threads Worker) with --require,
// before the app's own code: starts the native agent, which names JS frames and samples the V8 heap.
//
// It loads exactly the agent the interposer chose for this process's V8 (MEMTRACE_AGENT_PATH), or none. It must
// never change what the app does: any failure (no agent for this V8, a process that is not being recorded)
// leaves the app running as it would without memtrace, with JS frames left unnamed; the capture's Header says
// why.
import { isolateIdentity, loadAgentAddon } from "./native";

try {
  const addon = loadAgentAddon();
  // (The addon sets --interpreted-frames-native-stack once recording starts, which names JS frames.)
  const identity = isolateIdentity(addon);
  // Taken now, before the app's code runs: the app may replace process.memoryUsage.
  const memoryUsage = process.memoryUsage;
  const arrayBuffers = () => memoryUsage.call(process).arrayBuffers;
  if (addon.start({ ...identity, arrayBuffers })) {
    // The app's code has ended when the isolate's 'exit' listeners have run: its event loop emptied, it called
    // process.exit(), or an uncaught exception ended it. Node's teardown, which frees what the app kept, comes
    // after. A listener of memtrace's would run before the app's, so process.emit is wrapped instead (a native
    // function: no frame in the app's stack traces; not enumerable: Object.keys(process) stays the same).
    const emit = addon.wrapEmit(process.emit);
    if (typeof emit === "function")
      Object.defineProperty(process, "emit", { value: emit, writable: true, configurable: true, enumerable: false });
  }
} catch {
  // Nothing to say on the app's stderr: the capture shows the missing names.
}
