// The JS heap: V8's sampling heap profiler runs in every isolate of the recorded app, and its samples reach the
// capture as JS_SAMPLE events (estimated bytes and objects, a JS stack) and JS_SAMPLE_FREED events when their
// objects are collected, beside garbage collections and the native heap.
import { join } from "node:path";
import t from "tap";
import { GcKind, ThreadRole } from "../../src/codec/model";
import { APPS, Capture, JS_SAMPLE, JS_SAMPLE_FREED, memtrace, type Event } from "./capture";

const objectsApp = join(APPS, "js-objects.js");
const workersApp = join(APPS, "js-workers.js");
const busyApp = join(APPS, "js-busy-loop.js");
const plain = { withoutTestHooks: true };

/** Whether a JS function of that name is on the event's stack. */
function inFunction(capture: Capture, e: Event, name: string): boolean {
  return capture.frames(e.pid, e.stack).some((f) => f.name === name);
}

t.test("given a function that keeps 200,000 objects and then releases them", async (t) => {
  // A finer interval than the default: about 700 samples for these 11 MB, so that the estimate's spread is small.
  const run = await memtrace(
    ["record", "--no-paired", "--js-interval", "16384", "--", process.execPath, "--expose-gc", objectsApp],
    plain,
  );
  t.equal(run.status, 0, run.stderr);
  const held = Number(/held (\d+)/.exec(run.stderr)?.[1]);
  t.ok(held > 8e6, `V8 counts ${held} bytes for the objects`);
  const capture = new Capture(run.stdout);
  t.same(capture.warnings, []);
  const [pid] = capture.pids;
  t.equal(capture.header(pid)?.settings.jsSampleIntervalBytes, 16384, "the Header says how the JS heap was sampled");

  const samples = capture.events.filter((e) => e.kind === JS_SAMPLE);
  const ours = samples.filter((e) => inFunction(capture, e, "buildRows"));
  const sampled = samples.reduce((sum, e) => sum + e.size, 0);
  const attributed = ours.reduce((sum, e) => sum + e.size, 0);
  t.ok(attributed / sampled >= 0.9, `${((100 * attributed) / sampled).toFixed(1)}% of sampled JS bytes in buildRows`);

  // The most that buildRows held at once, by the samples, against V8's own count of the same objects.
  const live = new Map<number, number>();
  let liveBytes = 0;
  let peak = 0;
  const ourIds = new Set(ours.map((e) => e.address));
  for (const e of capture.events) {
    if (e.kind === JS_SAMPLE && ourIds.has(e.address)) {
      live.set(e.address, e.size);
      liveBytes += e.size;
      peak = Math.max(peak, liveBytes);
    } else if (e.kind === JS_SAMPLE_FREED && live.has(e.address)) {
      liveBytes -= live.get(e.address) ?? 0;
      live.delete(e.address);
    }
  }
  t.ok(Math.abs(peak - held) / held <= 0.2, `estimated peak ${peak} bytes within 20% of ${held}`);
  t.ok(liveBytes <= 0.05 * peak, `after the release, ${liveBytes} of ${peak} bytes are still live`);

  const objects = ours.reduce((sum, e) => sum + e.count, 0);
  t.ok(objects > 150_000 && objects < 400_000, `about 200,000 objects (and the array's stores): ${objects}`);

  const frame = capture.frames(pid, ours[0].stack).find((f) => f.name === "buildRows");
  t.match(frame?.file, /js-objects\.js$/, "the frame names the script");
  t.equal(frame?.functionLine, 6, "and the line where buildRows starts");
  t.ok(
    ours.every((e) => e.tid === pid),
    "every sample on the main thread",
  );

  const gcs = capture.messages.flatMap((m) => (m.type === "gc" ? [m.gc] : []));
  const full = gcs.filter((g) => g.kind === GcKind.GC_MARK_SWEEP_COMPACT);
  t.ok(full.length >= 3, `global.gc()'s three full collections are recorded (${full.length})`);
  t.ok(
    full.some((g) => g.heapBefore - g.heapAfter > 0.5 * held),
    "one of them releases the objects",
  );
  t.ok(
    gcs.every((g) => g.tid === pid && g.durationNs > 0),
    "with their thread and a duration",
  );
  const heapFigures = capture.messages.flatMap((m) => (m.type === "memory" ? [...m.samples.jsHeapUsed] : []));
  t.ok(Math.max(...heapFigures) > held, "the memory timeline has the V8 heap's figures");
  const arrayBuffers = capture.messages.flatMap((m) => (m.type === "memory" ? [...m.samples.arrayBuffers] : []));
  t.ok(Math.max(...arrayBuffers) > 0, "and the array buffers' bytes (the app's writes to stderr make some)");
});

t.test("given worker threads that keep objects of their own", async (t) => {
  const run = await memtrace(["record", "--no-paired", "--js-interval", "16384", workersApp], plain);
  t.equal(run.status, 0, run.stderr);
  t.equal(run.stderr, "workers done\n");
  const capture = new Capture(run.stdout);
  t.same(capture.warnings, []);
  const [pid] = capture.pids;
  const threads = capture.threads(pid);
  const samples = capture.events.filter((e) => e.kind === JS_SAMPLE);
  const freed = new Set(capture.events.filter((e) => e.kind === JS_SAMPLE_FREED).map((e) => e.address));
  const tids = new Set<number>();
  for (const name of ["keepAlpha", "keepBeta", "keepGamma"]) {
    const ours = samples.filter((e) => inFunction(capture, e, name));
    t.ok(ours.length >= 20, `${name}: ${ours.length} samples`);
    const own = new Set(ours.map((e) => e.tid));
    t.equal(own.size, 1, `${name}'s samples all in one thread`);
    const [tid] = own;
    t.not(tid, pid, "not the main thread");
    t.equal(threads.get(tid)?.role, ThreadRole.ROLE_WORKER, "a worker's thread");
    tids.add(tid);
    // A worker's isolate goes away with its objects.
    t.ok(
      ours.every((e) => freed.has(e.address)),
      `${name}'s samples are freed when its worker ends`,
    );
  }
  t.equal(tids.size, 3, "three workers, three threads");
});

t.test("given a loop that keeps the event loop from turning, the JS heap is still polled as it runs", async (t) => {
  const run = await memtrace(["record", "--no-paired", "--js-interval", "65536", busyApp], plain);
  t.equal(run.status, 0, run.stderr);
  const capture = new Capture(run.stdout);
  const samples = capture.events.filter((e) => e.kind === JS_SAMPLE);
  const freed = capture.events.filter((e) => e.kind === JS_SAMPLE_FREED);
  const polls = new Set(samples.map((e) => e.time));
  // 800 ms at 10 polls a second: the objects replaced in the ring are seen born and collected at many polls.
  t.ok(polls.size >= 4, `samples written at ${polls.size} polls`);
  t.ok(freed.length >= 100, `${freed.length} samples freed while the loop ran`);
  const last = capture.events.reduce((max, e) => Math.max(max, e.time), 0);
  t.ok(
    freed.some((e) => e.time < last - 200e6),
    "frees long before the end",
  );
});

t.test("given --js-interval 0, the JS heap is not sampled", async (t) => {
  const run = await memtrace(
    ["record", "--no-paired", "--js-interval", "0", "--", process.execPath, "--expose-gc", objectsApp],
    plain,
  );
  t.equal(run.status, 0, run.stderr);
  const capture = new Capture(run.stdout);
  const [pid] = capture.pids;
  t.equal(capture.header(pid)?.settings.jsSampleIntervalBytes, 0);
  t.equal(capture.events.filter((e) => e.kind === JS_SAMPLE).length, 0);
  t.ok(capture.events.length > 10_000, "native allocations are still recorded");
});

t.test("given --js-all, collected objects stay in the capture", async (t) => {
  const run = await memtrace(
    ["record", "--no-paired", "--js-all", "--js-interval", "16384", "--", process.execPath, "--expose-gc", objectsApp],
    plain,
  );
  t.equal(run.status, 0, run.stderr);
  const capture = new Capture(run.stdout);
  const [pid] = capture.pids;
  t.equal(capture.header(pid)?.settings.jsKeepCollected, true, "the Header says so");
  t.ok(capture.events.filter((e) => e.kind === JS_SAMPLE).length > 100);
  t.equal(capture.events.filter((e) => e.kind === JS_SAMPLE_FREED).length, 0, "and there are no frees");
});
