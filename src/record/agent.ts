// Loaded into every isolate of a recorded app (the main thread and each worker_threads Worker) with --require,
// before the app's own code: starts the native agent, which names JS frames and samples the V8 heap.
//
// It must never change what the app does: any failure (an addon built for another Node.js, a process that is
// not being recorded) leaves the app running as it would without memtrace, with JS frames left unnamed.
import { isMainThread, threadId } from "node:worker_threads";
import { loadAgentAddon } from "./native";

try {
  loadAgentAddon().start({ mainThread: isMainThread, workerId: threadId });
} catch {
  // Nothing to say on the app's stderr: the capture shows the missing names.
}
