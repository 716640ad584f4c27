// What `memtrace attach` learns about a process before touching it, all from /proc: that it exists, is the user's,
// runs Node.js (its executable exports Node-API), which Node.js, and whether memtrace already records it.
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, readSync, readlinkSync, statSync } from "node:fs";

/** attach or detach cannot go on; the message says why, in one line. */
export class AttachError extends Error {
  override name = "AttachError";
}

export interface TargetProcess {
  pid: number;
  /** /proc/PID/exe's target, and the path to execute it by (works even if the file was replaced). */
  exe: string;
  /** The command line, NUL-split. */
  argv: string[];
  /** NODE_OPTIONS from its environment, or "". */
  nodeOptions: string;
}

/** The process, checked: it exists, it is the user's, it runs node, memtrace does not record it already. */
export function inspectTarget(pid: number): TargetProcess {
  let uid: number;
  try {
    uid = statSync(`/proc/${pid}`).uid;
  } catch {
    throw new AttachError(`no process ${pid}`);
  }
  const me = process.geteuid?.() ?? 0;
  if (uid !== me) {
    throw new AttachError(
      `process ${pid} is not yours (it runs as uid ${uid}): memtrace attaches to your own processes only`,
    );
  }
  let exe: string;
  let argv: string[];
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
    argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    throw new AttachError(`no process ${pid}`);
  }
  if (!exportsNodeApi(`/proc/${pid}/exe`)) {
    throw new AttachError(`process ${pid} (${argv[0] ?? exe}) is not a Node.js process`);
  }
  const maps = safeRead(`/proc/${pid}/maps`);
  if (maps.includes("libmemtrace_preload.so") && preloaded(pid)) {
    throw new AttachError(`process ${pid} is recorded by memtrace record from its start already`);
  }
  const environ = safeRead(`/proc/${pid}/environ`).split("\0");
  const nodeOptions = environ.find((e) => e.startsWith("NODE_OPTIONS="))?.slice("NODE_OPTIONS=".length) ?? "";
  return { pid, exe, argv, nodeOptions };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** Whether the process was started with memtrace's interposer in LD_PRELOAD (by memtrace record). */
function preloaded(pid: number): boolean {
  const environ = safeRead(`/proc/${pid}/environ`).split("\0");
  return environ.some((e) => e.startsWith("LD_PRELOAD=") && e.includes("libmemtrace_preload.so"));
}

/** Node.js's versions in the target's executable, asked of the executable itself (run with no script, no options). */
export function nodeVersions(target: TargetProcess): NodeJS.ProcessVersions {
  const result = spawnSync(`/proc/${target.pid}/exe`, ["-p", "JSON.stringify(process.versions)"], {
    env: { PATH: process.env.PATH ?? "" },
    encoding: "utf8",
    timeout: 10_000,
  });
  try {
    return JSON.parse(result.stdout) as NodeJS.ProcessVersions;
  } catch {
    throw new AttachError(
      `cannot tell which Node.js process ${target.pid} runs (${target.exe} -p process.versions failed)`,
    );
  }
}

/**
 * Whether the ELF file exports Node-API (napi_module_register is in its dynamic string table): node, and
 * programs that embed it. Read from the section headers and .dynstr alone, never by running it.
 */
export function exportsNodeApi(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return false;
  }
  try {
    const read = (offset: number, length: number): Buffer => {
      const b = Buffer.alloc(length);
      const n = readSync(fd, b, 0, length, offset);
      return b.subarray(0, n);
    };
    const header = read(0, 64);
    // A 64-bit little-endian ELF file.
    if (header.length < 64 || header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2 || header[5] !== 1) return false;
    const sectionsAt = Number(header.readBigUInt64LE(0x28));
    const entrySize = header.readUInt16LE(0x3a);
    const count = header.readUInt16LE(0x3c);
    const sections = read(sectionsAt, entrySize * count);
    for (let i = 0; i < count; i++) {
      const s = sections.subarray(i * entrySize, (i + 1) * entrySize);
      // SHT_DYNSYM (11) points at its string table through sh_link.
      if (s.length < 64 || s.readUInt32LE(4) !== 11) continue;
      const link = s.readUInt32LE(40);
      const strings = sections.subarray(link * entrySize, (link + 1) * entrySize);
      const table = read(Number(strings.readBigUInt64LE(24)), Number(strings.readBigUInt64LE(32)));
      return table.includes("\0napi_module_register\0");
    }
    return false;
  } finally {
    closeSync(fd);
  }
}
