#include "tracking.h"

#include "interpreter_frames.h"
#include "stack_tables.h"
#include "stack_walk.h"
#include "thread_state.h"

namespace memtrace::tracking {

namespace {

// With the buffer held (OwnBuffer); returns whether it filled up and was moved to the channel.
inline bool append_owned(ThreadState* t, EventKind kind, uint64_t address, uint64_t size, uint32_t stack) {
  if (kind < kFree) {
    ThreadCounters::bump(t->counters.allocations);
    ThreadCounters::bump(t->counters.allocated_bytes, size);
  } else {
    ThreadCounters::bump(t->counters.deallocations);
  }
  // The time is read with the buffer held: the writer's watermark (taken before it claims each thread's
  // buffer, less the heap events' time lead of recorder.h) is then never later than an event it has not yet
  // seen.
  const bool mapping = kind == kMmap || kind == kMremap || kind == kMunmap;
  uint64_t time;
#ifdef MEMTRACE_BENCH_SWITCHES
  if (!mapping && recorder::settings().bench_skip_clock) {
    time = t->events.last_time;
  } else {
    // An empty volatile asm on this arm alone: without it the compiler reads the clock on both arms and
    // selects after (RDTSC is not volatile to it), and the switch would leave nothing out.
    __asm__ volatile("");
    time = recorder::event_now_ns(t->clock_countdown, mapping);
  }
#else
  time = recorder::event_now_ns(t->clock_countdown, mapping);
#endif
  t->events.append(kind, time, address, size, stack);
  bool full = t->events.full();
#ifdef MEMTRACE_BENCH_SWITCHES
  if (full && recorder::settings().bench_skip_ship) {
    t->events.clear();
    return false;
  }
#endif
  if (full) recorder::flush_thread_locked(t);
  return full;
}

// Inlined into both hooks: out of line, it made a malloc and free in a loop 13 ns slower (81 against 68).
__attribute__((always_inline)) inline void append(ThreadState* t, EventKind kind, uint64_t address,
                                                  uint64_t size, uint32_t stack) {
  bool full;
  {
    OwnBuffer own(t);
    // After the final flush nothing more is written, nor counted: the Trailer counts exactly what the stream
    // holds.
    if (t->closed) return;
    full = append_owned(t, kind, address, size, stack);
  }
  if (full) recorder::after_batch();
}

}  // namespace

void allocation(EventKind kind, const void* address, size_t size, uintptr_t frame) {
  BusyScope busy;
  ThreadState* t = current_thread();
  if (!t) return;
  const Settings& settings = recorder::settings();
#ifdef MEMTRACE_BENCH_SWITCHES
  if (settings.bench_skip_events) return;
#endif
  WalkCache& cache = t->walk;
  const InterpreterFrames& interpreter = interpreter_frames();
  const bool interpreted = interpreter.known.load(std::memory_order_acquire) && !t->collecting;
  if (__builtin_expect(interpreted != t->walk_interpreted, 0)) {
    // The last walk's words of interpreted frames are of the other kind.
    cache.forget();
    t->walk_interpreted = interpreted;
  }
  WalkResult walk = walk_stack_cached(frame, t->stack_low, t->stack_high, settings.max_stack_depth,
                                      settings.libc_text, cache, interpreted ? &interpreter : nullptr);
  if (walk.truncated) ThreadCounters::bump(t->counters.truncated_stacks);
  if (walk.broken) ThreadCounters::bump(t->counters.broken_stacks);
  if (walk.depth >= 2 && !walk.broken && !walk.truncated &&
      !t->start_routine.load(std::memory_order_relaxed)) {
    t->start_routine.store(cache.address_from_root(1), std::memory_order_relaxed);
  }
  uint32_t stack = 0;
  if (walk.depth) {
    StackTables& tables = stack_tables();
    // Frames were retired since this thread last interned (V8 put new code where they were): its ids
    // may name retired frames.
    const uint32_t epoch = tables.epoch();
    if (__builtin_expect(epoch != t->tables_epoch, 0)) {
      cache.stack = 0;
      t->last_interned.depth = 0;
      t->tables_epoch = epoch;
    }
    // The same stack as the thread's last allocation (a loop allocating) needs no lookup at all.
    stack = walk.new_frames == 0 ? cache.stack : 0;
    if (!stack) stack = t->stacks.find(walk.hash, epoch);
    if (!stack) {
      uintptr_t* addresses = cache.fresh_word;  // free again: the walk has moved its words into the cache
      cache.innermost_first(addresses);
      stack = tables.intern(addresses, walk.depth, &t->last_interned);
      if (stack) t->stacks.put(walk.hash, stack, epoch);
    }
    cache.stack = stack;
  }
  append(t, kind, reinterpret_cast<uint64_t>(address), size, stack);
}

void deallocation(EventKind kind, const void* address, size_t size) {
  BusyScope busy;
  ThreadState* t = current_thread();
  if (!t) return;
#ifdef MEMTRACE_BENCH_SWITCHES
  if (recorder::settings().bench_skip_events || recorder::settings().bench_skip_frees) return;
#endif
  append(t, kind, reinterpret_cast<uint64_t>(address), size, 0);
}

}  // namespace memtrace::tracking
