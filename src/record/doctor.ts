// `memtrace doctor`: what a bug report needs, and whether recording works here, each found by trying it. It
// records a small probe with the node asked about (a named JS function that allocates native buffers) and reads
// the capture: whether the interposer loaded, which agent its process chose and whether that agent named the
// JS function in the native stacks, and how much of the native memory has a stack that reaches node's start
// (frame pointers all the way: a node built without them gives cut stacks).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import { codeEventsIn } from "../codec/code-event";
import { decodeAll } from "../codec/decoder";
import type { Message } from "../codec/model";
import { Scopes } from "../model/scope";
import { PACKAGE_ROOT, PLATFORM, agentFileName, nativeDir, v8LineOf } from "./native";

export interface DoctorLine {
  /** What was looked at ("node", "agent", ...). */
  topic: string;
  text: string;
  ok: boolean;
}

interface NodeFacts {
  path: string;
  version: string;
  v8: string;
  modules: string;
}

const PROBE_FUNCTION = "memtraceDoctorProbe";
const PROBE_BYTES = 65_521;
const PROBE =
  `function ${PROBE_FUNCTION}() { const kept = []; ` +
  `for (let i = 0; i < 64; i++) kept.push(Buffer.allocUnsafeSlow(${PROBE_BYTES})); return kept.length; } ` +
  `${PROBE_FUNCTION}();`;

function nodeFacts(node: string): NodeFacts | string {
  const r = spawnSync(
    node,
    ["-p", "JSON.stringify([process.execPath, process.version, process.versions.v8, process.versions.modules])"],
    { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } },
  );
  if (r.error || r.status !== 0) return `${node} does not run: ${r.error?.message ?? r.stderr.trim()}`;
  const [path, version, v8, modules] = JSON.parse(r.stdout) as string[];
  return { path, version, v8, modules };
}

function glibc(): string {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime ? `glibc ${header.glibcVersionRuntime}` : "no glibc";
}

/** Records the probe with `node` through this memtrace; the capture's bytes, or why there is none. */
function recordProbe(node: string): Promise<{ capture?: Buffer; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), "memtrace-doctor-"));
  const out = join(dir, "probe.mtrace");
  // The probe tests memtrace, not the user's settings: without their NODE_OPTIONS, and without the CA
  // certificates whose loading makes every node start with ~900,000 allocations.
  const env = { ...process.env, NODE_OPTIONS: "", NODE_EXTRA_CA_CERTS: "" };
  const bin = join(PACKAGE_ROOT, "bin", "memtrace.js");
  const args = [bin, "record", "--no-compress", "-o", out, "--", node, "-e", PROBE];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", () => {
      const capture = existsSync(out) ? readFileSync(out) : undefined;
      rmSync(dir, { recursive: true, force: true });
      resolve({ capture, stderr: stderr.trim() });
    });
  });
}

const percent = (part: number, whole: number) => `${whole > 0 ? Math.round((100 * part) / whole) : 0}%`;

/** A process's allocations, from its events or its paired rows and their sites (a recording paired or not). */
function* allocationsOf(
  messages: Message[],
  pid: number,
): Generator<{ kind: number; size: number; stack: number; tid: number }> {
  const sites = { kind: [0], size: [0], stack: [0] };
  for (const m of messages) {
    if (m.pid !== pid) continue;
    if (m.type === "events") {
      const b = m.batch;
      for (let i = 0; i < b.length; i++)
        if (b.kind[i] < 64) yield { kind: b.kind[i], size: b.size[i], stack: b.stack[i], tid: b.tid[i] };
    } else if (m.type === "sites") {
      for (let i = 0; i < m.sites.length; i++) {
        sites.kind[m.sites.firstId + i] = m.sites.kind[i];
        sites.size[m.sites.firstId + i] = m.sites.size[i];
        sites.stack[m.sites.firstId + i] = m.sites.stack[i];
      }
    } else if (m.type === "paired") {
      const b = m.batch;
      for (let i = 0; i < b.length; i++) {
        const site = b.op[i] / 2;
        if (b.op[i] % 2 === 0)
          yield { kind: sites.kind[site], size: sites.size[site], stack: sites.stack[site], tid: b.tid[i] };
      }
    }
  }
}

/** What the probe's capture says about the interposer, the agent and the stacks. */
function readProbe(bytes: Buffer, stderr: string): DoctorLine[] {
  const messages = decodeAll(bytes, { paired: true });
  const scopes = new Scopes();
  for (const m of messages) scopes.apply(m);
  const header = messages.find((m) => m.type === "header");
  if (header?.type !== "header") {
    return [{ topic: "interposer", text: `does not load: ${stderr || "the capture is empty"}`, ok: false }];
  }
  const scope = scopes.get(header.pid)!;
  const h = header.header;
  let allocations = 0;
  let nativeBytes = 0;
  let rootedBytes = 0;
  let probes = 0;
  let named = 0;
  for (const a of allocationsOf(messages, header.pid)) {
    allocations++;
    const names = scope.stackFrames(a.stack).map((f) => scope.frame(f).name);
    if (a.size === PROBE_BYTES) {
      probes++;
      if (names.includes(PROBE_FUNCTION)) named++;
    }
    // JS heap samples have V8's stacks, not native ones; other threads start elsewhere than main.
    if (a.kind === 13 || a.tid !== header.pid) continue;
    nativeBytes += a.size;
    if (names.some((n) => n === "main" || n.startsWith("node::Start("))) rootedBytes += a.size;
  }
  const codeEvents = messages.filter((m) => m.pid === header.pid).flatMap(codeEventsIn).length;
  const lines: DoctorLine[] = [
    {
      topic: "interposer",
      text: `loads: the probe's recording holds ${allocations.toLocaleString("en-US")} allocations`,
      ok: true,
    },
  ];
  if (h.agent) {
    const works = codeEvents > 0 && probes > 0 && named === probes;
    lines.push({
      topic: "agent",
      text:
        `${h.agent}: ${codeEvents} code events; ${named} of ${probes} of the probe's buffers ` +
        `under its JS function${works ? "" : " (JS frames are not named)"}`,
      ok: works,
    });
  } else {
    lines.push({ topic: "agent", text: `none: ${h.notes.join("; ") || "none was chosen"}`, ok: false });
  }
  lines.push({
    topic: "frame pointers",
    text: `${percent(rootedBytes, nativeBytes)} of the main thread's native bytes have stacks that reach node::Start or main`,
    ok: rootedBytes >= 0.9 * nativeBytes,
  });
  return lines;
}

/** Every check, in the order printed. `node`: the node to check (memtrace's own by default). */
export async function doctor(node: string = process.execPath): Promise<DoctorLine[]> {
  const version = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")).version as string;
  const lines: DoctorLine[] = [
    { topic: "memtrace", text: `${version} (${PACKAGE_ROOT})`, ok: true },
    {
      topic: "platform",
      text: `${PLATFORM}, ${process.platform === "linux" ? glibc() : "not Linux"}, kernel ${release()}`,
      ok: process.platform === "linux",
    },
  ];
  const facts = nodeFacts(node);
  if (typeof facts === "string") return [...lines, { topic: "node", text: facts, ok: false }];
  lines.push({
    topic: "node",
    text: `${realpathSync(facts.path)} ${facts.version} (V8 ${facts.v8}, ABI ${facts.modules})`,
    ok: true,
  });
  const dir = nativeDir();
  const agent = join(dir, agentFileName(v8LineOf(facts.v8)));
  const hasInterposer = existsSync(join(dir, "libmemtrace_preload.so"));
  lines.push({
    topic: "native files",
    text: `${dir}: ${hasInterposer ? "interposer" : "no interposer"}, ${existsSync(agent) ? "an" : "no"} agent for V8 ${v8LineOf(facts.v8)}`,
    ok: hasInterposer,
  });
  if (!hasInterposer || process.platform !== "linux") return lines;
  const probe = await recordProbe(facts.path);
  if (!probe.capture) {
    return [...lines, { topic: "interposer", text: `no recording: ${probe.stderr || "no capture"}`, ok: false }];
  }
  return [...lines, ...readProbe(probe.capture, probe.stderr)];
}

/** The report as printed: one line per check, its topic in a column. */
export function formatDoctor(lines: DoctorLine[]): string {
  const width = Math.max(...lines.map((l) => l.topic.length)) + 2;
  return lines.map((l) => `${l.topic.padEnd(width)}${l.ok ? "" : "PROBLEM: "}${l.text}\n`).join("");
}
