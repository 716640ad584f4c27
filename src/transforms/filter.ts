// filter: a capture in, the same capture with fewer allocations out.
//
// The predicates select allocations. A deallocation is kept exactly when it releases a kept allocation, wherever
// and whenever it happens: so `filter --thread 7 | fold --leaks` shows what thread 7 allocated and nobody freed,
// even if another thread did the freeing. That needs the events in time order across threads (EventOrderer) and
// the pairing of frees with allocations (LiveHeap), as in fold. The output is in total order: its headers say so.
// A paired scope (format versions 2 and 3) is filtered row by row, its ages recounted (filter-paired.ts).
import type { Transform } from "node:stream";
import { PAIRED_VERSION } from "../codec/constants";
import { CaptureError } from "../codec/errors";
import { UsageError } from "../errors";
import { EventOrder, isAllocation, isDeallocation, type EventBatch, type Message } from "../codec/model";
import { u32 } from "../model/growable";
import { Scopes, type Scope } from "../model/scope";
import { LiveHeap, type EarlyFree } from "./live";
import { PairedFilter } from "./filter-paired";
import { stageIterate, stageTransform } from "../streams/stage";
import { EventOrderer, allocBatch, copyEvent, growBatch } from "./order";
import { SourceMapRewriter, type MapLookup } from "./source-maps";

export interface FilterOptions {
  /** Keep only these processes (all their records). */
  pids?: number[];
  /** Keep allocations made by these threads. */
  tids?: number[];
  /** Keep allocations made in [from, to], nanoseconds since the process's time 0. */
  from?: number;
  to?: number;
  /** Keep allocations of at least / at most this many bytes. */
  minSize?: number;
  maxSize?: number;
  /** Keep allocations by these allocators (EventKind values). */
  kinds?: number[];
  /** Keep allocations whose stack has, for each pattern, a frame whose label matches it. */
  frames?: RegExp[];
  /** Drop allocations whose stack has a frame matching any of these. */
  excludeFrames?: RegExp[];
  /**
   * Place JS functions of scripts with source maps in their original sources first (for captures written without
   * it: track()'s, or `record --no-source-maps`), so that frame patterns match the original names too.
   */
  sourceMaps?: MapLookup;
  onWarning?: (message: string) => void;
}

const MAX_PATTERNS = 30;

class ProcessFilter {
  readonly live: LiveHeap;
  releasedKept = false;
  /** A free that came before the kept block it frees (LiveHeap's early free): written right after the block. */
  private earlyFreeOfKept: EarlyFree | undefined;
  /** Per stack: bit i set if some frame matches pattern i; bit 31 marks "computed". */
  readonly stackMask = u32();
  /** A paired scope's rows (format versions 2 and 3). */
  paired: PairedFilter | undefined;

  constructor(readonly scope: Scope) {
    const releasedKept = (key: number) => {
      if (key === 1) this.releasedKept = true;
    };
    this.live = new LiveHeap(releasedKept, {
      allocationTimeLeadNs: scope.header.settings.allocationTimeLeadNs,
      onLateFree: releasedKept,
      deallocationTimeLeadNs: scope.header.settings.deallocationTimeLeadNs,
      onEarlyFree: (key, free) => {
        if (key === 1) this.earlyFreeOfKept = free;
      },
    });
  }

  takeEarlyFreeOfKept(): EarlyFree | undefined {
    const free = this.earlyFreeOfKept;
    this.earlyFreeOfKept = undefined;
    return free;
  }
}

export class Filter {
  private readonly scopes = new Scopes();
  private readonly orderer: EventOrderer;
  private readonly processes = new Map<number, ProcessFilter>();
  private readonly pids: Set<number> | undefined;
  private readonly tids: Set<number> | undefined;
  private readonly kinds: Set<number> | undefined;
  private readonly patterns: RegExp[];
  private readonly includeMask: number;
  private readonly excludeMask: number;
  private readonly sourceMaps: SourceMapRewriter | undefined;

  constructor(
    private readonly emit: (m: Message) => void,
    private readonly options: FilterOptions = {},
  ) {
    if (options.from !== undefined && options.to !== undefined && options.to < options.from)
      throw new UsageError("the time range ends (--to) before it starts (--from)");
    if (options.minSize !== undefined && options.maxSize !== undefined && options.maxSize < options.minSize)
      throw new UsageError("the size range ends (--max-size) before it starts (--min-size)");
    this.pids = options.pids?.length ? new Set(options.pids) : undefined;
    this.tids = options.tids?.length ? new Set(options.tids) : undefined;
    this.kinds = options.kinds?.length ? new Set(options.kinds) : undefined;
    this.sourceMaps = options.sourceMaps && new SourceMapRewriter(options.sourceMaps);
    const include = options.frames ?? [];
    const exclude = options.excludeFrames ?? [];
    this.patterns = [...include, ...exclude];
    if (this.patterns.length > MAX_PATTERNS) throw new UsageError(`at most ${MAX_PATTERNS} frame patterns`);
    this.includeMask = (1 << include.length) - 1;
    this.excludeMask = ((1 << this.patterns.length) - 1) & ~this.includeMask;
    this.orderer = new EventOrderer((m) => this.handle(m), {
      onApproximate: (pid) =>
        options.onWarning?.(`process ${pid}: threads merged without watermarks; frees may be misattributed`),
    });
  }

  push(m: Message): void {
    if (this.pids && !this.pids.has(m.pid)) return;
    const rewritten = this.sourceMaps?.rewrite(m);
    if (!rewritten) this.orderer.push(m);
    else for (const r of rewritten) this.orderer.push(r);
  }

  end(): void {
    this.orderer.end();
  }

  private handle(m: Message): void {
    const scope = this.scopes.apply(m);
    switch (m.type) {
      case "header": {
        const p = new ProcessFilter(scope!);
        if (m.header.version >= PAIRED_VERSION) {
          p.paired = new PairedFilter(
            m.pid,
            m.header.version,
            m.header.settings.allocationTimeLeadNs,
            (tid, kind, time, size, stack) => this.accepts(p, tid, kind, time, size, stack),
            () => p.scope.stackCount,
          );
        }
        this.processes.set(m.pid, p);
        this.emit({ ...m, header: { ...m.header, eventOrder: EventOrder.ORDER_TOTAL } });
        return;
      }
      case "sites":
        this.processes.get(m.pid)?.paired?.sites(m.sites);
        this.emit(m);
        return;
      case "paired": {
        const paired = this.processes.get(m.pid)?.paired;
        if (!paired) throw new CaptureError(`process ${m.pid}: paired events in a scope of version 1`, m.offset ?? 0);
        const batch = paired.select(m.batch, m.offset ?? 0);
        if (batch.length > 0) this.emit({ type: "paired", pid: m.pid, batch });
        return;
      }
      case "events": {
        const p = this.processes.get(m.pid)!;
        const kept = this.select(p, m.batch, m);
        if (kept.length > 0) this.emit({ type: "events", pid: m.pid, batch: kept });
        return;
      }
      case "watermark":
        return; // The output is in total order: nothing to bound.
      case "trailer": {
        const orphans = this.processes.get(m.pid)?.paired?.orphans ?? 0;
        if (orphans > 0) {
          this.options.onWarning?.(
            `process ${m.pid}: ${orphans} kept blocks were taken as freed at allocations filter dropped (their free ` +
              "not seen); the output holds them live to the end",
          );
        }
        this.emit(m);
        return;
      }
      default:
        this.emit(m);
    }
  }

  private select(p: ProcessFilter, b: EventBatch, m: Message): EventBatch {
    let out = allocBatch(b.length);
    let n = 0;
    for (let i = 0; i < b.length; i++) {
      const kind = b.kind[i];
      let keep: boolean;
      if (isAllocation(kind)) {
        if (b.stack[i] >= p.scope.stackCount) {
          throw new CaptureError(
            `process ${p.scope.pid}: an event refers to undefined stack ${b.stack[i]}`,
            m.offset ?? 0,
          );
        }
        keep = this.accepts(p, b.tid[i], kind, b.time[i], b.size[i], b.stack[i]);
        p.live.alloc(kind, b.address[i], b.size[i], keep ? 1 : 0, 1, 0, b.time[i], b.tid[i]);
        const free = p.takeEarlyFreeOfKept();
        if (free) {
          // The free was dropped when it came (it released nothing then); it goes right after its block, at the
          // block's time, which keeps the output in time order.
          if (n + 2 > out.kind.length) out = growBatch(out, n);
          copyEvent(b, i, out, n++);
          out.kind[n] = free.kind;
          out.tid[n] = free.tid;
          out.time[n] = b.time[i];
          out.address[n] = b.address[i];
          out.size[n] = free.size;
          out.stack[n] = 0;
          out.count[n] = 1;
          n++;
          continue;
        }
      } else if (isDeallocation(kind)) {
        p.releasedKept = false;
        p.live.free(kind, b.address[i], b.size[i], b.time[i], b.tid[i]);
        keep = p.releasedKept;
      } else keep = false;
      if (keep) {
        if (n === out.kind.length) out = growBatch(out, n);
        copyEvent(b, i, out, n++);
      }
    }
    out.length = n;
    return out;
  }

  private accepts(p: ProcessFilter, tid: number, kind: number, t: number, size: number, stack: number): boolean {
    const o = this.options;
    if (this.tids && !this.tids.has(tid)) return false;
    if (this.kinds && !this.kinds.has(kind)) return false;
    if (o.from !== undefined && t < o.from) return false;
    if (o.to !== undefined && t > o.to) return false;
    if (o.minSize !== undefined && size < o.minSize) return false;
    if (o.maxSize !== undefined && size > o.maxSize) return false;
    if (this.patterns.length > 0) {
      const mask = this.maskOf(p, stack);
      if ((mask & this.includeMask) !== this.includeMask || (mask & this.excludeMask) !== 0) return false;
    }
    return true;
  }

  /** Which patterns some frame of the stack matches (memoised per stack, computed from its parent's). */
  private maskOf(p: ProcessFilter, stack: number): number {
    if (stack === 0) return 0;
    p.stackMask.ensure(p.scope.stackCount);
    const memo = p.stackMask.data;
    const COMPUTED = 0x80000000;
    if (memo[stack] & COMPUTED) return memo[stack] & ~COMPUTED;
    const chain: number[] = [];
    let s = stack;
    while (s !== 0 && !(memo[s] & COMPUTED)) {
      chain.push(s);
      s = p.scope.stackParent.data[s];
    }
    let mask = s === 0 ? 0 : memo[s] & ~COMPUTED;
    for (let k = chain.length - 1; k >= 0; k--) {
      const id = chain[k];
      const label = p.scope.label(p.scope.stackFrame.data[id]);
      for (let j = 0; j < this.patterns.length; j++) if (this.patterns[j].test(label)) mask |= 1 << j;
      memo[id] = (mask | COMPUTED) >>> 0;
    }
    return mask;
  }
}

/** filter as a Transform: Messages in, Messages out (object mode on both sides). */
export function filter(options: FilterOptions = {}): Transform {
  return stageTransform((emit) => new Filter(emit, options));
}

/** filter over an async iterable of Messages. */
export function filterMessages(
  source: AsyncIterable<Message> | Iterable<Message>,
  options: FilterOptions = {},
): AsyncGenerator<Message> {
  return stageIterate(source, (emit) => new Filter(emit, options));
}
