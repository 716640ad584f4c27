// The tables of a pprof profile (functions, locations, mappings, strings), each entry made once through one
// getOrInsert, with the ids profile.proto asks for: nonzero, unique, dense from 1 in order of first use.
//
// One location per frame, with one line: memtrace's frames are already one function at one position (inlined frames
// are frames of their own), so a Location never needs pprof's inline chain. Native code gets a Mapping per module,
// without addresses: a folded profile merges frames by identity across processes, so an address would belong to no
// single process. has_functions tells pprof that the names are there and nothing needs symbolizing.
import { Function as PprofFunction, Line, Location, Mapping, StringTable } from "pprof-format";
import type { ExportFrame } from "./frames";

export class PprofTables {
  readonly strings = new StringTable();
  readonly functions: PprofFunction[] = [];
  readonly locations: Location[] = [];
  readonly mappings: Mapping[] = [];
  private readonly functionIds = new Map<string, number>();
  private readonly locationIds = new Map<string, number>();
  private readonly mappingIds = new Map<string, number>();

  string(s: string): number {
    return this.strings.dedup(s);
  }

  /** The location of a frame: its function at its line and column. */
  location(f: ExportFrame): number {
    const key = JSON.stringify([f.name, f.file, f.module, f.functionLine, f.line, f.column]);
    let id = this.locationIds.get(key);
    if (id === undefined) {
      id = this.locations.length + 1;
      this.locationIds.set(key, id);
      const functionId = this.function(f);
      this.locations.push(
        new Location({
          id,
          mappingId: f.module ? this.mapping(f.module) : 0,
          line: [new Line({ functionId, line: f.line, column: f.column })],
        }),
      );
    }
    return id;
  }

  private function(f: ExportFrame): number {
    const key = JSON.stringify([f.name, f.file, f.module, f.functionLine]);
    let id = this.functionIds.get(key);
    if (id === undefined) {
      id = this.functions.length + 1;
      this.functionIds.set(key, id);
      const name = this.string(f.name);
      this.functions.push(
        new PprofFunction({ id, name, systemName: name, filename: this.string(f.file), startLine: f.functionLine }),
      );
    }
    return id;
  }

  /**
   * Puts first the mapping of the program itself ("mapping[0] will be the main binary"; pprof names the profile
   * after it): the module named like the program that ran, e.g. /usr/bin/node for `node app.js`.
   */
  putMainFirst(program: string): void {
    const base = (path: string) => path.slice(path.lastIndexOf("/") + 1);
    if (!program) return;
    const main = [...this.mappingIds].find(([module]) => base(module) === base(program));
    if (!main) return;
    const at = this.mappings.findIndex((m) => m.id === main[1]);
    this.mappings.unshift(...this.mappings.splice(at, 1));
  }

  private mapping(module: string): number {
    let id = this.mappingIds.get(module);
    if (id === undefined) {
      id = this.mappings.length + 1;
      this.mappingIds.set(module, id);
      this.mappings.push(new Mapping({ id, filename: this.string(module), hasFunctions: true }));
    }
    return id;
  }
}
