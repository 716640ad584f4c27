// A lock for rarely contended data (a thread's buffer while the writer has claimed it, the noted mappings):
// uncontended it costs one atomic exchange, where a pthread mutex costs a call.
#ifndef MEMTRACE_PRELOAD_SPIN_LOCK_H_
#define MEMTRACE_PRELOAD_SPIN_LOCK_H_

#include <sched.h>

#include <atomic>

namespace memtrace {

class SpinLock {
 public:
  void lock() {
    while (locked_.exchange(true, std::memory_order_acquire)) {
      while (locked_.load(std::memory_order_relaxed)) sched_yield();
    }
  }
  void unlock() { locked_.store(false, std::memory_order_release); }
  // For a fork child: the thread that held it does not exist there.
  void reset() { locked_.store(false, std::memory_order_relaxed); }

 private:
  std::atomic<bool> locked_{false};
};

template <typename Lock>
class LockGuard {
 public:
  explicit LockGuard(Lock& lock) : lock_(lock) { lock_.lock(); }
  ~LockGuard() { lock_.unlock(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  Lock& lock_;
};

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_SPIN_LOCK_H_
