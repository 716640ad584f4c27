// A store-load fence split unevenly between two sides: a light side run by the app's threads on every event,
// which costs no instruction (only the compiler is kept from reordering), and a heavy side run by the writer
// thread about ten times a second per thread, which makes every running thread of the process execute a full
// barrier (membarrier(2), MEMBARRIER_CMD_PRIVATE_EXPEDITED: an interrupt to each CPU that runs one of them).
//
// Together they order a store before a load on both sides, as a pair of full fences would (Dekker's
// mutual exclusion, see ThreadState's OwnBuffer and ClaimedBuffer): a thread's event no longer pays the
// ~6 ns of a locked instruction. Where the kernel lacks membarrier (before Linux 4.14, or a seccomp filter
// that refuses it), both sides are full fences.
#ifndef MEMTRACE_PRELOAD_ASYMMETRIC_FENCE_H_
#define MEMTRACE_PRELOAD_ASYMMETRIC_FENCE_H_

#include <atomic>

namespace memtrace::asymmetric_fence {

extern bool g_expedited;

// Registers the process for membarrier; again in a fork child (a new address space). Call before any
// thread uses the light side.
void init();

inline void light() {
  if (g_expedited) {
    std::atomic_signal_fence(std::memory_order_seq_cst);
  } else {
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
}

void heavy();

}  // namespace memtrace::asymmetric_fence

#endif  // MEMTRACE_PRELOAD_ASYMMETRIC_FENCE_H_
