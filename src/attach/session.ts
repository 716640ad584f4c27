// How `memtrace detach PID` finds the `memtrace attach` that records PID: attach keeps a control socket and a note
// naming it in a folder of the user's own (mode 0700), for as long as it records.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SessionNote {
  /** memtrace attach's own pid. */
  attacher: number;
  /** Its control socket: "detach\n" asks it to stop; it answers with the capture's name when done. */
  control: string;
  output: string;
}

function sessionDir(): string {
  const dir = join(tmpdir(), `memtrace-${process.geteuid?.() ?? 0}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Someone else's folder of that name is not to be trusted with a control socket.
  if (statSync(dir).uid !== (process.geteuid?.() ?? 0)) throw new Error(`${dir} is not yours`);
  return dir;
}

export function controlPath(pid: number): string {
  return join(sessionDir(), `attach-${pid}.sock`);
}

function notePath(pid: number): string {
  return join(sessionDir(), `attach-${pid}.json`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The note of the memtrace attach that records `pid`, if one runs. */
export function readSession(pid: number): SessionNote | undefined {
  try {
    const note = JSON.parse(readFileSync(notePath(pid), "utf8")) as SessionNote;
    return alive(note.attacher) ? note : undefined;
  } catch {
    return undefined;
  }
}

export function writeSession(pid: number, note: SessionNote): void {
  writeFileSync(notePath(pid), JSON.stringify(note), { mode: 0o600 });
}

export function removeSession(pid: number): void {
  rmSync(notePath(pid), { force: true });
  rmSync(controlPath(pid), { force: true });
}
