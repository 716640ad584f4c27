// Loaded into every isolate of a recorded app (the main thread and each worker_threads Worker) with --require,
// before the app's own code: starts the native agent, which names JS frames and samples the V8 heap.
//
// It must never change what the app does: any failure (an addon built for another Node.js, a process that is
// not being recorded) leaves the app running as it would without memtrace, with JS frames left unnamed.
import { setFlagsFromString } from "node:v8";
import { isMainThread, threadId } from "node:worker_threads";
import { loadAgentAddon } from "./native";

try {
  // V8 gives an interpreted function a frame of its own (a copy of the interpreter's entry, which code events
  // name) only under this flag. Set here rather than on node's command line: functions compiled from now on
  // (the app's, and the node modules it loads) get such frames, and node still accepts the code cache of the
  // modules it loaded while starting, which it would otherwise recompile (see launcher.ts).
  setFlagsFromString("--interpreted-frames-native-stack");
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
