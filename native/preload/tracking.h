// What an interposed function does besides calling the real one: record the event in the thread's buffer.
//
// An allocation costs a frame-pointer walk, a lookup in the thread's stack cache (the global tables only on
// a miss), a clock read and a few varints. A deallocation costs no walk: its stack is not recorded.
#ifndef MEMTRACE_PRELOAD_TRACKING_H_
#define MEMTRACE_PRELOAD_TRACKING_H_

#include <stddef.h>
#include <stdint.h>

#include "guard.h"
#include "recorder.h"

namespace memtrace {

// Values of proto/memtrace.proto's EventKind.
enum EventKind : uint8_t {
  kMalloc = 1,
  kCalloc = 2,
  kRealloc = 3,
  kPosixMemalign = 4,
  kAlignedAlloc = 5,
  kMemalign = 6,
  kValloc = 7,
  kPvalloc = 8,
  kNew = 9,
  kNewArray = 10,
  kMmap = 11,
  kMremap = 12,
  kFree = 64,
  kReallocFree = 65,
  kDelete = 66,
  kDeleteArray = 67,
  kMunmap = 68,
};

namespace tracking {

// Whether a call on this thread, now, is to be recorded. A call made while the recorder itself is busy
// on this thread is counted (Trailer.reentrant_calls), never recorded.
inline bool wanted() {
  if (!recorder::active()) return false;
  if (t_busy == kIdle) return true;
  if (t_busy == kRecording) {
    ThreadState* t = current_thread_if_any();
    if (t) ThreadCounters::bump(t->counters.reentrant_calls);
  }
  return false;
}

// `frame` is the frame address of the interposed function: the walk starts at its caller.
void allocation(EventKind kind, const void* address, size_t size, uintptr_t frame);
void deallocation(EventKind kind, const void* address, size_t size);

}  // namespace tracking
}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_TRACKING_H_
