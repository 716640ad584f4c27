// Loaded into every isolate of a recorded app (the main thread and each worker_threads Worker) with --require,
// before the app's own code: starts the native agent, which names JS frames and samples the V8 heap.
//
// It must never change what the app does: any failure (an addon built for another Node.js, a process that is
// not being recorded) leaves the app running as it would without memtrace, with JS frames left unnamed.
import { isMainThread, threadId } from "node:worker_threads";
import { loadAgentAddon } from "./native";

try {
  const addon = loadAgentAddon();
  // Taken now, before the app's code runs: the app may replace process.memoryUsage.
  const memoryUsage = process.memoryUsage;
  const arrayBuffers = () => memoryUsage.call(process).arrayBuffers;
  if (addon.start({ mainThread: isMainThread, workerId: threadId, arrayBuffers }) && isMainThread) {
    // The JS heap is polled every 100 ms or so; what the app allocated since the last poll is taken at exit.
    // (A worker's agent does the same when its isolate goes away, in the addon's cleanup hook.) process.exit()
    // skips the cleanup hooks but not 'exit' listeners.
    process.on("exit", () => addon.atExit());
  }
} catch {
  // Nothing to say on the app's stderr: the capture shows the missing names.
}
