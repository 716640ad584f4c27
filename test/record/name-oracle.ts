// An oracle for the names of JIT frames: node's own record of its generated code (--perf-basic-prof's
// /tmp/perf-<pid>.map, one "start size name" line per code object, appended as V8 makes the code) judges, for
// the same run, the name the recorder gave each frame.
//
// The map has no times. Its lines come in the order V8 made the code, as do the capture's ADDED code events of
// the same code: each line is matched to the first unclaimed event of the same start, size and name, and so has
// that event's time, or bounds on it (code made before its isolate's agent started is reported when the agent
// starts). A frame is judged by the last line in the map that held its address when it was first seen (the time
// of the first event whose stack has it: run with --exact-times, so that event times are the clock's). Frames
// the map cannot speak for are left unjudged: those in code that a MOVED event placed (the map does not follow
// moves), and those whose answer hangs on lines made at times not known closely enough.
import { codeEventsIn } from "../../src/codec/code-event";
import { CodeEventKind, type FunctionInfo } from "../../src/codec/model";
import type { Capture } from "./capture";

interface MapLine {
  start: number;
  end: number;
  /** The name without V8's tag and tier marker, as the recorder's function fields rebuild it. */
  name: string;
  /** Other names for the same code: the symbol node's binary has for a bytecode handler. */
  aliases: string[];
  /** The time of the line's matched ADDED event, if any. */
  matched?: number;
  /** When the code was made lies in [earliest, latest]. */
  earliest: number;
  latest: number;
}

export interface Verdict {
  /** JIT frames judged, and those whose name the map confirms. */
  judged: number;
  agreed: number;
  /** JIT frames the map could not speak for. */
  unjudged: number;
  /** Judged frames the recorder could not name (no code event covered them: seen before their isolate's agent
   *  started, in code gone by then). */
  unnamed: number;
  /** Frames named otherwise than the map says, and the first 20 of them. */
  disagreed: number;
  disagreements: string[];
}

/** "JS:~name /app/z.js:12:20" or "JS:*'name ..." -> "name /app/z.js:12:20"; "Builtin:ArrayPush" -> "ArrayPush". */
export function withoutTag(raw: string): string {
  const colon = raw.indexOf(":");
  const space = raw.indexOf(" ");
  let rest = colon >= 0 && (space < 0 || colon < space) ? raw.slice(colon + 1) : raw;
  // A tier marker, and on V8 13 and later ' for code specialised to its function's context.
  if (rest.length > 0 && "~*^+-".includes(rest[0])) rest = rest.slice(rest[1] === "'" ? 2 : 1);
  return rest;
}

/**
 * The recorder's function as V8 would have named it (less tag and marker): for a function a source map moved
 * (memtrace's own compiled TypeScript among them), the generated position it keeps.
 */
function asV8Name(strings: string[], f: FunctionInfo): string {
  const mapped = Boolean(f.generatedFile);
  const name = strings[(mapped && f.generatedName) || f.name] ?? "";
  const file = strings[mapped ? f.generatedFile! : f.file] ?? "";
  if (!file) return name;
  const line = mapped ? f.generatedLine : f.line;
  const column = mapped ? f.generatedColumn : f.column;
  return line ? `${name} ${file}:${line}:${column}` : `${name} ${file}`;
}

export function parseMap(text: string): MapLine[] {
  const lines: MapLine[] = [];
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (!m) continue;
    const start = parseInt(m[1], 16);
    const name = withoutTag(m[3]);
    // Builtins_StaContextSlotWideHandler for "BytecodeHandler:StaContextSlot.Wide".
    const aliases = m[3].startsWith("BytecodeHandler:") ? [`${name.replace(".", "")}Handler`] : [];
    lines.push({ start, end: start + parseInt(m[2], 16), name, aliases, earliest: 0, latest: Infinity });
  }
  return lines;
}

export function judgeNames(capture: Capture, pid: number, map: MapLine[]): Verdict {
  const scope = capture.scopes.get(pid)!;
  const strings = scope.strings;
  const code = capture.messages.filter((m) => m.pid === pid).flatMap(codeEventsIn);
  const added = code.filter((c) => c.kind === CodeEventKind.ADDED).sort((a, b) => a.timeNs - b.timeNs);
  const moves = code.filter((c) => c.kind === CodeEventKind.MOVED);

  // Lines to events, in order.
  const byKey = new Map<string, number[]>();
  added.forEach((c, i) => {
    const key = `${c.start} ${c.size} ${asV8Name(strings, scope.functions[c.function])}`;
    const list = byKey.get(key) ?? [];
    list.push(i);
    byKey.set(key, list);
  });
  const taken = new Map<string, number>();
  for (const line of map) {
    const key = `${line.start} ${line.end - line.start} ${line.name}`;
    const list = byKey.get(key);
    const k = taken.get(key) ?? 0;
    if (!list || k === list.length) continue;
    taken.set(key, k + 1);
    line.matched = added[list[k]].timeNs;
  }
  // The map's order is the order code was made: a line was made no later than any line after it, and no
  // earlier than any line before it. A matched line's time is exact unless a later line was made before it (a
  // line matched to its agent's report of the code that existed).
  let latest = Infinity;
  for (let i = map.length - 1; i >= 0; i--) {
    if (map[i].matched !== undefined) latest = Math.min(latest, map[i].matched!);
    map[i].latest = latest;
  }
  let earliest = 0;
  for (const line of map) {
    if (line.matched !== undefined && line.matched <= line.latest) earliest = line.matched;
    line.earliest = earliest;
  }

  // When each frame was first seen: the earliest event whose stack holds it.
  const stackFirst = new Float64Array(scope.stackCount).fill(Infinity);
  for (const e of capture.events) {
    if (e.pid === pid && e.stack && e.time < stackFirst[e.stack]) stackFirst[e.stack] = e.time;
  }
  const frameFirst = new Float64Array(scope.frameCount).fill(Infinity);
  const parent = scope.stackParent.data;
  const frameOf = scope.stackFrame.data;
  for (let s = scope.stackCount - 1; s > 0; s--) {
    const t = stackFirst[s];
    if (t === Infinity) continue;
    if (t < stackFirst[parent[s]]) stackFirst[parent[s]] = t;
    if (t < frameFirst[frameOf[s]]) frameFirst[frameOf[s]] = t;
  }

  // Lines by start, for the look-up of the lines that held an address.
  const order = map.map((_, i) => i).sort((a, b) => map[a].start - map[b].start);
  const maxSize = map.reduce((m, l) => Math.max(m, l.end - l.start), 0);
  const holding = (pc: number): number[] => {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (map[order[mid]].start <= pc) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let i = lo - 1; i >= 0 && map[order[i]].start > pc - maxSize; i--) {
      if (pc < map[order[i]].end) out.push(order[i]);
    }
    return out.sort((a, b) => a - b);
  };

  const verdict: Verdict = { judged: 0, agreed: 0, unjudged: 0, unnamed: 0, disagreed: 0, disagreements: [] };
  for (let f = 1; f < scope.frameCount; f++) {
    const address = scope.frameAddress.data[f];
    const seen = frameFirst[f];
    if (!address || seen === Infinity) continue;
    const pc = address - 1;
    const lines = holding(pc);
    if (lines.length === 0) continue; // not generated code
    if (moves.some((m) => m.timeNs <= seen && pc >= m.newStart && pc < m.newStart + m.size)) {
      verdict.unjudged++;
      continue;
    }
    // The last line made by the time the frame was seen. If when it was made is not known that closely, it is
    // the answer only if no other line can have been (the frame was seen in code that existed).
    const made = lines.filter((i) => map[i].earliest <= seen);
    const answer = made.length ? map[made[made.length - 1]] : undefined;
    if (!answer || (answer.latest > seen && made.length > 1)) {
      verdict.unjudged++;
      continue;
    }
    verdict.judged++;
    const fn = scope.frameFunction.data[f];
    if (!fn) {
      verdict.unnamed++;
      continue;
    }
    const named = asV8Name(strings, scope.functions[fn]);
    // V8 names code it makes while it deserialises an isolate's start-up code with script offsets where the
    // line and column go ("BuiltinModule node:internal/bootstrap/realm:7527:7548"), and reports the same code
    // with its line and column when the agent starts: for a line no event timed, the name and script must agree.
    const untimed = answer.matched === undefined || answer.matched > answer.latest;
    const withoutPosition = (name: string) => name.replace(/:\d+:\d+$/, "");
    if (
      named === answer.name ||
      answer.aliases.includes(named) ||
      (untimed && withoutPosition(named) === withoutPosition(answer.name))
    ) {
      verdict.agreed++;
    } else if (verdict.disagreed++ < 20) {
      verdict.disagreements.push(`0x${address.toString(16)}: recorded "${named}", the map says "${answer.name}"`);
    }
  }
  return verdict;
}
