// Runs `memtrace record` as a user would, and reads the capture it writes: events in each process's time order
// with their process, thread and stack, and the names of a stack's frames.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { decodeAll } from "../../src/codec/decoder";
import type { Message, ThreadInfo, Trailer } from "../../src/codec/model";
import { Scopes, type FrameDetails } from "../../src/model/scope";
import { LiveHeap } from "../../src/transforms/live";
import { EventOrderer } from "../../src/transforms/order";

export const ROOT = join(__dirname, "..", "..");
export const APPS = join(__dirname, "apps");
const BIN = join(ROOT, "bin", "memtrace.js");

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Called with the child once it runs (to send it signals). */
  started?: (child: ChildProcess) => void;
  /** Keep NODE_EXTRA_CA_CERTS (whose start-up work makes every node process slower to record). */
  keepExtraCerts?: boolean;
  /**
   * Run memtrace (and so the app) without the NODE_OPTIONS that tap's coverage adds to every node process the
   * tests start, for tests of what the app itself does: the coverage hooks' own allocations would be the app's.
   */
  withoutTestHooks?: boolean;
  /** Ends the run with SIGTERM after this many milliseconds. */
  timeoutMs?: number;
}

/** The environment a user's shell has: without the test runner's loader and settings. */
export function userEnv(options: RunOptions = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("TAP") || k === "NODE_OPTIONS" || k.startsWith("TS_NODE")) continue;
    if (k === "NODE_EXTRA_CA_CERTS" && !options.keepExtraCerts) continue;
    env[k] = v;
  }
  return { ...env, ...options.env };
}

/** Runs `node bin/memtrace.js <args>` with stdout and stderr collected. */
export function memtrace(args: string[], options: RunOptions = {}): Promise<Run> {
  if (options.withoutTestHooks)
    return run("/usr/bin/env", ["-u", "NODE_OPTIONS", process.execPath, BIN, ...args], options);
  return run(process.execPath, [BIN, ...args], options);
}

/**
 * Runs plain node (no memtrace) as a user would, without the test runner's hooks (which it puts back into every
 * child's NODE_OPTIONS): what the app does when it is not recorded.
 */
export function plainNode(args: string[], options: RunOptions = {}): Promise<Run> {
  return run("/usr/bin/env", ["-u", "NODE_OPTIONS", process.execPath, ...args], options);
}

/**
 * Runs node with the test runner's hooks put back (coverage): for apps that run memtrace's own code, such as
 * track()'s, and whose checks do not depend on what the hooks allocate.
 */
export function node(args: string[], options: RunOptions = {}): Promise<Run> {
  return run(process.execPath, args, options);
}

/** Runs a shell command line (for real pipes such as `| head -c 100`). */
export function shell(line: string, options: RunOptions = {}): Promise<Run> {
  return run("/bin/sh", ["-c", line], options);
}

function run(file: string, args: string[], options: RunOptions): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: ROOT,
      env: userEnv(options),
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (status, signal) =>
      resolve({ status, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") }),
    );
    options.started?.(child);
  });
}

export interface Event {
  pid: number;
  tid: number;
  kind: number;
  time: number;
  address: number;
  size: number;
  stack: number;
  /** The objects a JS sample stands for (1 for native events). */
  count: number;
}

/** A decoded capture with its tables. */
export class Capture {
  readonly messages: Message[];
  readonly warnings: string[] = [];
  readonly scopes = new Scopes();
  /** Every event, each process's in time order across its threads (merged up to the watermarks). */
  readonly events: Event[] = [];

  constructor(bytes: Uint8Array) {
    this.messages = decodeAll(bytes, { onWarning: (w) => this.warnings.push(w.message) });
    const orderer = new EventOrderer((m) => {
      if (m.type !== "events") return;
      const b = m.batch;
      for (let i = 0; i < b.length; i++) {
        this.events.push({
          pid: m.pid,
          tid: b.tid[i],
          kind: b.kind[i],
          time: b.time[i],
          address: b.address[i],
          size: b.size[i],
          stack: b.stack[i],
          count: b.count[i],
        });
      }
    });
    for (const m of this.messages) {
      this.scopes.apply(m);
      orderer.push(m);
    }
    orderer.end();
  }

  get pids(): number[] {
    return this.messages.filter((m) => m.type === "header").map((m) => m.pid);
  }

  header(pid: number) {
    const m = this.messages.find((m) => m.type === "header" && m.pid === pid);
    return m?.type === "header" ? m.header : undefined;
  }

  trailer(pid: number): Trailer | undefined {
    const m = this.messages.find((m) => m.type === "trailer" && m.pid === pid);
    return m?.type === "trailer" ? m.trailer : undefined;
  }

  threads(pid: number): Map<number, ThreadInfo> {
    return this.scopes.get(pid)?.threads ?? new Map();
  }

  /**
   * The allocations `tracked` picks that no free released, with frees paired to allocations as fold pairs them
   * (LiveHeap, which allows for the recorder's allocation and free time leads).
   */
  unfreed(tracked: (e: Event) => boolean): Event[] {
    const left = new Set<Event>();
    const heaps = new Map<number, LiveHeap>();
    const events = this.events;
    for (const pid of this.pids) {
      const release = (key: number) => left.delete(events[key]);
      const settings = this.header(pid)?.settings;
      heaps.set(
        pid,
        new LiveHeap(release, {
          allocationTimeLeadNs: settings?.allocationTimeLeadNs,
          deallocationTimeLeadNs: settings?.deallocationTimeLeadNs,
        }),
      );
    }
    events.forEach((e, i) => {
      const heap = heaps.get(e.pid)!;
      if (isAllocation(e.kind)) {
        if (tracked(e)) left.add(e);
        heap.alloc(e.kind, e.address, e.size, i, e.count, 0, e.time, e.tid);
      } else heap.free(e.kind, e.address, e.size, e.time, e.tid);
    });
    return [...left];
  }

  /** The frames of a stack, innermost first. */
  frames(pid: number, stack: number): FrameDetails[] {
    const scope = this.scopes.get(pid);
    return scope ? scope.stackFrames(stack).map((f) => scope.frame(f)) : [];
  }
}

/** `memtrace collapsed` output as [frames outermost first, bytes] pairs. */
export function collapsedStacks(text: string): [string[], number][] {
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const space = line.lastIndexOf(" ");
      return [line.slice(0, space).split(";"), Number(line.slice(space + 1))];
    });
}

/** Allocation kinds are 1-63, deallocations 64-127 (proto/memtrace.proto, EventKind). */
export const isAllocation = (kind: number) => kind >= 1 && kind < 64;
export const MALLOC = 1;
export const FREE = 64;
export const JS_SAMPLE = 13;
export const JS_SAMPLE_FREED = 69;
