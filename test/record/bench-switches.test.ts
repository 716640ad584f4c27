// The benchmark's preload library (libmemtrace_preload_bench.so, for bench/record/cost-ladder.ts) leaves out
// exactly the part of an event's work that MEMTRACE_BENCH_SKIP names, and the library memtrace records with
// ignores the variable.
import { spawn } from "node:child_process";
import { join } from "node:path";
import t from "tap";
import { EventKind } from "../../src/codec/model";
import { decodeAll } from "../../src/codec/decoder";
import { CaptureServer } from "../../src/record/capture-server";
import { NATIVE_BUILD_DIR, preloadLibraryPath } from "../../src/record/native";
import { APPS, userEnv } from "./capture";

const MAPPINGS = new Set([EventKind.MMAP, EventKind.MREMAP, EventKind.MUNMAP]);

interface Counts {
  allocations: number;
  deallocations: number;
  /** Heap events (not mappings, which always read the clock) of the main thread whose time is not the one of the
   * heap event before them. */
  newTimes: number;
  /** Events the capture's batches hold (of every process and thread). */
  batched: number;
}

/** Runs an app under a preload library straight into a channel, and counts what the capture holds. */
async function recordDirectly(library: string, skip: string): Promise<Counts> {
  const path = library === "libmemtrace_preload.so" ? preloadLibraryPath() : join(NATIVE_BUILD_DIR, library);
  const records: Buffer[] = [];
  const server = new CaptureServer({
    write: (r) => {
      records.push(...r);
      return true;
    },
  });
  await server.listen();
  const env = {
    ...userEnv(),
    LD_PRELOAD: path,
    MEMTRACE_SOCKET: server.socketPath,
    MEMTRACE_BENCH_SKIP: skip,
  };
  const child = spawn(process.execPath, [join(APPS, "workload.js")], { env, stdio: "ignore" });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  await server.whenAllClosed(5000);
  server.close();
  if (code !== 0) throw new Error(`the app exited with ${code}`);
  const counts: Counts = { allocations: 0, deallocations: 0, newTimes: 0, batched: 0 };
  let previous: number | undefined;
  for (const m of decodeAll(Buffer.concat(records))) {
    if (m.type === "trailer") {
      counts.allocations += m.trailer.allocations;
      counts.deallocations += m.trailer.deallocations;
    }
    if (m.type === "events") {
      const b = m.batch;
      counts.batched += b.length;
      for (let i = 0; i < b.length; i++) {
        if (b.tid[i] !== child.pid) continue;
        if (MAPPINGS.has(b.kind[i])) {
          previous = undefined;
          continue;
        }
        if (previous !== undefined && b.time[i] !== previous) counts.newTimes++;
        previous = b.time[i];
      }
    }
  }
  return counts;
}

t.test("MEMTRACE_BENCH_SKIP leaves out what it names, in the benchmark's library only", async (t) => {
  const all = await recordDirectly("libmemtrace_preload_bench.so", "");
  t.ok(all.allocations > 1000 && all.deallocations > 1000, "nothing skipped: allocations and frees");
  t.ok(all.newTimes > 100, "nothing skipped: events have their own times");

  const noFrees = await recordDirectly("libmemtrace_preload_bench.so", "frees");
  t.ok(noFrees.allocations > 1000, "frees skipped: allocations are recorded");
  t.equal(noFrees.deallocations, 0, "frees skipped: no free is");

  const noEvents = await recordDirectly("libmemtrace_preload_bench.so", "events");
  t.equal(noEvents.allocations + noEvents.deallocations, 0, "events skipped: none recorded");

  const noClock = await recordDirectly("libmemtrace_preload_bench.so", "frees,clock");
  t.ok(noClock.allocations > 1000, "clock skipped: allocations are recorded");
  t.equal(noClock.newTimes, 0, "clock skipped: a heap event has the time of the one before it");

  t.equal(all.batched, all.allocations + all.deallocations, "nothing skipped: the batches hold what was counted");
  const noShip = await recordDirectly("libmemtrace_preload_bench.so", "frees,ship");
  t.ok(noShip.allocations > 2 * 4096, "shipping skipped: allocations are counted");
  t.ok(noShip.batched < noShip.allocations, "shipping skipped: full batches are dropped, not sent");

  const recorder = await recordDirectly("libmemtrace_preload.so", "events,frees,clock,ship");
  t.ok(recorder.allocations > 1000 && recorder.deallocations > 1000, "memtrace's own library ignores the variable");
});
