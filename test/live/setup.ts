// What the live view's terminal tests share: the test app, memtrace as a shell command line, and the node that
// runs the app. From Node 22 on a worker's `name` option names its thread (Node 20 keeps it from the worker, which
// the view then shows as "worker 1" by its threadId). The first line of Node 24 or later fetched for the tests runs
// the app; without one, this machine's node.
// (Node 26.12.1 can hang in process.exit() when a V8 worker thread is compiling at that moment: its main thread
// joins the thread, which waits for a garbage collection that will not come. The test app exits on SIGINT.)
import { join } from "node:path";
import { ROOT } from "../fixtures/cli";
import { nodeLines } from "../fixtures/node-lines";
import { sh } from "./tmux";

export const APP = join(ROOT, "test", "live", "apps", "grow.js");
export const BIN = join(ROOT, "bin", "memtrace.js");
export const MEMTRACE = `${sh(process.execPath)} ${sh(BIN)}`;
/** The child processes' coverage still counts: tmux starts them, so the directory is passed on. */
export const ENV = { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE };
/** A user's shell: without the runner's loader and without NODE_EXTRA_CA_CERTS's start-up work. */
export const CLEAN = "env -u NODE_OPTIONS -u NODE_EXTRA_CA_CERTS";

const lines = nodeLines();
const named = Array.isArray(lines) ? lines.find((l) => Number(l.node.split(".")[0]) >= 24) : undefined;
export const NODE = named?.binary ?? process.execPath;
export const WORKER_NAME = named ? "resizer" : "worker 1";
