// tap's snapshots, stored as one plain file per snapshot under test/sinks/golden/ instead of tap's default of one
// JavaScript module per test file: an SVG golden file opens in a browser, and a diff of it reads like the output.
// (Not under test/golden/: that folder holds exactly the CLI's golden files, which scripts/snap.ts owns.)
//
//   t.test("...", GOLDEN, async (t) => t.matchSnapshot(svg, "flame/small.svg"));
//
// The message is the file's path under test/sinks/golden/. `npm run snap` regenerates them with every tap snapshot
// (`npx tap --snapshot test/sinks` for these alone); review the diff like code.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const GOLDEN_SINKS_DIR = join(__dirname, "golden");

/** A tap SnapshotProvider (see @tapjs/snapshot) over a directory of files. */
class GoldenFiles {
  private readonly pending = new Map<string, string>();

  constructor(readonly file: string) {}

  /** tap names a snapshot "<test name> > <message>"; the message is the file name. */
  private path(msg: string): string {
    const name = msg.slice(msg.lastIndexOf(" > ") + 3);
    if (name.includes("..") || name.startsWith("/"))
      throw new Error(`a golden file name stays in the directory: ${name}`);
    return join(this.file, name);
  }

  read(msg: string): string {
    const path = this.path(msg);
    try {
      return readFileSync(path, "utf8");
    } catch {
      throw new Error(`no golden file ${path}: run \`npx tap --snapshot test/sinks\` to write it, then review it`);
    }
  }

  snap(data: string, msg: string): void {
    this.pending.set(this.path(msg), data);
  }

  save(): void {
    for (const [path, data] of this.pending) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
    }
  }
}

/** Options for a t.test() whose matchSnapshot() calls use the golden files. */
export const GOLDEN = { snapshotProvider: GoldenFiles, snapshotFile: GOLDEN_SINKS_DIR };
