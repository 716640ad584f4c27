// Each recorded thread's state: its event buffer, its cache of stacks, its counters, and the registry that
// lets the writer thread flush the buffers of threads that never exit (libuv's pool, V8's platform threads)
// and of threads that have ended.
#ifndef MEMTRACE_PRELOAD_THREAD_STATE_H_
#define MEMTRACE_PRELOAD_THREAD_STATE_H_

#include <stdint.h>

#include <sched.h>

#include <atomic>

#include "asymmetric_fence.h"
#include "event_buffer.h"
#include "memtrace/agent_api.h"
#include "spin_lock.h"
#include "stack_tables.h"
#include "stack_walk.h"

namespace memtrace {

// A direct-mapped cache from the hash of a walked stack to its stack id, so that a stack seen before costs
// no lock and no table lookup. Keyed by a 64-bit hash of the whole address list: two different stacks with
// the same hash would share an id, which at 2^-64 per pair is far below any other source of error. An entry
// holds for the tables' epoch it was made in (StackTables::epoch), kept in what would be padding.
struct StackCache {
  static constexpr uint32_t kEntries = 4096;
  struct Entry {
    uint64_t hash;
    uint32_t stack;
    uint32_t epoch;
  };
  Entry entries[kEntries];

  uint32_t find(uint64_t hash, uint32_t epoch) const {
    const Entry& e = entries[hash & (kEntries - 1)];
    return e.hash == hash && e.epoch == epoch ? e.stack : 0;
  }
  void put(uint64_t hash, uint32_t stack, uint32_t epoch) {
    entries[hash & (kEntries - 1)] = Entry{hash, stack, epoch};
  }
};

// What a thread counted, for the Trailer. Written by the thread, read by the writer: relaxed atomics.
struct ThreadCounters {
  std::atomic<uint64_t> allocations{0};
  std::atomic<uint64_t> deallocations{0};
  std::atomic<uint64_t> allocated_bytes{0};
  std::atomic<uint64_t> lost_events{0};
  std::atomic<uint64_t> truncated_stacks{0};
  std::atomic<uint64_t> broken_stacks{0};
  std::atomic<uint64_t> reentrant_calls{0};

  static void bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

struct ThreadState {
  uint32_t tid = 0;
  uintptr_t stack_low = 0;
  uintptr_t stack_high = 0;

  // Who may touch `events` and `closed`: see OwnBuffer and ClaimedBuffer below. The thread appends on every
  // event; the writer flushes ten times a second.
  std::atomic<bool> appending{false};
  std::atomic<bool> claimed{false};
  SpinLock lock;
  EventBuffer events;
  // Set by the final flush: the scope's Trailer is written, nothing more of this thread may be.
  bool closed = false;
  // Events left before the thread reads the clock again (shared_clock.h). Touched with `events`.
  uint32_t clock_countdown = 0;
  StackCache stacks;
  WalkCache walk;
  LastInterned last_interned;
  // The tables' epoch that walk.stack and last_interned hold for.
  uint32_t tables_epoch;
  // Whether `walk` keyed interpreted frames by their bytecode (interpreter_frames.h).
  bool walk_interpreted;
  // The thread's isolate is collecting garbage (set by the agent): a bytecode array may have moved before
  // the frames that point to it are updated, so interpreted frames are keyed by return address meanwhile.
  bool collecting;
  ThreadCounters counters;

  // An address in the thread's start routine (the frame above the C library's thread entry), from its first
  // complete stack: the writer names pool threads by it, as they all inherit the process's name.
  std::atomic<uintptr_t> start_routine{0};
  // Set by the agent for threads that run an isolate.
  std::atomic<uint32_t> role{0};
  std::atomic<uint32_t> worker_id{0};
  // Set by the agent: the app's name for the thread (agent_api.h's thread_name), NUL-terminated, written
  // before `app_named` is set.
  char app_name[MEMTRACE_THREAD_NAME_MAX + 1] = {0};
  std::atomic<bool> app_named{false};
  // The thread has run its exit destructors; the writer releases the state once the thread is gone.
  std::atomic<bool> ended{false};

  // Owned by the writer thread: what it last wrote in a ThreadInfo.
  char written_name[MEMTRACE_THREAD_NAME_MAX + 1] = {0};
  uint32_t written_role = 0;
  bool info_written = false;

  ThreadState* next = nullptr;
};

// The calling thread's hold on its own buffer, for one append (or flush). It announces itself in
// `appending`, and if no other thread has claimed the buffer goes on without a locked instruction; a
// claimed buffer is waited for through the lock. With ClaimedBuffer this is Dekker's mutual exclusion,
// its store-load fences split by asymmetric_fence: the thread's side costs nothing.
class OwnBuffer {
 public:
  explicit OwnBuffer(ThreadState* t) : t_(t) {
    t->appending.store(true, std::memory_order_relaxed);
    asymmetric_fence::light();
    if (t->claimed.load(std::memory_order_acquire)) {
      t->appending.store(false, std::memory_order_release);
      t->lock.lock();
      locked_ = true;
    }
  }
  ~OwnBuffer() {
    if (locked_) {
      t_->lock.unlock();
    } else {
      t_->appending.store(false, std::memory_order_release);
    }
  }
  OwnBuffer(const OwnBuffer&) = delete;
  OwnBuffer& operator=(const OwnBuffer&) = delete;

 private:
  ThreadState* t_;
  bool locked_ = false;
};

// Another thread's hold on a thread's buffer (the writer's, to flush it): takes the lock (excluding other
// claimants and the thread's own slow path), says so in `claimed`, then waits out an append in progress.
class ClaimedBuffer {
 public:
  explicit ClaimedBuffer(ThreadState* t) : t_(t) {
    t->lock.lock();
    t->claimed.store(true, std::memory_order_relaxed);
    asymmetric_fence::heavy();
    while (t->appending.load(std::memory_order_acquire)) sched_yield();
  }
  ~ClaimedBuffer() {
    t_->claimed.store(false, std::memory_order_release);
    t_->lock.unlock();
  }
  ClaimedBuffer(const ClaimedBuffer&) = delete;
  ClaimedBuffer& operator=(const ClaimedBuffer&) = delete;

 private:
  ThreadState* t_;
};

extern __thread ThreadState* t_state __attribute__((tls_model("initial-exec")));
// Set once the thread's state could not be created, or after its exit destructor ran twice: never retry.
extern __thread bool t_no_state __attribute__((tls_model("initial-exec")));
ThreadState* make_current_thread();

// The calling thread's state, created on first use (nullptr if memory for it could not be had). Inline: the
// hooks call it on every event.
inline ThreadState* current_thread() { return t_state || t_no_state ? t_state : make_current_thread(); }
// The calling thread's state if it has one.
ThreadState* current_thread_if_any();

// Calls fn(state) for every registered thread, with the registry locked (fn must not register threads).
template <typename Fn>
void for_each_thread(Fn&& fn);

// Removes and frees states of threads that have ended and are gone; calls on_gone(state) before freeing.
template <typename Fn>
void reap_threads(Fn&& on_gone);

namespace registry {
void lock();
void unlock();
ThreadState* head();
// Unlinks `state` (registry locked) and frees it.
void remove_locked(ThreadState* state, ThreadState* previous);
// After fork, in the child: only the calling thread exists. Forgets every other state, keeps the caller's
// with an empty buffer and cache (ids start afresh in the child's scope).
void after_fork_in_child();
// A new scope in this process (runtime.h), recording stopped: forgets the states of threads that ended, and
// empties the others' buffers, caches and counters (their stack ids were the last scope's).
void start_new_scope();
}  // namespace registry

template <typename Fn>
void for_each_thread(Fn&& fn) {
  registry::lock();
  for (ThreadState* t = registry::head(); t; t = t->next) fn(t);
  registry::unlock();
}

template <typename Fn>
void reap_threads(Fn&& on_gone) {
  registry::lock();
  ThreadState* previous = nullptr;
  for (ThreadState* t = registry::head(); t;) {
    ThreadState* next = t->next;
    if (t->ended.load(std::memory_order_acquire) && on_gone(t)) {
      registry::remove_locked(t, previous);
    } else {
      previous = t;
    }
    t = next;
  }
  registry::unlock();
}

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_THREAD_STATE_H_
