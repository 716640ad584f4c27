// The root frame of the app view: the kind of thread a stack ran on, which stands for node's start-up and event
// loop frames above the first JavaScript frame. Read from the thread's role and name (the recorder writes them),
// else from the outermost frames of the stack (captures of other recorders, threads the recorder did not know).
import { ThreadRole, type ThreadInfo } from "../../codec/model";

export const THREAD_KINDS = [
  "(main thread)",
  "(worker thread)",
  "(libuv threadpool)",
  "(V8 platform)",
  "(other thread)",
] as const;
export type ThreadKind = (typeof THREAD_KINDS)[number];

/** The kind of a thread the recorder gave a role (main, worker, pool); undefined for others. */
export function knownThreadKind(info: ThreadInfo | undefined): ThreadKind | undefined {
  switch (info?.role) {
    case ThreadRole.ROLE_MAIN:
      return "(main thread)";
    case ThreadRole.ROLE_WORKER:
      return "(worker thread)";
    case ThreadRole.ROLE_POOL:
      // Node 24 and later name V8's threads themselves: "V8Worker", "DelayedTaskSche(duler)".
      return /^(node-)?V8|^DelayedTask/.test(info.name) ? "(V8 platform)" : "(libuv threadpool)";
    default:
      return undefined;
  }
}

export function threadKindOf(info: ThreadInfo | undefined, rootNames: string[]): ThreadKind {
  const known = knownThreadKind(info);
  if (known) return known;
  // Outermost first.
  for (const name of rootNames) {
    if (name.startsWith("node::worker::Worker::")) return "(worker thread)";
    if (/^node::(WorkerThreadsTaskRunner|.*PlatformWorker)|^v8::platform::/.test(name)) return "(V8 platform)";
    if (name === "worker" || name.startsWith("uv__work") || name.startsWith("uv__fs_work")) return "(libuv threadpool)";
    if (name.startsWith("node::Start") || name === "main" || name.startsWith("node::NodeMainInstance")) {
      return "(main thread)";
    }
  }
  if (info?.name.startsWith("node worker")) return "(worker thread)";
  if (info?.name === "libuv-worker") return "(libuv threadpool)";
  return info?.name === "node" ? "(main thread)" : "(other thread)";
}
