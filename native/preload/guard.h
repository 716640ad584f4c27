// The per-thread reentrancy guard: while the recorder works in a thread (walking a stack, interning it,
// writing a buffer) the allocations it causes must pass straight through. Initial-exec TLS, so that reading
// it never calls __tls_get_addr, which can allocate.
#ifndef MEMTRACE_PRELOAD_GUARD_H_
#define MEMTRACE_PRELOAD_GUARD_H_

#include <stdint.h>

namespace memtrace {

enum BusyState : uint8_t {
  kIdle = 0,
  // Recording an event of this thread.
  kRecording = 1,
  // A thread of the recorder itself (the writer): never recorded.
  kRecorderThread = 2,
};

extern __thread uint8_t t_busy __attribute__((tls_model("initial-exec")));

// Marks the thread busy for a scope; restores the previous state on exit, also when an exception passes
// (operator new's new-handler may throw).
class BusyScope {
 public:
  // kRecording while recording an app's event; kRecorderThread for the recorder's own work on an app's
  // thread (the agent's calls), whose allocations are not counted as reentrant.
  explicit BusyScope(BusyState state = kRecording) : previous_(t_busy) {
    if (previous_ == kIdle) t_busy = state;
  }
  ~BusyScope() { t_busy = previous_; }
  BusyScope(const BusyScope&) = delete;
  BusyScope& operator=(const BusyScope&) = delete;

 private:
  uint8_t previous_;
};

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_GUARD_H_
