// The live fold, in a worker thread of its own: it reads the capture as it is written (follow.ts), folds it
// (model.ts) and posts a snapshot for each viewer's request several times a second. Folding a busy app's
// events takes a core; on the recorder's thread it would delay the channels the app writes into, and in the
// viewer's it would delay the keys. Its own thread keeps both free: when it falls behind, the capture waits in
// the file, not in the app.
import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { Decoder } from "../codec/decoder";
import type { Message } from "../codec/model";
import { HandedSource, followFile } from "./follow";
import { LiveModel } from "./model";
import { Pacing, type TableTiming } from "./pacing";
import type { LiveRequest, LiveSnapshot } from "./snapshot";

export interface FoldWorkerData {
  /** A regular file read by position (and followed as it grows), or chunks posted by the thread that reads a pipe. */
  kind: "file" | "chunks";
  /** The file's descriptor (kind "file"). */
  fd?: number;
  follow: boolean;
  intervalMs: number;
}

export type ToFoldWorker =
  | { type: "request"; id: number; request: LiveRequest }
  | { type: "forget"; id: number }
  | { type: "complete" }
  | { type: "chunk"; chunk: Uint8Array }
  | { type: "end" };

export type FromFoldWorker =
  | { type: "snapshot"; id: number; snapshot: LiveSnapshot }
  | { type: "warning"; message: string }
  | { type: "taken"; bytes: number }
  | { type: "done" };

/** How much nicer than the app this thread runs; MEMTRACE_LIVE_NICE sets it (bench/live/cost.ts compares them). */
const NICER_BY = 10;

/**
 * This thread runs at a lower priority than the app and the recorder: on a machine without a free core, the view
 * falls behind (it says by how much) rather than taking the app's time. Linux sets a nice value per thread.
 */
function yieldToTheApp(): void {
  const by = Number(process.env.MEMTRACE_LIVE_NICE ?? NICER_BY);
  if (!(by > 0)) return;
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (tid > 0) setPriority(tid, Math.min(19, getPriority(tid) + Math.min(19, by)));
  } catch {
    // Not Linux, or not allowed: the fold runs at the app's priority.
  }
}

function run(data: FoldWorkerData): void {
  yieldToTheApp();
  const port = parentPort!;
  const handed = new HandedSource((bytes) => port.postMessage({ type: "taken", bytes } satisfies FromFoldWorker));
  const source = data.kind === "file" ? followFile(data.fd!, data.follow) : handed;
  const warned = new Set<string>();
  const warn = (message: string) => {
    if (warned.has(message)) return;
    warned.add(message);
    port.postMessage({ type: "warning", message } satisfies FromFoldWorker);
  };
  const model = new LiveModel(warn);
  // Decoded Messages wait here to be folded one by one, so that a snapshot can go out between two of them: an
  // LZ4 frame holds many, and a thread without a free core folds them slowly. At most one chunk's Messages.
  const decoded: Message[] = [];
  // Paired scopes (format versions 2 to 4) fold through Folder's paired path (a recorder with MEMTRACE_PAIRED=1).
  // A snapshot due while a chunk decodes goes out from here (of what was folded before the chunk): a thread
  // without a free core takes long over a chunk, and the view must not wait for it.
  const decoder = new Decoder(
    (m) => {
      decoded.push(m);
      sendIfDue();
    },
    { paired: true, onWarning: (w) => warn(w.message) },
  );
  const requests = new Map<number, LiveRequest>();
  let finished = false;
  /** The recording ended: no app is left to yield to, and its last state is what viewers keep. */
  let recorded = false;
  let error: string | undefined;

  /**
   * What each viewer's last snapshot showed: an idle app's view is computed again once a second, not at every
   * interval (once a second still, so that a snapshot a slow viewer's socket dropped is followed by another).
   */
  const shown = new Map<number, string>();
  /** Each viewer's last whole snapshot, and when it was taken and how long it took. */
  const whole = new Map<number, TableTiming & { snapshot: LiveSnapshot }>();
  const pacing = new Pacing(data.intervalMs);
  const send = (id: number, request: LiveRequest, always = true) => {
    const behindBytes = source.behind();
    const state = `${model.changes} ${behindBytes} ${finished} ${error} ${Math.floor(Date.now() / 1000)}`;
    if (!always && shown.get(id) === state) return;
    shown.set(id, state);
    const extra = { behindBytes, complete: finished, error };
    const now = Date.now();
    const last = whole.get(id);
    let snapshot: LiveSnapshot;
    if (
      always ||
      recorded ||
      finished ||
      pacing.whole(now, last, behindBytes > 0, last?.snapshot.request === request)
    ) {
      snapshot = model.snapshot(request, extra);
      whole.set(id, { snapshot, at: now, took: Date.now() - now });
    } else snapshot = model.refresh(last!.snapshot, { ...extra, tableAgeMs: now - last!.at });
    port.postMessage({ type: "snapshot", id, snapshot } satisfies FromFoldWorker);
  };
  const sendAll = () => {
    const start = Date.now();
    for (const [id, request] of requests) send(id, request, false);
    pacing.sent(start, Date.now());
  };
  const due = () => pacing.due(Date.now());
  const sendIfDue = () => {
    if (due()) sendAll();
  };
  // Ticks finer than the interval: a snapshot sent from the fold loop moves the next one's time.
  const timer = setInterval(sendIfDue, data.intervalMs / 4);

  port.on("message", (m: ToFoldWorker) => {
    if (m.type === "request") {
      requests.set(m.id, m.request);
      send(m.id, m.request);
    } else if (m.type === "forget") {
      requests.delete(m.id);
      shown.delete(m.id);
      whole.delete(m.id);
    } else if (m.type === "complete") {
      recorded = true;
      source.complete();
    } else if (m.type === "chunk") handed.add(m.chunk);
    else if (m.type === "end") {
      recorded = true;
      handed.end();
    }
  });

  /** Folds the decoded Messages; a busy fold still sends its snapshots on time, and takes requests between. */
  const fold = async () => {
    for (let i = 0; i < decoded.length; i++) {
      model.push(decoded[i]);
      if (due()) {
        sendAll();
        // Requests (a key pressed) come in between.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    decoded.length = 0;
  };

  /** What was decoded is folded, also when the decoder stops at a bad Record (the error is said after it). */
  const decodeThenFold = async (decode: () => void) => {
    try {
      decode();
    } finally {
      await fold();
    }
  };

  void (async () => {
    try {
      for (;;) {
        const chunk = await source.next();
        if (!chunk) break;
        await decodeThenFold(() => decoder.push(chunk));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await decodeThenFold(() => decoder.end());
      model.end();
    } catch (e) {
      error = (e as Error).message;
    }
    finished = true;
    clearInterval(timer);
    sendAll();
    port.postMessage({ type: "done" } satisfies FromFoldWorker);
  })();
}

if (parentPort) run(workerData as FoldWorkerData);
