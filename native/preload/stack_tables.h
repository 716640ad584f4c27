// The process's frames and stacks, interned: a frame per distinct instruction address, a stack per distinct
// (parent stack, innermost frame) pair, so a stack is a path in a tree (the format's StackTable). New entries
// wait in `pending` until the next write to the channel puts them before the events that use them.
//
// A frame id names one function for good: when V8 puts new code where frames were seen (code it collected,
// or an isolate that ended), those frames are retired, and their addresses get new frame ids from then on.
// Threads keep ids in caches of their own (StackCache, WalkCache::stack, LastInterned): each retirement
// raises the tables' epoch, and a thread that sees it changed stops trusting them.
#ifndef MEMTRACE_PRELOAD_STACK_TABLES_H_
#define MEMTRACE_PRELOAD_STACK_TABLES_H_

#include <pthread.h>
#include <stdint.h>

#include <atomic>

#include "hash_map.h"

namespace memtrace {

// The deepest stack walked: the walk's address buffer lives on the allocating thread's stack (4 KiB).
constexpr uint32_t kMaxStackDepth = 512;

// The last stack a thread interned, outermost frame first, with the id of the stack that ends at each of
// its frames. Consecutive new stacks of a thread share most of their outer frames, and the shared part
// needs no lookup in the tables: at start-up, when nearly every stack is new, interning took ~2 µs an
// allocation with ~60 hash probes of tables that do not fit in the cache. Owned by its thread.
struct LastInterned {
  uint32_t depth = 0;
  uintptr_t address[kMaxStackDepth];
  uint32_t stack[kMaxStackDepth];
};

// Frames defined in the stream and not yet named, for the writer thread.
struct FramesToResolve {
  uint32_t first_id = 0;
  Vec<uint64_t> address;
  Vec<uint64_t> time;
};

struct PendingTables {
  uint32_t first_frame = 0;
  Vec<uint64_t> frame_address;
  // When each frame was first seen: the writer names it by the code that was there then.
  Vec<uint64_t> frame_time;
  uint32_t first_stack = 0;
  Vec<uint32_t> stack_parent;
  Vec<uint32_t> stack_frame;

  bool empty() const { return frame_address.empty() && stack_parent.empty(); }
};

class StackTables {
 public:
  // The stack id of `addresses` (innermost first), defining frames and stacks as needed; 0 for an empty
  // stack or when memory ran out. `last`, if given, is the calling thread's last interned stack: read for
  // the outer frames this one shares with it, and updated.
  uint32_t intern(const uintptr_t* addresses, uint32_t depth, LastInterned* last = nullptr);

  // Moves the entries defined since the last call into `out` (whose vectors must be empty).
  void take_pending(PendingTables& out);

  // Retires the frames of the code [low, high): those whose return address lies in (low, high]. Returns how
  // many. Called on the isolate's thread before the new code there can run.
  uint32_t retire_frames(uint64_t low, uint64_t high);
  // Raised by each retirement that retired a frame.
  uint32_t epoch() const { return epoch_.load(std::memory_order_acquire); }

  // For fork: hold the lock across fork(), then start afresh in the child (its scope has new ids).
  void lock() { pthread_mutex_lock(&mutex_); }
  void unlock() { pthread_mutex_unlock(&mutex_); }
  void reset_in_child();
  // A new scope in this process (runtime.h): ids start afresh.
  void start_new_scope();

 private:
  uint32_t frame_id(uint64_t address);
  bool index_frame(uint64_t address, uint32_t id);
  // Forgets every id (with the lock held, or in a fork child).
  void clear();

  pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
  U64Map frames_;  // address -> frame id (the current one)
  // Frames by page, for retirement: each page's frames are a chain, newest first, through previous_in_page_
  // (indexed by frame id; JS frame keys are not chained).
  U64Map page_newest_;  // page number + 1 -> newest frame id in it
  Vec<uint32_t> previous_in_page_;
  Vec<uint64_t> frame_address_;
  U64Map stacks_;  // parent << 32 | frame -> stack id
  uint32_t next_frame_ = 1;
  uint32_t next_stack_ = 1;
  PendingTables pending_;
  // Read on every allocation by every thread: on a cache line of its own (the last), away from what interning
  // writes.
  alignas(64) std::atomic<uint32_t> epoch_{0};
};

StackTables& stack_tables();

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_STACK_TABLES_H_
