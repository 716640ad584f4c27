#include "code_space.h"

#include <pthread.h>

#include <new>

#include "code_ranges.h"
#include "stack_tables.h"

namespace memtrace::code_space {

namespace {

struct State {
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  CodeRanges<bool> ranges;
};

State& state() {
  // Never destroyed: isolates report code until the process ends.
  alignas(State) static unsigned char storage[sizeof(State)];
  static State* s = new (storage) State();
  return *s;
}

// Whatever code was at [start, start + size) is gone; new code may run there from now on.
void retire(uint64_t start, uint64_t size) { stack_tables().retire_frames(start, start + size); }

auto ignore = [](uint64_t, const CodeRanges<bool>::Range&) {};

}  // namespace

void added(uint32_t owner, uint64_t start, uint64_t size) {
  State& s = state();
  pthread_mutex_lock(&s.mutex);
  s.ranges.add(start, size, owner, true, ignore);
  pthread_mutex_unlock(&s.mutex);
  retire(start, size);
}

void moved(uint32_t owner, uint64_t from, uint64_t to, uint64_t size) {
  State& s = state();
  pthread_mutex_lock(&s.mutex);
  if (!s.ranges.move(from, to, size, ignore)) s.ranges.add(to, size, owner, true, ignore);
  pthread_mutex_unlock(&s.mutex);
  // V8 rewrites the return addresses into moved code on every stack: frames at the old place are no
  // longer met, and those at the new place were of other code.
  retire(to, size);
}

void removed(uint64_t start, uint64_t size) {
  State& s = state();
  pthread_mutex_lock(&s.mutex);
  s.ranges.remove(start, size, ignore);
  pthread_mutex_unlock(&s.mutex);
  retire(start, size);
}

std::vector<Span> isolate_ending(uint32_t owner) {
  State& s = state();
  std::vector<Span> gone;
  pthread_mutex_lock(&s.mutex);
  s.ranges.remove_owner(owner, [&](uint64_t start, const CodeRanges<bool>::Range& r) {
    gone.push_back({start, r.end - start});
  });
  pthread_mutex_unlock(&s.mutex);
  for (const Span& g : gone) retire(g.start, g.size);
  return gone;
}

void lock() { pthread_mutex_lock(&state().mutex); }
void unlock() { pthread_mutex_unlock(&state().mutex); }
void reset_lock_in_child() { pthread_mutex_init(&state().mutex, nullptr); }

}  // namespace memtrace::code_space
