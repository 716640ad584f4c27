// dump: every Record as one readable line, and every row of a columnar Record (a table entry, an event, a sample,
// a folded row) as one indented line below it. This is the tests' view of a capture (golden files) and the
// debugger's. Times are integer nanoseconds since the process's time 0, exactly as recorded; `@N` is the
// Record's byte offset in the (decompressed) stream.
import {
  CodeEventKind,
  Content,
  EventKind,
  EventOrder,
  FunctionKind,
  GcKind,
  Heap,
  Measure,
  ProcessEventKind,
  ThreadRole,
  type CodeEvent,
  type Message,
  FREE_STEP,
  type PairedBatch,
} from "../codec/model";
import { allocatorName } from "../model/allocators";
import { EXTRA_AWAITED, EXTRA_EARLY, EXTRA_OVERWRITTEN } from "../transforms/pair";
import { messageSink, type SinkDefinition } from "./sink";

const q = (s: string) => JSON.stringify(s);
const hex = (n: number) => `0x${n.toString(16)}`;

const EXTRA_RELEASE: Record<number, string> = {
  [EXTRA_EARLY]: "early",
  [EXTRA_OVERWRITTEN]: "overwritten",
  [EXTRA_AWAITED]: "awaited",
};

function enumName(e: Record<number, string>, v: number): string {
  return e[v] ?? `${v}`;
}

function codeEvent(c: CodeEvent): string {
  return (
    `${enumName(CodeEventKind, c.kind)} t=${c.timeNs} start=${hex(c.start)} size=${c.size}` +
    ` new_start=${hex(c.newStart)} function=${c.function}`
  );
}

/** Formats Messages as dump lines; keeps each process's strings to show names beside their ids. */
export class DumpFormatter {
  private readonly strings = new Map<number, string[]>();
  /** Each process's sites' allocators: which allocation rows are mappings (they carry an address). */
  private readonly siteKinds = new Map<number, number[]>();

  format(m: Message): string {
    const at = m.offset !== undefined ? `@${m.offset} ` : "";
    const head = `${at}pid ${m.pid} ${m.type}`;
    const lines: string[] = [];
    switch (m.type) {
      case "header": {
        const h = m.header;
        this.strings.set(m.pid, [""]);
        this.siteKinds.delete(m.pid);
        const s = h.settings;
        lines.push(
          `${head} format=${q(h.format)} version=${h.version} content=${enumName(Content, h.content)} writer=${q(h.writer)} ppid=${h.ppid}` +
            ` argv=${JSON.stringify(h.argv)} exec_argv=${JSON.stringify(h.execArgv)} node=${q(h.nodeVersion)}` +
            ` host=${q(h.hostname)} platform=${q(h.platform)} arch=${q(h.arch)} start_unix_ns=${h.startTimeUnixNs}` +
            ` order=${enumName(EventOrder, h.eventOrder)}` +
            (h.v8Version ? ` v8=${q(h.v8Version)}` : "") +
            (h.agent ? ` agent=${q(h.agent)}` : ""),
        );
        for (const note of h.notes) lines.push(`  note ${q(note)}`);
        lines.push(
          `  settings max_stack_depth=${s.maxStackDepth} js_interval=${s.jsSampleIntervalBytes} js_poll_ns=${s.jsPollIntervalNs}` +
            ` memory_interval_ns=${s.memoryIntervalNs} native=${s.native} children=${s.children}` +
            ` clock_resolution_ns=${s.clockResolutionNs} js_keep_collected=${s.jsKeepCollected}` +
            (s.allocationTimeLeadNs ? ` allocation_time_lead_ns=${s.allocationTimeLeadNs}` : "") +
            (s.deallocationTimeLeadNs ? ` deallocation_time_lead_ns=${s.deallocationTimeLeadNs}` : ""),
        );
        if (h.fold) {
          const f = h.fold;
          lines.push(
            `  fold measure=${enumName(Measure, f.measure)} heap=${enumName(Heap, f.heap)} truncated=${f.truncated}` +
              ` temporary_threshold=${f.temporaryThreshold} inverted=${f.inverted}` +
              ` split_processes=${f.splitProcesses} split_threads=${f.splitThreads}` +
              (f.afterTeardown ? " after_teardown=true" : "") +
              (f.measures.length ? ` measures=${f.measures.map((x) => enumName(Measure, x)).join(",")}` : "") +
              (f.sizeCounts.length
                ? ` size_counts=${f.sizeCounts.join(",")} size_bytes=${f.sizeBytes.join(",")}`
                : "") +
              (f.jsSamples ? ` js_samples=${f.jsSamples}` : ""),
          );
          for (const p of h.fold.processes) {
            lines.push(
              `  process ${p.pid} allocations=${p.allocations} allocated_bytes=${p.allocatedBytes} deallocations=${p.deallocations}` +
                ` unmatched=${p.unmatchedDeallocations} overwritten=${p.overwrittenAllocations} peak_bytes=${p.peakBytes}` +
                ` peak_t=${p.peakTimeNs} leaked_bytes=${p.leakedBytes} leaked_count=${p.leakedCount} end_t=${p.endTimeNs}` +
                (p.appEndedNs || p.keptBytes !== p.leakedBytes || p.keptCount !== p.leakedCount
                  ? ` app_ended_t=${p.appEndedNs} kept_bytes=${p.keptBytes} kept_count=${p.keptCount}`
                  : ""),
            );
          }
        }
        break;
      }
      case "strings": {
        lines.push(`${head} first=${m.firstId} n=${m.values.length}`);
        const table = this.table(m.pid);
        m.values.forEach((v, i) => {
          table[m.firstId + i] = v;
          lines.push(`  string ${m.firstId + i} ${q(v)}`);
        });
        break;
      }
      case "functions":
        lines.push(`${head} first=${m.firstId} n=${m.functions.length}`);
        m.functions.forEach((f, i) => {
          lines.push(
            `  function ${m.firstId + i} name=${this.str(m.pid, f.name)} file=${this.str(m.pid, f.file)}` +
              ` module=${this.str(m.pid, f.module)} line=${f.line} column=${f.column} kind=${enumName(FunctionKind, f.kind)}` +
              // Only functions a source map placed have them: every other line reads as before.
              (f.generatedFile
                ? ` generated_file=${this.str(m.pid, f.generatedFile)} generated_line=${f.generatedLine ?? 0}` +
                  ` generated_column=${f.generatedColumn ?? 0} generated_name=${this.str(m.pid, f.generatedName ?? 0)}`
                : ""),
          );
        });
        break;
      case "frames":
        lines.push(`${head} first=${m.firstId} n=${m.length}`);
        for (let i = 0; i < m.length; i++) {
          lines.push(
            `  frame ${m.firstId + i} function=${m.function[i]} address=${hex(m.address[i])} line=${m.line[i]} column=${m.column[i]}`,
          );
        }
        break;
      case "stacks":
        lines.push(`${head} first=${m.firstId} n=${m.length}`);
        for (let i = 0; i < m.length; i++)
          lines.push(`  stack ${m.firstId + i} parent=${m.parent[i]} frame=${m.frame[i]}`);
        break;
      case "events": {
        const b = m.batch;
        lines.push(`${head} n=${b.length}`);
        for (let i = 0; i < b.length; i++) {
          const count = b.count[i] !== 1 ? ` count=${b.count[i]}` : "";
          lines.push(
            `  t=${b.time[i]} tid=${b.tid[i]} ${allocatorName(b.kind[i])} ${hex(b.address[i])} size=${b.size[i]} stack=${b.stack[i]}${count}`,
          );
        }
        break;
      }
      case "sites": {
        const t = m.sites;
        const kinds = this.siteKinds.get(m.pid) ?? [];
        this.siteKinds.set(m.pid, kinds);
        lines.push(`${head} first=${t.firstId} n=${t.length}`);
        for (let i = 0; i < t.length; i++) {
          kinds[t.firstId + i] = t.kind[i];
          lines.push(
            `  site ${t.firstId + i} ${allocatorName(t.kind[i])} size=${t.size[i]} stack=${t.stack[i]} count=${t.count[i]}`,
          );
        }
        break;
      }
      case "paired":
        lines.push(...this.pairedRows(head, m.batch, this.siteKinds.get(m.pid) ?? []));
        break;
      case "watermark":
        lines.push(`${head} t=${m.timeNs}`);
        break;
      case "memory": {
        const s = m.samples;
        lines.push(`${head} tid=${s.tid} n=${s.length}`);
        for (let i = 0; i < s.length; i++) {
          lines.push(
            `  t=${s.time[i]} rss=${s.rss[i]} js_heap_used=${s.jsHeapUsed[i]} js_heap_total=${s.jsHeapTotal[i]}` +
              ` external=${s.external[i]} array_buffers=${s.arrayBuffers[i]} native_live=${s.nativeLive[i]}`,
          );
        }
        break;
      }
      case "thread": {
        const t = m.thread;
        lines.push(
          `${head} tid=${t.tid} name=${q(t.name)} role=${enumName(ThreadRole, t.role)} worker_id=${t.workerId} t=${t.timeNs} ended=${t.ended}`,
        );
        break;
      }
      case "process": {
        const e = m.event;
        lines.push(
          `${head} ${enumName(ProcessEventKind, e.kind)} t=${e.timeNs} child_pid=${e.childPid} exit_code=${e.exitCode}` +
            ` signal=${e.signal} argv=${JSON.stringify(e.argv)}` +
            (e.tid ? ` tid=${e.tid}` : ""),
        );
        break;
      }
      case "mapping": {
        const x = m.mapping;
        lines.push(
          `${head} ${hex(x.start)}-${hex(x.end)} offset=${hex(x.fileOffset)} path=${q(x.path)} build_id=${q(x.buildId)}` +
            ` executable=${x.executable} t=${x.timeNs} removed=${x.removed}`,
        );
        break;
      }
      case "code":
        lines.push(`${head} ${codeEvent(m.code)}`);
        break;
      case "codeEvents":
        lines.push(`${head} n=${m.events.length}`);
        for (const c of m.events) lines.push(`  ${codeEvent(c)}`);
        break;
      case "resolution":
        lines.push(`${head} n=${m.length}`);
        for (let i = 0; i < m.length; i++) {
          const generated = m.generatedLine?.[i]
            ? ` generated_line=${m.generatedLine[i]} generated_column=${m.generatedColumn?.[i] ?? 0}`
            : "";
          lines.push(
            `  frame ${m.frame[i]} function=${m.function[i]} line=${m.line[i]} column=${m.column[i]}${generated}`,
          );
        }
        break;
      case "gc": {
        const g = m.gc;
        lines.push(
          `${head} tid=${g.tid} ${enumName(GcKind, g.kind)} t=${g.timeNs} duration_ns=${g.durationNs}` +
            ` heap_before=${g.heapBefore} heap_after=${g.heapAfter}`,
        );
        break;
      }
      case "folded":
      case "otherMeasure": {
        const b = m.batch;
        lines.push(`${head} measure=${enumName(Measure, b.measure)} n=${b.length}`);
        for (let i = 0; i < b.length; i++) {
          lines.push(
            `  stack=${b.stack[i]} bytes=${b.bytes[i]} count=${b.count[i]} pid=${b.pid[i]} tid=${b.tid[i]} allocator=${allocatorName(b.kind[i])}`,
          );
        }
        break;
      }
      case "timeline": {
        const t = m.timeline;
        lines.push(
          `${head} process=${t.pid} bucket_ns=${t.bucketNs} buckets=${t.high.length} rows=${t.rows}` +
            ` changes=${t.changes.length} lifetimes=${t.lifetimes.length}${t.kept ? " kept" : ""}`,
        );
        for (let k = 0; k < t.high.length; k++) {
          lines.push(`  bucket ${k} high=${t.high[k]} high_js=${t.highJs[k]} moment_ns=${t.momentNs[k]}`);
        }
        for (let r = 0; r < t.rows; r++) {
          const kept = t.kept ? ` kept_bytes=${t.kept.bytes[r]} kept_count=${t.kept.count[r]}` : "";
          lines.push(
            `  row ${r} tid=${t.rowTid[r]} allocator=${allocatorName(t.rowKind[r])} stack=${t.rowStack[r]}${kept}`,
          );
        }
        const c = t.changes;
        for (let i = 0; i < c.length; i++) {
          lines.push(`  change row=${c.row[i]} position=${c.from[i]} bytes=${c.bytes[i]} count=${c.count[i]}`);
        }
        const l = t.lifetimes;
        for (let i = 0; i < l.length; i++) {
          const freed = l.to[i] === 0 ? "never" : String(l.to[i] - 1);
          lines.push(
            `  lifetime row=${l.row[i]} allocated=${l.from[i]} freed=${freed} bytes=${l.bytes[i]} count=${l.count[i]}`,
          );
        }
        break;
      }
      case "trailer": {
        const t = m.trailer;
        lines.push(
          `${head} t=${t.timeNs} allocations=${t.allocations} deallocations=${t.deallocations} allocated_bytes=${t.allocatedBytes}` +
            ` lost_events=${t.lostEvents} truncated_stacks=${t.truncatedStacks} broken_stacks=${t.brokenStacks}` +
            ` unresolved_frames=${t.unresolvedFrames} reentrant_calls=${t.reentrantCalls}`,
        );
        break;
      }
      case "unknown":
        lines.push(`${head} field=${m.field} bytes=${m.bytes} (a record kind this memtrace does not know: skipped)`);
        break;
    }
    return lines.join("\n") + "\n";
  }

  private table(pid: number): string[] {
    let t = this.strings.get(pid);
    if (!t) {
      t = [""];
      this.strings.set(pid, t);
    }
    return t;
  }

  /**
   * A PairedBatch's rows as proto/memtrace.proto defines them: an allocation names its site; a free names the
   * allocation whose block it releases by its age (1: the latest), or says it released nothing, or that it is the
   * late free of a block released at an allocation (and its age, where late_age gives it); mappings keep their addresses; an allocation that releases a
   * block at once says which and why. A corrupt batch prints what it holds (missing values as "?"). A batch whose
   * frees were written as steps (version 3) says so; its frees are shown by age all the same.
   */
  private pairedRows(head: string, b: PairedBatch, siteKinds: number[]): string[] {
    const steps = b.freeReference === FREE_STEP ? " frees-as-steps" : "";
    const lines = [`${head} n=${b.length} frees=${b.freeKind.length} extra=${b.extraRow.length}${steps}`];
    const at = (a: ArrayLike<number>, i: number) => (i < a.length ? a[i] : undefined);
    const hexOf = (n: number | undefined) => (n === undefined ? "?" : hex(n));
    let free = 0;
    let mapping = 0;
    let unmap = 0;
    let extra = 0;
    let late = 0;
    const lateAge = b.lateAge ?? [];
    for (let i = 0; i < b.length; i++) {
      const op = b.op[i];
      let row = `  t=${b.time[i]} tid=${b.tid[i]} `;
      if (op % 2 === 0) {
        const kind = siteKinds[op / 2];
        row += `site=${op / 2}`;
        if (kind === EventKind.MMAP || kind === EventKind.MREMAP) row += ` address=${hexOf(at(b.address, mapping++))}`;
        while (extra < b.extraRow.length && b.extraRow[extra] === i) {
          const age = b.extraAge[extra];
          const why = EXTRA_RELEASE[b.extraKind[extra++]] ?? "?";
          row += age === 0 ? ` releases its own block (${why})` : ` releases age=${age} (${why})`;
        }
      } else {
        const kind = at(b.freeKind, free++);
        const v = (op - 1) / 2;
        row += kind === undefined ? "?" : allocatorName(kind);
        if (kind === EventKind.MUNMAP)
          row += ` ${hexOf(at(b.address, mapping++))} length=${at(b.unmapLength, unmap++) ?? "?"}`;
        else if (v !== 1) row += v === 0 ? " released nothing" : ` age=${v - 1}`;
        else row += lateAge.length > 0 ? ` late age=${at(lateAge, late++) ?? "?"}` : " late";
      }
      lines.push(row);
    }
    return lines;
  }

  private str(pid: number, id: number): string {
    const s = this.table(pid)[id];
    return s === undefined ? `${id}(undefined)` : `${id}${s ? ` ${q(s)}` : ""}`;
  }
}

export type DumpOptions = Record<string, never>;

export const dump: SinkDefinition<DumpOptions> = {
  name: "dump",
  summary: "print every record of a capture as readable lines (the debugger's view)",
  description:
    "Prints each record as one line, and each row of a table, event batch, memory sample or folded batch as an " +
    "indented line below it. Times are nanoseconds since the process started; @N is the record's byte offset.",
  examples: ["memtrace dump app.mtrace | less", "memtrace record app.js | memtrace dump | grep malloc | head"],
  options: [],
  input: "messages",
  readsPaired: true,
  create() {
    const f = new DumpFormatter();
    return messageSink((m) => f.format(m));
  },
};
