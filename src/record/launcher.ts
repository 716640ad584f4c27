// Starting the recorded app: the command line, the environment that makes every process of the app record
// itself (the interposer, the agent, the channel), its stdio, and its end (exit code or signal) passed on.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, closeSync, constants, existsSync, openSync, readSync, realpathSync, statSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { basename, delimiter, extname, join } from "node:path";
import { UsageError } from "../errors";
import { agentModulePath, preloadLibraryPath } from "./native";

export interface RecordSettings {
  stackDepth: number;
  memoryIntervalMs: number;
  /** Every event reads the clock, rather than one in 64 of a thread's (native/preload/shared_clock.h). */
  exactTimes: boolean;
  children: boolean;
  nativeOnly: boolean;
  completeNames: boolean;
  /**
   * Let V8 inline JS functions into their callers, as it does without memtrace: an inlined function then has no
   * frame of its own, and optimised frames carry their function's first line instead of the call's.
   */
  inlining: boolean;
  /**
   * Keep V8's Sparkplug and Maglev tiers, whose code has no positions: their frames then carry their function's
   * first line instead of the line executing in it.
   */
  allTiers: boolean;
  /** V8's sampling heap profiler: mean bytes between samples (0: off), polls per second, keep collected samples. */
  jsInterval: number;
  jsPollHz: number;
  jsAll: boolean;
  /** Pair each free with its allocation as it records (format version 4); undefined: as MEMTRACE_PAIRED says. */
  paired?: boolean;
}

export interface AppCommand {
  /** The program and its arguments, as spawned. */
  file: string;
  args: string[];
  /** A short name for the capture's file name: the script's name without its extension. */
  label: string;
}

const SCRIPT_EXTENSIONS = new Set([".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"]);

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether a file starts with "#!": the kernel runs it with the interpreter it names (`#!/usr/bin/env node`). */
function hasShebang(path: string): boolean {
  const head = Buffer.alloc(2);
  try {
    const fd = openSync(path, "r");
    try {
      return readSync(fd, head, 0, 2, 0) === 2 && head.toString("latin1") === "#!";
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * What to run. `memtrace record app.js args` runs the script with this node, unless it is an executable with a
 * "#!" line (then it runs as the shell would run it); after `--`, a whole command line (`-- node
 * --max-old-space-size=100 app.js args`, `-- npm run start`, or any program that starts node processes).
 */
export function appCommand(words: string[]): AppCommand {
  if (words.length === 0) {
    throw new UsageError(
      "nothing to record: give a script (memtrace record app.js) or a command (memtrace record -- node app.js)",
    );
  }
  const [first, ...rest] = words;
  if (isExecutableFile(first) && hasShebang(first)) return { file: first, args: rest, label: labelOf(first) };
  const looksLikeScript = SCRIPT_EXTENSIONS.has(extname(first)) || (existsSync(first) && !isExecutableFile(first));
  if (looksLikeScript) {
    if (!existsSync(first)) throw new UsageError(`no such file: ${first}`);
    return { file: process.execPath, args: [first, ...rest], label: labelOf(first) };
  }
  const script = rest.find((w) => !w.startsWith("-"));
  const isNode = /^node(js)?$/.test(basename(first));
  return { file: first, args: rest, label: isNode && script ? labelOf(script) : basename(first) };
}

function labelOf(script: string): string {
  const name = basename(script, extname(script)).replace(/[^A-Za-z0-9._-]/g, "_");
  return name || "app";
}

/** A program's real path: as given when it has a slash, else the first match on `path` (as a shell finds it). */
function whichReal(program: string, path: string | undefined): string | undefined {
  const candidates = program.includes("/") ? [program] : (path ?? "").split(delimiter).map((d) => join(d, program));
  for (const c of candidates) {
    if (!isExecutableFile(c)) continue;
    try {
      return realpathSync(c);
    } catch {
      continue;
    }
  }
  return undefined;
}

/**
 * The nodes this recording is likely to run, as "path\tversion" lines for the Headers' node_version (each
 * process's interposer looks for its own executable): this node, and the one the command names or else the
 * `node` on the app's PATH (which shebangs and npm scripts run). A node other than this one is asked for its
 * version, once (`node --version`: about 10-20 ms before the app starts).
 */
export function knownNodes(command: AppCommand, path: string | undefined): string {
  const own = realpathSync(process.execPath);
  const lines = [`${own}\t${process.version}`];
  const named = /^node(js)?$/.test(basename(command.file)) ? command.file : "node";
  const other = whichReal(named, path);
  if (other && other !== own) {
    const r = spawnSync(other, ["--version"], { encoding: "utf8", timeout: 5000, env: { PATH: path } });
    const version = r.stdout?.trim();
    if (r.status === 0 && /^v\d+\.\d+\.\d+\S*$/.test(version)) lines.push(`${other}\t${version}`);
  }
  return lines.join("\n");
}

/** Quotes a path for NODE_OPTIONS, which splits on spaces unless quoted. */
function quoteOption(path: string): string {
  return `"${path.replace(/(["\\])/g, "\\$1")}"`;
}

/**
 * The app's environment: the user's, plus what makes each of its processes record into `socketPath`. `nodes`:
 * knownNodes' lines.
 */
export function recordingEnv(
  base: NodeJS.ProcessEnv,
  socketPath: string,
  s: RecordSettings,
  nodes: string,
): NodeJS.ProcessEnv {
  const nodeOptions = [base.NODE_OPTIONS ?? ""];
  if (!s.nativeOnly) {
    // The agent names JS frames from V8's code events, and turns on --interpreted-frames-native-stack itself
    // (native/addon/isolate_agent.cpp). Given on the command line, that flag would make node reject the code
    // cache of its own modules, then compile them and serialize fresh caches at every start: ~20 ms, and
    // thousands of deep, distinct stacks to record.
    nodeOptions.push(`--require ${quoteOption(agentModulePath())}`);
  }
  // Without its snapshot, node compiles its internals at start-up, and with the flag given here they get
  // frames of their own too: the complete names this option is for.
  if (s.completeNames) nodeOptions.push("--no-node-snapshot", "--interpreted-frames-native-stack");
  return {
    ...base,
    LD_PRELOAD: [preloadLibraryPath(), base.LD_PRELOAD].filter(Boolean).join(" "),
    NODE_OPTIONS: nodeOptions.filter(Boolean).join(" "),
    MEMTRACE_SOCKET: socketPath,
    MEMTRACE_STACK_DEPTH: String(s.stackDepth),
    MEMTRACE_MEMORY_INTERVAL_MS: String(s.memoryIntervalMs),
    MEMTRACE_EVENTS_PER_CLOCK_READ: s.exactTimes ? "1" : "64",
    MEMTRACE_CHILDREN: s.children ? "1" : "0",
    // Without the agent nothing samples the JS heap: the capture's Header must not say it was sampled.
    MEMTRACE_JS_INTERVAL: String(s.nativeOnly ? 0 : s.jsInterval),
    MEMTRACE_JS_POLL_HZ: String(s.jsPollHz),
    MEMTRACE_JS_ALL: s.jsAll ? "1" : "0",
    MEMTRACE_INLINING: s.inlining ? "1" : "0",
    MEMTRACE_ALL_TIERS: s.allTiers ? "1" : "0",
    MEMTRACE_LAUNCHER_PID: String(process.pid),
    // Whether each process's interposer chooses an agent for its V8 (native/preload/agent_select.h).
    MEMTRACE_AGENT: s.nativeOnly ? "0" : "1",
    // Lets a process recognise that it runs a node whose version the launcher knows, for its Header.
    MEMTRACE_NODE: nodes,
    ...(s.paired === undefined ? {} : { MEMTRACE_PAIRED: s.paired ? "1" : "0" }),
  };
}

/**
 * How the app's stdio is set: the launcher's own; the same but stdout to stderr when the capture is written to
 * stdout, so that the two never mix; or given descriptors (the live view, which has the terminal, sends the app's
 * output to a file).
 */
export type AppStdio = "inherit" | "capture-on-stdout" | [stdin: "ignore" | "inherit", stdout: number, stderr: number];

export function startApp(command: AppCommand, env: NodeJS.ProcessEnv, stdio: AppStdio): ChildProcess {
  const fds =
    stdio === "inherit"
      ? ["inherit", "inherit", "inherit"]
      : stdio === "capture-on-stdout"
        ? ["inherit", 2, "inherit"]
        : stdio;
  return spawn(command.file, command.args, { env, stdio: fds as ("inherit" | "ignore" | number)[] });
}

const FORWARDED_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];
/** Signals a terminal sends to its whole foreground process group, the app included. */
const TERMINAL_SIGNALS = new Set<NodeJS.Signals>(["SIGINT", "SIGQUIT"]);

/**
 * Passes the signals that would end memtrace on to the app instead, so that memtrace stays to finish the capture.
 * At a terminal, Ctrl-C and Ctrl-\ already reach the app (it shares memtrace's process group): those are not sent
 * a second time. Returns a function that stops forwarding.
 */
export function forwardSignals(child: ChildProcess, atTerminal: boolean): () => void {
  const handlers = FORWARDED_SIGNALS.map((signal) => {
    const handler = () => {
      if (atTerminal && TERMINAL_SIGNALS.has(signal)) return;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}

/** Ends memtrace the way the app ended: the same exit code, or the same signal. */
export function exitLikeApp(code: number | null, signal: NodeJS.Signals | null): void {
  if (signal) {
    // A signal that node itself catches or ignores (SIGUSR1 starts its inspector, SIGPIPE is ignored) leaves
    // memtrace running: it then exits the way a shell reports a death by signal.
    process.exitCode = 128 + (osConstants.signals[signal] ?? 0);
    process.kill(process.pid, signal);
    return;
  }
  process.exitCode = code ?? 1;
}
