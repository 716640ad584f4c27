#include "code_space.h"

#include <pthread.h>

#include <functional>
#include <new>
#include <string_view>

#include "code_ranges.h"
#include "interpreter_frames.h"
#include "stack_tables.h"

namespace memtrace::code_space {

namespace {

struct Code {
  uint64_t name_hash;
  // Reported by more than one isolate: the process's code, not one isolate's.
  bool shared;
  // The return point of the interpreter's entry in this code (ReturnPoints), or 0.
  uint64_t return_point;
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

// Code gone from the map takes its return point with it.
auto dropped = [](uint64_t, const CodeRanges<Code>::Range& r) {
  if (r.value.return_point) interpreter_frames().points.remove(r.value.return_point);
};

uint64_t return_point_of(uint64_t start, uint64_t size) {
  const InterpreterFrames& f = interpreter_frames();
  if (!f.known.load(std::memory_order_acquire)) return 0;
  // Each copy of the entry is the entry's code as it is (its size may differ by the code's metadata).
  return size > f.layout.return_offset ? start + f.layout.return_offset : 0;
}

}  // namespace

void added(uint32_t owner, uint64_t start, uint64_t size, const char* name, size_t name_length,
           bool interpreter_entry) {
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
  uint64_t point = interpreter_entry ? return_point_of(start, size) : 0;
  s.ranges.add(start, size, owner, Code{name_hash, false, point}, dropped);
  if (point) interpreter_frames().points.add(point);
  pthread_mutex_unlock(&s.mutex);
  retire(start, size);
}

void moved(uint32_t owner, uint64_t from, uint64_t to, uint64_t size) {
  State& s = state();
  pthread_mutex_lock(&s.mutex);
  // A copy of the interpreter's entry takes its return point along (after what it lands on has gone).
  uint64_t found = 0;
  CodeRanges<Code>::Range* moving = s.ranges.find(from, found);
  uint64_t point = 0;
  if (moving && found == from && moving->value.return_point) {
    interpreter_frames().points.remove(moving->value.return_point);
    point = to + (moving->value.return_point - from);
    moving->value.return_point = 0;
  }
  if (s.ranges.move(from, to, size, dropped)) {
    if (point) {
      s.ranges.find(to, found)->value.return_point = point;
      interpreter_frames().points.add(point);
    }
  } else {
    s.ranges.add(to, size, owner, Code{0, false, 0}, dropped);
  }
  pthread_mutex_unlock(&s.mutex);
  // V8 rewrites the return addresses into moved code on every stack: frames at the old place are no
  // longer met, and those at the new place were of other code.
  retire(to, size);
}

void removed(uint64_t start, uint64_t size) {
  State& s = state();
  pthread_mutex_lock(&s.mutex);
  s.ranges.remove(start, size, dropped);
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
        dropped(start, r);
        gone.push_back({start, r.end - start});
      });
  pthread_mutex_unlock(&s.mutex);
  for (const Span& g : gone) retire(g.start, g.size);
  return gone;
}

void interpreter_known(const InterpreterLayout& layout, uint64_t entry_start) {
  State& s = state();
  InterpreterFrames& f = interpreter_frames();
  pthread_mutex_lock(&s.mutex);
  if (!f.known.load(std::memory_order_relaxed)) {
    f.layout = layout;
    f.known.store(true, std::memory_order_release);
  }
  // The entry itself runs the functions compiled before the copies were asked for.
  uint64_t found = 0;
  CodeRanges<Code>::Range* entry = s.ranges.find(entry_start, found);
  if (entry && found == entry_start && !entry->value.return_point) {
    entry->value.return_point = return_point_of(entry_start, entry->end - entry_start);
    if (entry->value.return_point) f.points.add(entry->value.return_point);
  }
  pthread_mutex_unlock(&s.mutex);
}

void lock() { pthread_mutex_lock(&state().mutex); }
void unlock() { pthread_mutex_unlock(&state().mutex); }
void reset_lock_in_child() { pthread_mutex_init(&state().mutex, nullptr); }

}  // namespace memtrace::code_space
