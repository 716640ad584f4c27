#include "code_space.h"

#include <pthread.h>

#include <functional>
#include <new>
#include <string_view>

#include "code_ranges.h"
#include "stack_tables.h"

namespace memtrace::code_space {

namespace {

struct Code {
  uint64_t name_hash;
  // Reported by more than one isolate: the process's code, not one isolate's.
  bool shared;
};

struct State {
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  CodeRanges<Code> ranges;
};

State& state() {
  // Never destroyed: isolates report code until the process ends.
  alignas(State) static unsigned char storage[sizeof(State)];
  static State* s = new (storage) State();
  return *s;
}

// Whatever code was at [start, start + size) is gone; new code may run there from now on.
void retire(uint64_t start, uint64_t size) { stack_tables().retire_frames(start, start + size); }

auto ignore = [](uint64_t, const CodeRanges<Code>::Range&) {};

}  // namespace

void added(uint32_t owner, uint64_t start, uint64_t size, const char* name, size_t name_length) {
  State& s = state();
  uint64_t name_hash =
      std::hash<std::string_view>()(std::string_view(name ? name : "", name ? name_length : 0));
  pthread_mutex_lock(&s.mutex);
  uint64_t found = 0;
  CodeRanges<Code>::Range* same = s.ranges.find(start, found);
  // Another isolate's report of the same code: the process's embedded builtins. (From the same isolate, it is
  // new code that happens to look alike, and may be laid out otherwise.)
  if (same && found == start && same->end == start + size && same->value.name_hash == name_hash &&
      (same->owner != owner || same->value.shared)) {
    same->value.shared = true;
    pthread_mutex_unlock(&s.mutex);
    return;
  }
  s.ranges.add(start, size, owner, Code{name_hash, false}, ignore);
  pthread_mutex_unlock(&s.mutex);
  retire(start, size);
}

void moved(uint32_t owner, uint64_t from, uint64_t to, uint64_t size) {
  State& s = state();
  pthread_mutex_lock(&s.mutex);
  if (!s.ranges.move(from, to, size, ignore)) s.ranges.add(to, size, owner, Code{0, false}, ignore);
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
  s.ranges.remove_owner(
      owner, [](const CodeRanges<Code>::Range& r) { return r.value.shared; },
      [&](uint64_t start, const CodeRanges<Code>::Range& r) {
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
