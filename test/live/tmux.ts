// A real terminal for the live view's tests: Debian's tmux, a detached session of a given size running one shell
// command, driven with send-keys and read with capture-pane (text only: what a user would see). Every tmux call
// has a time limit, and every session is killed at the end of its test.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const LIMIT_MS = 10_000;
let sessions = 0;

// A server of the tests' own, apart from any the user runs.
const SOCKET = ["-L", `memtrace-test-${process.pid}`];

function tmux(args: string[]): string {
  const r = spawnSync("tmux", [...SOCKET, ...args], { encoding: "utf8", timeout: LIMIT_MS });
  if (r.status !== 0) throw new Error(`tmux ${args[0]}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

export function hasTmux(): boolean {
  return spawnSync("tmux", ["-V"], { timeout: LIMIT_MS }).status === 0;
}

/** "61.6 MiB" -> bytes. */
export function parseBytes(text: string): number {
  const m = /^(-?[\d.]+) (B|KiB|MiB|GiB|TiB)$/.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text}`);
  return Number(m[1]) * 1024 ** ["B", "KiB", "MiB", "GiB", "TiB"].indexOf(m[2]);
}

/** Shell quoting for one word. */
export function sh(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export class Terminal {
  readonly name = `memtrace-live-${process.pid}-${++sessions}`;
  readonly dir = mkdtempSync(join(tmpdir(), "memtrace-live-test-"));
  /** Where the command's exit status is written when it ends. */
  readonly statusFile = join(this.dir, "status");

  /** Starts `command` (a shell line) in a session of this size; `env` is set for it. */
  constructor(command: string, env: NodeJS.ProcessEnv, size = { width: 120, height: 40 }) {
    const vars = Object.entries(env)
      .filter(([, v]) => v !== undefined)
      .flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    const line = `cd ${sh(this.dir)} && ${command}; echo $? > ${sh(this.statusFile)}; sleep 60`;
    tmux(["new-session", "-d", "-s", this.name, "-x", String(size.width), "-y", String(size.height), ...vars, line]);
  }

  screen(): string {
    return tmux(["capture-pane", "-p", "-t", this.name]);
  }

  /** Keys as tmux names them ("q", "C-c", "Space", ">"). */
  keys(...keys: string[]): void {
    tmux(["send-keys", "-t", this.name, ...keys]);
  }

  resize(width: number, height: number): void {
    tmux(["resize-window", "-t", this.name, "-x", String(width), "-y", String(height)]);
  }

  /** Waits until the screen satisfies `test`; returns that screen, or throws with the last one seen. */
  async waitFor(test: (screen: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < until) {
      last = this.screen();
      if (test(last)) return last;
      await new Promise((r) => setTimeout(r, 150));
    }
    const ps = spawnSync("ps", ["-eo", "pid,stat,wchan:32,args"], { encoding: "utf8", timeout: LIMIT_MS }).stdout;
    const ours = ps.split("\n").filter((l) => l.includes(this.dir) || /grow\.js/.test(l));
    throw new Error(`timed out waiting for ${what}; the screen was:\n${last}\nprocesses:\n${ours.join("\n")}`);
  }

  /** The command's exit status once it ended (waits up to `timeoutMs`). */
  async status(timeoutMs = 15_000): Promise<number> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      try {
        const text = readFileSync(this.statusFile, "utf8").trim();
        if (text) return Number(text);
      } catch {
        // Not yet.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the command did not end; the screen was:\n${this.screen()}`);
  }

  kill(): void {
    spawnSync("tmux", [...SOCKET, "kill-session", "-t", this.name], { timeout: LIMIT_MS });
  }
}
