// One Record <-> one Message.
//
// The envelope (pid + oneof body) is parsed by hand so that a columnar body goes straight to its typed-array
// decoder; every other body goes through @bufbuild/protobuf's generated schema and is converted to the model.
import { CaptureError } from "./errors";
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { plainCodeEvent } from "./code-event";
import { ColumnarFields } from "./columns";
import * as pb from "./gen/memtrace_pb";
import {
  FREE_AGE,
  FREE_STEP,
  type CodeEvent,
  type CodeEventKind,
  type EventBatch,
  type FoldInfo,
  type FoldedBatch,
  type Header,
  type MemorySamples,
  type Message,
  type PairedBatch,
  type SiteTable,
  type Trailer,
} from "./model";
import { decodeTimeline, encodeTimeline } from "./timeline";
import { ByteWriter, WIRE_LEN, WIRE_VARINT, WireError, lastPos, readVarint, skipField, zigzag } from "./wire";

/** Field numbers of Record's oneof body, by message type. */
export const BODY_FIELD = {
  header: 2,
  strings: 3,
  functions: 4,
  frames: 5,
  stacks: 6,
  events: 7,
  watermark: 8,
  memory: 9,
  thread: 10,
  process: 11,
  mapping: 12,
  code: 13,
  resolution: 14,
  gc: 15,
  folded: 16,
  trailer: 17,
  otherMeasure: 18,
  sites: 19,
  paired: 20,
  timeline: 21,
  codeEvents: 22,
} as const satisfies Record<Exclude<Message["type"], "unknown">, number>;

const TYPE_OF_FIELD: (Message["type"] | undefined)[] = [];
for (const [type, field] of Object.entries(BODY_FIELD)) TYPE_OF_FIELD[field] = type as Message["type"];

const U32 = 4294967296;

function num(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new WireError(`${what} ${v} does not fit in 53 bits`, 0);
  return Number(v);
}

function big(v: number): bigint {
  return BigInt(v);
}

function fromBin<T extends DescMessage>(schema: T, buf: Uint8Array, start: number, end: number): MessageShape<T> {
  try {
    return fromBinary(schema, buf.subarray(start, end), { readUnknownFields: false });
  } catch (e) {
    // @bufbuild/protobuf throws RangeError ("premature EOF"), TypeError (invalid UTF-8) or Error ("illegal tag")
    // on malformed bytes: they are bad input, not bugs, so they become a WireError at the body's offset.
    throw new WireError(`invalid ${schema.name}: ${(e as Error).message}`, start);
  }
}

/**
 * Decodes the Record in buf[start, end). Throws WireError (positions relative to buf) on malformed input.
 * Returns an "unknown" message for a Record kind this reader does not know.
 */
/** How decodeRecord keeps a PairedBatch's bytes (DecodeOptions.paired "raw"): the Record's stream offset. */
export interface RawPaired {
  offset: number;
  compressed: boolean;
  /** Set when buf is the decoder's, lent to this Record alone: gives it back (Message "paired".release). */
  release?: () => void;
}

export function decodeRecord(buf: Uint8Array, start: number, end: number, raw?: RawPaired): Message {
  let pid = 0;
  let bodyField = 0;
  let bodyStart = 0;
  let bodyEnd = 0;
  let p = start;
  while (p < end) {
    const tag = readVarint(buf, p, end);
    p = lastPos();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1 && wireType === WIRE_VARINT) {
      pid = readVarint(buf, p, end);
      if (pid >= U32) throw new WireError(`pid ${pid} is out of range`, p);
      p = lastPos();
    } else if (field >= 2 && wireType === WIRE_LEN) {
      const len = readVarint(buf, p, end);
      const from = lastPos();
      if (from + len > end) throw new WireError(`field ${field} runs past the end of the record`, p);
      // A oneof keeps the last body it sees, as protobuf parsers do.
      bodyField = field;
      bodyStart = from;
      bodyEnd = from + len;
      p = bodyEnd;
    } else {
      p = skipField(buf, p, end, wireType);
      if (p > end) throw new WireError("a field runs past the end of the record", end);
    }
  }
  const type = TYPE_OF_FIELD[bodyField];
  if (type === undefined) return { type: "unknown", pid, field: bodyField, bytes: end - start };
  if (raw && type === "paired") {
    // A buffer the decoder lends is this record's alone: a view of it, not a copy.
    const body = raw.release ? buf.subarray(bodyStart, bodyEnd) : buf.slice(bodyStart, bodyEnd);
    return lazyPaired(pid, body, raw.offset + (bodyStart - start), raw);
  }
  return decodeBody(type, pid, buf, bodyStart, bodyEnd);
}

/** A paired Message that keeps its body's bytes and decodes them on first use, with the decoder's error. */
function lazyPaired(pid: number, body: Uint8Array, bodyOffset: number, raw: RawPaired): Message {
  let batch: PairedBatch | undefined;
  let released = false;
  const message = { type: "paired", pid, raw: body } as Extract<Message, { type: "paired" }>;
  const giveBack = raw.release;
  if (giveBack) {
    message.release = () => {
      if (released) return;
      released = true;
      message.raw = undefined;
      giveBack();
    };
  }
  Object.defineProperty(message, "batch", {
    enumerable: true,
    get(): PairedBatch {
      if (batch) return batch;
      if (released) throw new Error("a paired batch was read after its bytes were released");
      try {
        return (batch = decodePaired(body, 0, body.length));
      } catch (e) {
        if (e instanceof WireError)
          throw new CaptureError(`malformed record: ${e.message}`, bodyOffset + e.at, raw.compressed);
        throw e;
      }
    },
  });
  return message;
}

function decodeBody(type: Message["type"], pid: number, buf: Uint8Array, start: number, end: number): Message {
  switch (type) {
    case "header":
      return { type, pid, header: headerFromWire(fromBin(pb.HeaderSchema, buf, start, end)) };
    case "strings": {
      const t = fromBin(pb.StringTableSchema, buf, start, end);
      return { type, pid, firstId: t.firstId, values: t.values };
    }
    case "functions": {
      const t = fromBin(pb.FunctionTableSchema, buf, start, end);
      return {
        type,
        pid,
        firstId: t.firstId,
        functions: t.functions.map((f) => ({
          name: f.name,
          file: f.file,
          module: f.module,
          line: f.line,
          column: f.column,
          kind: f.kind,
          // Only functions a source map placed carry these (the .proto's Function.generated_*).
          ...(f.generatedFile !== 0 && {
            generatedFile: f.generatedFile,
            generatedLine: f.generatedLine,
            generatedColumn: f.generatedColumn,
            generatedName: f.generatedName,
          }),
        })),
      };
    }
    case "frames": {
      const c = new ColumnarFields(buf, start, end, [2, 3, 4, 5]);
      const n = c.count(2);
      return {
        type,
        pid,
        firstId: c.scalars[1],
        length: n,
        function: c.read(2, "function", new Uint32Array(n), n),
        address: c.read(3, "address", new Float64Array(n), n),
        line: c.read(4, "line", new Uint32Array(n), n),
        column: c.read(5, "column", new Uint32Array(n), n),
      };
    }
    case "stacks": {
      const c = new ColumnarFields(buf, start, end, [2, 3, 4]);
      const distance = c.has(4);
      if (distance && c.has(2)) throw new WireError("stack table has both parent and parent_distance", start);
      const n = c.count(distance ? 4 : 2);
      const frame = new Uint32Array(n);
      if (n > 0 && !c.has(3)) throw new WireError("stack table has no frame column", start);
      const firstId = c.scalars[1];
      const parent = c.read(distance ? 4 : 2, distance ? "parent_distance" : "parent", new Uint32Array(n), n);
      if (distance) {
        for (let i = 0; i < n; i++) {
          const id = firstId + i;
          if (parent[i] < 1 || parent[i] > id)
            throw new WireError(`stack ${id} has parent_distance ${parent[i]} (1 to ${id})`, start);
          parent[i] = id - parent[i];
        }
      }
      return {
        type,
        pid,
        firstId,
        length: n,
        parent,
        frame: c.read(3, "frame", frame, n),
        ...(distance && { parentDistance: true }),
      };
    }
    case "events":
      return { type, pid, batch: decodeEventBatch(buf, start, end) };
    case "watermark":
      return { type, pid, timeNs: num(fromBin(pb.WatermarkSchema, buf, start, end).timeNs, "watermark time") };
    case "memory":
      return { type, pid, samples: decodeMemory(buf, start, end) };
    case "thread": {
      const t = fromBin(pb.ThreadInfoSchema, buf, start, end);
      return {
        type,
        pid,
        thread: {
          tid: t.tid,
          name: t.name,
          role: t.role,
          workerId: t.workerId,
          timeNs: num(t.timeNs, "time"),
          ended: t.ended,
        },
      };
    }
    case "process": {
      const e = fromBin(pb.ProcessEventSchema, buf, start, end);
      return {
        type,
        pid,
        event: {
          kind: e.kind,
          timeNs: num(e.timeNs, "time"),
          childPid: e.childPid,
          exitCode: e.exitCode,
          signal: e.signal,
          argv: e.argv,
          tid: e.tid,
        },
      };
    }
    case "mapping": {
      const m = fromBin(pb.MappingSchema, buf, start, end);
      return {
        type,
        pid,
        mapping: {
          start: num(m.start, "mapping start"),
          end: num(m.end, "mapping end"),
          fileOffset: num(m.fileOffset, "file offset"),
          path: m.path,
          buildId: m.buildId,
          executable: m.executable,
          timeNs: num(m.timeNs, "time"),
          removed: m.removed,
        },
      };
    }
    case "code": {
      const plain = plainCodeEvent(buf, start, end);
      if (plain) return { type, pid, code: plain };
      const e = fromBin(pb.CodeEventSchema, buf, start, end);
      return {
        type,
        pid,
        code: {
          kind: e.kind,
          timeNs: num(e.timeNs, "time"),
          start: num(e.start, "code start"),
          size: num(e.size, "code size"),
          newStart: num(e.newStart, "code start"),
          function: e.function,
        },
      };
    }
    case "codeEvents":
      return { type, pid, events: decodeCodeEvents(buf, start, end) };
    case "resolution": {
      const c = new ColumnarFields(buf, start, end, [1, 2, 3, 4, 5, 6]);
      const n = c.count(1);
      const fn = new Uint32Array(n);
      if (n > 0 && !c.has(2)) throw new WireError("frame resolution has no function column", start);
      return {
        type,
        pid,
        length: n,
        frame: c.read(1, "frame", new Uint32Array(n), n),
        function: c.read(2, "function", fn, n),
        line: c.read(3, "line", new Uint32Array(n), n),
        column: c.read(4, "column", new Uint32Array(n), n),
        ...((c.has(5) || c.has(6)) && {
          generatedLine: c.read(5, "generated_line", new Uint32Array(n), n),
          generatedColumn: c.read(6, "generated_column", new Uint32Array(n), n),
        }),
      };
    }
    case "gc": {
      const g = fromBin(pb.GcEventSchema, buf, start, end);
      return {
        type,
        pid,
        gc: {
          tid: g.tid,
          timeNs: num(g.timeNs, "time"),
          durationNs: num(g.durationNs, "duration"),
          kind: g.kind,
          heapBefore: num(g.heapBefore, "heap size"),
          heapAfter: num(g.heapAfter, "heap size"),
        },
      };
    }
    case "folded":
    case "otherMeasure":
      return { type, pid, batch: decodeFolded(buf, start, end) };
    case "trailer":
      return { type, pid, trailer: trailerFromWire(fromBin(pb.TrailerSchema, buf, start, end)) };
    case "sites":
      return { type, pid, sites: decodeSites(buf, start, end) };
    case "paired":
      return { type, pid, batch: decodePaired(buf, start, end) };
    case "timeline":
      return { type, pid, timeline: decodeTimeline(buf, start, end) };
    case "unknown":
      throw new Error("unreachable");
  }
}

function decodeEventBatch(buf: Uint8Array, start: number, end: number): EventBatch {
  const c = new ColumnarFields(buf, start, end, [3, 4, 5, 6, 7, 8, 9]);
  const n = c.count(3);
  const kind = c.read(3, "kind", new Uint8Array(n), n);
  // Times and addresses are summed as they are decoded: the delta coding is undone in the same pass.
  const time = c.readSummed(4, "time_delta", new Float64Array(n), n, c.scalars[2], false);
  const address = c.readSummed(5, "address_delta", new Float64Array(n), n, 0, true);
  const size = c.read(6, "size", new Float64Array(n), n);
  const stack = c.read(7, "stack", new Uint32Array(n), n);
  const count = c.has(8) ? c.read(8, "count", new Float64Array(n), n) : new Float64Array(n).fill(1);
  const tid = c.has(9) ? c.read(9, "tids", new Uint32Array(n), n) : new Uint32Array(n).fill(c.scalars[1]);
  if (n > 0 && time[n - 1] > Number.MAX_SAFE_INTEGER) throw new WireError("event times exceed 2^53 ns", start);
  return { length: n, kind, tid, time, address, size, stack, count };
}

function decodeSites(buf: Uint8Array, start: number, end: number): SiteTable {
  const c = new ColumnarFields(buf, start, end, [2, 3, 4, 5, 6]);
  const n = c.count(2);
  const delta = c.has(6);
  if (delta && c.has(4)) throw new WireError("site table has both stack and stack_delta", start);
  let stack = new Uint32Array(n);
  if (delta) {
    const summed = c.readSummed(6, "stack_delta", new Float64Array(n), n, 0, true);
    for (let i = 0; i < n; i++) {
      if (summed[i] < 0 || summed[i] >= 2 ** 32)
        throw new WireError(`site ${c.scalars[1] + i}'s stack_delta gives stack ${summed[i]}`, start);
    }
    stack.set(summed);
  } else stack = c.read(4, "stack", stack, n);
  return {
    firstId: c.scalars[1],
    length: n,
    kind: c.read(2, "kind", new Uint8Array(n), n),
    size: c.read(3, "size", new Float64Array(n), n),
    stack,
    count: c.has(5) ? c.read(5, "count", new Float64Array(n), n) : new Float64Array(n).fill(1),
    ...(delta && { stackDelta: true }),
  };
}

function decodePaired(buf: Uint8Array, start: number, end: number): PairedBatch {
  const c = new ColumnarFields(buf, start, end, [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14]);
  const n = c.count(2);
  const freeReference = c.scalars[11];
  if (freeReference !== FREE_AGE && freeReference !== FREE_STEP)
    throw new WireError(
      `a paired batch names its frees by reference ${freeReference}, which this reader does not know`,
      start,
    );
  // Columns with lengths of their own (one per deallocation, mapping, extra release) are read at their count;
  // the fold checks them against the rows that use them.
  const own = <T extends Uint8Array | Uint32Array | Float64Array>(f: number, name: string, make: (k: number) => T) => {
    const k = c.count(f);
    return c.read(f, name, make(k), k);
  };
  const tid = c.readSummed(4, "tid_delta", new Float64Array(n), n, 0, true);
  const extraRow = own(8, "extra_row", (k) => new Float64Array(k));
  for (let i = 1; i < extraRow.length; i++) extraRow[i] += extraRow[i - 1];
  const batch: PairedBatch = {
    length: n,
    op: c.read(2, "op", new Float64Array(n), n),
    freeReference,
    time:
      c.has(12) || c.has(13)
        ? timesFromChanges(c, n, start)
        : c.readSummed(3, "time_delta", new Float64Array(n), n, c.scalars[1], false),
    tid: Uint32Array.from(tid),
    freeKind: own(5, "free_kind", (k) => new Uint8Array(k)),
    address: own(6, "address", (k) => new Float64Array(k)),
    unmapLength: own(7, "unmap_length", (k) => new Float64Array(k)),
    extraRow: Uint32Array.from(extraRow),
    extraAge: own(9, "extra_age", (k) => new Float64Array(k)),
    extraKind: own(10, "extra_kind", (k) => new Uint8Array(k)),
    lateAge: own(14, "late_age", (k) => new Float64Array(k)),
  };
  if (n > 0 && batch.time[n - 1] > Number.MAX_SAFE_INTEGER) throw new WireError("event times exceed 2^53 ns", start);
  for (let i = 0; i < n; i++) {
    if (tid[i] < 0 || tid[i] >= U32) throw new WireError(`thread ${tid[i]} of a paired batch is out of range`, start);
  }
  for (let i = 0; i < extraRow.length; i++) {
    if (extraRow[i] >= n) throw new WireError(`an extra release names row ${extraRow[i]} of ${n}`, start);
  }
  if (batch.extraAge.length !== extraRow.length || batch.extraKind.length !== extraRow.length)
    throw new WireError("the extra release columns differ in length", start);
  if (freeReference === FREE_STEP) stepsToAges(batch.op, start);
  if (batch.lateAge!.length > 0) checkLateAges(batch, start);
  return batch;
}

/** late_age, where given, has one age per late free (v = 1), in row order. */
function checkLateAges(b: PairedBatch, at: number): void {
  const ages = b.lateAge!;
  let late = 0;
  for (let i = 0; i < b.length; i++) {
    if (b.op[i] !== 3) continue;
    if (late < ages.length && !(ages[late] >= 1 && ages[late] <= MAX_AGE))
      throw new WireError(`the late free of row ${i} of a paired batch names a block of age ${ages[late]}`, at);
    late++;
  }
  if (late !== ages.length)
    throw new WireError(`a paired batch has ${late} late frees and ${ages.length} late ages`, at);
}

/** A batch's times given only where they change (time_change_row, time_change): one time per row. */
function timesFromChanges(c: ColumnarFields, n: number, at: number): Float64Array {
  if (c.has(3)) throw new WireError("a paired batch gives its times both per row and as changes", at);
  const k = c.count(12);
  if (c.count(13) !== k) throw new WireError("the time change columns differ in length", at);
  const rows = c.read(12, "time_change_row", new Float64Array(k), k);
  const steps = c.read(13, "time_change", new Float64Array(k), k);
  const out = new Float64Array(n);
  let t = c.scalars[1];
  let row = 0;
  let j = 0;
  for (let i = 0; i < k; i++) {
    row += rows[i];
    if (row >= n) throw new WireError(`a time change names row ${row} of ${n}`, at);
    for (; j < row; j++) out[j] = t;
    t += steps[i];
  }
  for (; j < n; j++) out[j] = t;
  return out;
}

/** The largest age whose op ((age + 1) * 2 + 1) is an exact double. */
const MAX_AGE = (Number.MAX_SAFE_INTEGER - 3) / 2;

/**
 * A STEP batch's frees (FreeReference) read as ages, in place: serials are counted from the batch's first allocation
 * (0), so the serial released before the batch's first release counts as -1.
 */
function stepsToAges(op: Float64Array, at: number): void {
  let allocations = 0;
  let released = -1;
  for (let i = 0; i < op.length; i++) {
    const o = op[i];
    if (o % 2 === 0) {
      allocations++;
      continue;
    }
    const v = (o - 1) / 2;
    if (v < 2) continue;
    const z = v - 2;
    const serial = released + 1 + (z % 2 === 1 ? -(z + 1) / 2 : z / 2);
    const age = allocations - serial;
    if (!(age >= 1 && age <= MAX_AGE))
      throw new WireError(`row ${i} of a paired batch frees a block by a step past its allocations`, at);
    op[i] = (age + 1) * 2 + 1;
    released = serial;
  }
}

/** The inverse of stepsToAges: an AGE batch's ops with their frees written as steps. */
function agesToSteps(op: ArrayLike<number>, n: number): number[] {
  const out = new Array<number>(n);
  let allocations = 0;
  let released = -1;
  for (let i = 0; i < n; i++) {
    const o = op[i];
    out[i] = o;
    if (o % 2 === 0) {
      allocations++;
      continue;
    }
    const v = (o - 1) / 2;
    if (v < 2) continue;
    const serial = allocations - (v - 1);
    out[i] = (zigzag(serial - released - 1) + 2) * 2 + 1;
    released = serial;
  }
  return out;
}

function decodeMemory(buf: Uint8Array, start: number, end: number): MemorySamples {
  const c = new ColumnarFields(buf, start, end, [2, 3, 4, 5, 6, 7, 8]);
  const n = c.count(2);
  const col = (field: number, name: string) => c.read(field, name, new Float64Array(n), n);
  return {
    tid: c.scalars[1],
    length: n,
    time: col(2, "time_ns"),
    rss: col(3, "rss"),
    jsHeapUsed: col(4, "js_heap_used"),
    jsHeapTotal: col(5, "js_heap_total"),
    external: col(6, "external"),
    arrayBuffers: col(7, "array_buffers"),
    nativeLive: col(8, "native_live"),
  };
}

function decodeFolded(buf: Uint8Array, start: number, end: number): FoldedBatch {
  const c = new ColumnarFields(buf, start, end, [2, 3, 4, 5, 6, 7]);
  const n = c.count(2);
  return {
    measure: c.scalars[1],
    length: n,
    stack: c.read(2, "stack", new Uint32Array(n), n),
    bytes: c.read(3, "bytes", new Float64Array(n), n),
    count: c.read(4, "count", new Float64Array(n), n),
    pid: c.read(5, "pids", new Uint32Array(n), n),
    tid: c.read(6, "tids", new Uint32Array(n), n),
    kind: c.read(7, "kinds", new Uint8Array(n), n),
  };
}

function headerFromWire(h: pb.Header): Header {
  const s = h.settings;
  return {
    format: h.format,
    version: h.version,
    content: h.content,
    writer: h.writer,
    ppid: h.ppid,
    argv: h.argv,
    execArgv: h.execArgv,
    nodeVersion: h.nodeVersion,
    hostname: h.hostname,
    platform: h.platform,
    arch: h.arch,
    startTimeUnixNs: h.startTimeUnixNs,
    settings: {
      maxStackDepth: s?.maxStackDepth ?? 0,
      jsSampleIntervalBytes: num(s?.jsSampleIntervalBytes ?? 0n, "setting"),
      jsPollIntervalNs: num(s?.jsPollIntervalNs ?? 0n, "setting"),
      memoryIntervalNs: num(s?.memoryIntervalNs ?? 0n, "setting"),
      native: s?.native ?? false,
      children: s?.children ?? false,
      clockResolutionNs: num(s?.clockResolutionNs ?? 0n, "setting"),
      jsKeepCollected: s?.jsKeepCollected ?? false,
      allocationTimeLeadNs: num(s?.allocationTimeLeadNs ?? 0n, "setting"),
      deallocationTimeLeadNs: num(s?.deallocationTimeLeadNs ?? 0n, "setting"),
    },
    eventOrder: h.eventOrder,
    fold: h.fold ? foldInfoFromWire(h.fold) : undefined,
    v8Version: h.v8Version,
    agent: h.agent,
    notes: h.notes,
  };
}

function foldInfoFromWire(f: pb.FoldInfo): FoldInfo {
  return {
    measure: f.measure,
    truncated: f.truncated,
    temporaryThreshold: f.temporaryThreshold,
    inverted: f.inverted,
    splitProcesses: f.splitProcesses,
    splitThreads: f.splitThreads,
    heap: f.heap,
    afterTeardown: f.afterTeardown,
    measures: f.measures,
    sizeCounts: f.sizeCounts.map((v) => num(v, "count")),
    sizeBytes: f.sizeBytes.map((v) => num(v, "bytes")),
    jsSamples: num(f.jsSamples, "count"),
    processes: f.processes.map((p) => ({
      pid: p.pid,
      allocations: num(p.allocations, "count"),
      allocatedBytes: num(p.allocatedBytes, "bytes"),
      deallocations: num(p.deallocations, "count"),
      unmatchedDeallocations: num(p.unmatchedDeallocations, "count"),
      overwrittenAllocations: num(p.overwrittenAllocations, "count"),
      peakBytes: num(p.peakBytes, "bytes"),
      peakTimeNs: num(p.peakTimeNs, "time"),
      leakedBytes: num(p.leakedBytes, "bytes"),
      leakedCount: num(p.leakedCount, "count"),
      endTimeNs: num(p.endTimeNs, "time"),
      windowStartNs: num(p.windowStartNs, "time"),
      windowEndNs: num(p.windowEndNs, "time"),
      appEndedNs: num(p.appEndedNs, "time"),
      // Streams folded before the field was added: what was live at the end is all they knew.
      keptBytes: num(p.keptBytes ?? p.leakedBytes, "bytes"),
      keptCount: num(p.keptCount ?? p.leakedCount, "count"),
    })),
  };
}

function trailerFromWire(t: pb.Trailer): Trailer {
  return {
    timeNs: num(t.timeNs, "time"),
    allocations: num(t.allocations, "count"),
    deallocations: num(t.deallocations, "count"),
    allocatedBytes: num(t.allocatedBytes, "bytes"),
    lostEvents: num(t.lostEvents, "count"),
    truncatedStacks: num(t.truncatedStacks, "count"),
    brokenStacks: num(t.brokenStacks, "count"),
    unresolvedFrames: num(t.unresolvedFrames, "count"),
    reentrantCalls: num(t.reentrantCalls, "count"),
  };
}

// ---- Encoding ----

/** Appends one Record, with its length prefix, to `out`. `scratch` is reused between calls. */
export function encodeRecord(message: Message, out: ByteWriter, scratch: ByteWriter): void {
  if (message.type === "unknown") return; // Nothing of it was kept: it cannot be written back.
  scratch.reset();
  encodeBody(message, scratch);
  const body = scratch.view();
  const field = BODY_FIELD[message.type];
  // Record = pid (field 1) + body (its oneof field).
  let size = 0;
  if (message.pid !== 0) size += 1 + varintLen(message.pid);
  size += varintLen(field * 8 + WIRE_LEN) + varintLen(body.length) + body.length;
  out.varint(size);
  if (message.pid !== 0) {
    out.tag(1, WIRE_VARINT);
    out.varint(message.pid);
  }
  out.lengthDelimited(field, body);
}

function varintLen(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function bin<T extends DescMessage>(schema: T, init: Parameters<typeof create<T>>[1], w: ByteWriter): void {
  w.bytes(toBinary(schema, create(schema, init)));
}

function encodeBody(m: Message, w: ByteWriter): void {
  switch (m.type) {
    case "header":
      return bin(pb.HeaderSchema, headerToWire(m.header), w);
    case "strings":
      return bin(pb.StringTableSchema, { firstId: m.firstId, values: m.values }, w);
    case "functions":
      return bin(pb.FunctionTableSchema, { firstId: m.firstId, functions: m.functions }, w);
    case "frames":
      scalar(w, 1, m.firstId);
      w.packed(2, m.function, m.length);
      optional(w, 3, m.address, m.length);
      optional(w, 4, m.line, m.length);
      optional(w, 5, m.column, m.length);
      return;
    case "stacks":
      scalar(w, 1, m.firstId);
      if (m.parentDistance)
        w.packed(
          4,
          Float64Array.from(m.parent, (p, i) => m.firstId + i - p),
          m.length,
        );
      else w.packed(2, m.parent, m.length);
      w.packed(3, m.frame, m.length);
      return;
    case "events":
      return encodeEventBatch(m.batch, w);
    case "watermark":
      return bin(pb.WatermarkSchema, { timeNs: big(m.timeNs) }, w);
    case "memory": {
      const s = m.samples;
      scalar(w, 1, s.tid);
      w.packed(2, s.time, s.length);
      optional(w, 3, s.rss, s.length);
      optional(w, 4, s.jsHeapUsed, s.length);
      optional(w, 5, s.jsHeapTotal, s.length);
      optional(w, 6, s.external, s.length);
      optional(w, 7, s.arrayBuffers, s.length);
      optional(w, 8, s.nativeLive, s.length);
      return;
    }
    case "thread":
      return bin(pb.ThreadInfoSchema, { ...m.thread, timeNs: big(m.thread.timeNs) }, w);
    case "process":
      return bin(pb.ProcessEventSchema, { ...m.event, timeNs: big(m.event.timeNs) }, w);
    case "mapping": {
      const x = m.mapping;
      return bin(
        pb.MappingSchema,
        { ...x, start: big(x.start), end: big(x.end), fileOffset: big(x.fileOffset), timeNs: big(x.timeNs) },
        w,
      );
    }
    case "code": {
      const x = m.code;
      return bin(
        pb.CodeEventSchema,
        { ...x, timeNs: big(x.timeNs), start: big(x.start), size: big(x.size), newStart: big(x.newStart) },
        w,
      );
    }
    case "codeEvents":
      return encodeCodeEvents(m.events, w);
    case "resolution":
      w.packed(1, m.frame, m.length);
      w.packed(2, m.function, m.length);
      optional(w, 3, m.line, m.length);
      optional(w, 4, m.column, m.length);
      if (m.generatedLine) optional(w, 5, m.generatedLine, m.length);
      if (m.generatedColumn) optional(w, 6, m.generatedColumn, m.length);
      return;
    case "gc": {
      const g = m.gc;
      return bin(
        pb.GcEventSchema,
        {
          ...g,
          timeNs: big(g.timeNs),
          durationNs: big(g.durationNs),
          heapBefore: big(g.heapBefore),
          heapAfter: big(g.heapAfter),
        },
        w,
      );
    }
    case "folded":
    case "otherMeasure": {
      const b = m.batch;
      scalar(w, 1, b.measure);
      w.packed(2, b.stack, b.length);
      w.packed(3, b.bytes, b.length);
      w.packed(4, b.count, b.length);
      optional(w, 5, b.pid, b.length);
      optional(w, 6, b.tid, b.length);
      optional(w, 7, b.kind, b.length);
      return;
    }
    case "sites": {
      const t = m.sites;
      scalar(w, 1, t.firstId);
      w.packed(2, t.kind, t.length);
      w.packed(3, t.size, t.length);
      if (!t.stackDelta) optional(w, 4, t.stack, t.length);
      for (let i = 0; i < t.length; i++) {
        if (t.count[i] !== 1) {
          w.packed(5, t.count, t.length);
          break;
        }
      }
      if (t.stackDelta)
        optional(
          w,
          6,
          Float64Array.from(t.stack, (s, i) => zigzag(s - (t.stack[i - 1] ?? 0))),
          t.length,
        );
      return;
    }
    case "paired":
      return encodePaired(m.batch, w);
    case "timeline":
      return encodeTimeline(m.timeline, w);
    case "trailer": {
      const t = m.trailer;
      const init: Record<string, bigint> = {};
      for (const [k, v] of Object.entries(t)) init[k] = big(v as number);
      return bin(pb.TrailerSchema, init, w);
    }
  }
}

function scalar(w: ByteWriter, field: number, v: number): void {
  if (v === 0) return;
  w.tag(field, WIRE_VARINT);
  w.varint(v);
}

/** An optional column: written only if some row differs from the default 0. */
function optional(w: ByteWriter, field: number, values: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) {
    if (values[i] !== 0) {
      w.packed(field, values, n);
      return;
    }
  }
}

const deltaScratch = { time: [] as number[], address: [] as number[] };

/** CodeEventBatch: the rows' deltas undone (proto/memtrace.proto says from what each column counts). */
function decodeCodeEvents(buf: Uint8Array, start: number, end: number): CodeEvent[] {
  const c = new ColumnarFields(buf, start, end, [1, 3, 4, 5, 6, 7]);
  const n = c.count(1);
  const kind = c.read(1, "kind", new Uint32Array(n), n);
  const time = c.readSummed(3, "time_delta", new Float64Array(n), n, c.scalars[2], true);
  const startDelta = c.readZigzag(4, "start_delta", new Float64Array(n), n);
  const size = c.read(5, "size", new Float64Array(n), n);
  const moved = c.readZigzag(6, "new_start_delta", new Float64Array(n), n);
  const functionDelta = c.readZigzag(7, "function_delta", new Float64Array(n), n);
  const events: CodeEvent[] = [];
  let lastEnd = 0;
  let lastFunction = 0;
  for (let i = 0; i < n; i++) {
    const at = lastEnd + startDelta[i];
    const fn = functionDelta[i] === 0 ? 0 : lastFunction + functionDelta[i];
    if (at < 0 || fn < 0 || fn >= 2 ** 32) throw new WireError(`code event ${i} counts below 0 or past 32 bits`, start);
    events.push({
      kind: kind[i] as CodeEventKind,
      timeNs: time[i],
      start: at,
      size: size[i],
      newStart: moved[i] === 0 ? 0 : at + moved[i],
      function: fn,
    });
    lastEnd = at + size[i];
    if (fn !== 0) lastFunction = fn;
  }
  return events;
}

function encodeCodeEvents(events: CodeEvent[], w: ByteWriter): void {
  const n = events.length;
  const kind = new Float64Array(n);
  const time = new Float64Array(n);
  const startDelta = new Float64Array(n);
  const size = new Float64Array(n);
  const moved = new Float64Array(n);
  const functionDelta = new Float64Array(n);
  let lastTime = n > 0 ? events[0].timeNs : 0;
  let lastEnd = 0;
  let lastFunction = 0;
  events.forEach((e, i) => {
    kind[i] = e.kind;
    time[i] = zigzag(e.timeNs - lastTime);
    startDelta[i] = zigzag(e.start - lastEnd);
    size[i] = e.size;
    moved[i] = e.newStart === 0 ? 0 : zigzag(e.newStart - e.start);
    functionDelta[i] = e.function === 0 ? 0 : zigzag(e.function - lastFunction);
    lastTime = e.timeNs;
    lastEnd = e.start + e.size;
    if (e.function !== 0) lastFunction = e.function;
  });
  w.packed(1, kind, n);
  scalar(w, 2, n > 0 ? events[0].timeNs : 0);
  optional(w, 3, time, n);
  optional(w, 4, startDelta, n);
  optional(w, 5, size, n);
  optional(w, 6, moved, n);
  optional(w, 7, functionDelta, n);
}

function encodeEventBatch(b: EventBatch, w: ByteWriter): void {
  const n = b.length;
  const tid0 = n > 0 ? b.tid[0] : 0;
  let oneThread = true;
  let anyStack = false;
  let allOnes = true;
  for (let i = 0; i < n; i++) {
    if (b.tid[i] !== tid0) oneThread = false;
    if (b.stack[i] !== 0) anyStack = true;
    if (b.count[i] !== 1) allOnes = false;
  }
  const base = n > 0 ? b.time[0] : 0;
  const times = deltaScratch.time;
  const addresses = deltaScratch.address;
  times.length = n;
  addresses.length = n;
  let prevTime = base;
  let prevAddress = 0;
  for (let i = 0; i < n; i++) {
    const dt = b.time[i] - prevTime;
    if (dt < 0) throw new RangeError(`event ${i} of a batch goes back in time (${b.time[i]} < ${prevTime})`);
    times[i] = dt;
    prevTime = b.time[i];
    addresses[i] = zigzag(b.address[i] - prevAddress);
    prevAddress = b.address[i];
  }
  scalar(w, 1, oneThread ? tid0 : 0);
  scalar(w, 2, base);
  w.packed(3, b.kind, n);
  w.packedArray(4, times);
  w.packedArray(5, addresses);
  w.packed(6, b.size, n);
  if (anyStack) w.packed(7, b.stack, n);
  if (!allOnes) w.packed(8, b.count, n);
  if (!oneThread) w.packed(9, b.tid, n);
}

function encodePaired(b: PairedBatch, w: ByteWriter): void {
  const n = b.length;
  const base = n > 0 ? b.time[0] : 0;
  const times: number[] = new Array<number>(n);
  const tids: number[] = new Array<number>(n);
  let prevTime = base;
  let prevTid = 0;
  for (let i = 0; i < n; i++) {
    const dt = b.time[i] - prevTime;
    if (dt < 0) throw new RangeError(`row ${i} of a paired batch goes back in time (${b.time[i]} < ${prevTime})`);
    times[i] = dt;
    prevTime = b.time[i];
    tids[i] = zigzag(b.tid[i] - prevTid);
    prevTid = b.tid[i];
  }
  const rows: number[] = new Array<number>(b.extraRow.length);
  for (let i = 0; i < rows.length; i++) rows[i] = b.extraRow[i] - (i > 0 ? b.extraRow[i - 1] : 0);
  scalar(w, 1, base);
  // Version 3 (frees as steps) also gives times only where they change; version 2 one per row.
  const v3 = b.freeReference === FREE_STEP;
  if (v3) w.packedArray(2, agesToSteps(b.op, n));
  else w.packed(2, b.op, n);
  if (!v3) w.packedArray(3, times);
  w.packedArray(4, tids);
  w.packed(5, b.freeKind, b.freeKind.length);
  w.packed(6, b.address, b.address.length);
  w.packed(7, b.unmapLength, b.unmapLength.length);
  w.packedArray(8, rows);
  w.packed(9, b.extraAge, b.extraAge.length);
  w.packed(10, b.extraKind, b.extraKind.length);
  scalar(w, 11, b.freeReference);
  if (v3) {
    const rows: number[] = [];
    const changes: number[] = [];
    let last = 0;
    for (let i = 0; i < n; i++) {
      if (times[i] === 0) continue;
      rows.push(i - last);
      changes.push(times[i]);
      last = i;
    }
    w.packedArray(12, rows);
    w.packedArray(13, changes);
  }
  if (b.lateAge?.length) w.packed(14, b.lateAge, b.lateAge.length);
}

function headerToWire(h: Header): Parameters<typeof create<typeof pb.HeaderSchema>>[1] {
  const s = h.settings;
  return {
    ...h,
    settings: {
      ...s,
      jsSampleIntervalBytes: big(s.jsSampleIntervalBytes),
      jsPollIntervalNs: big(s.jsPollIntervalNs),
      memoryIntervalNs: big(s.memoryIntervalNs),
      clockResolutionNs: big(s.clockResolutionNs),
      allocationTimeLeadNs: big(s.allocationTimeLeadNs),
      deallocationTimeLeadNs: big(s.deallocationTimeLeadNs),
    },
    fold: h.fold
      ? {
          ...h.fold,
          sizeCounts: h.fold.sizeCounts.map(big),
          sizeBytes: h.fold.sizeBytes.map(big),
          jsSamples: big(h.fold.jsSamples),
          processes: h.fold.processes.map((p) => {
            const out: Record<string, bigint | number> = {};
            for (const [k, v] of Object.entries(p)) out[k] = k === "pid" ? v : big(v);
            // Left out when they say nothing more than the leaked figures (the .proto's rule for absent ones).
            if (p.keptBytes === p.leakedBytes && p.keptCount === p.leakedCount) {
              delete out.keptBytes;
              delete out.keptCount;
            }
            return out;
          }),
        }
      : undefined,
  };
}
