// The table the addon finds with dlsym (see include/memtrace/agent_api.h).
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "code_space.h"
#include "guard.h"
#include "js_functions.h"
#include "memtrace/agent_api.h"
#include "record_writer.h"
#include "recorder.h"
#include "runtime.h"
#include "stack_tables.h"
#include "thread_state.h"
#include "writer_thread.h"

namespace memtrace {
namespace {

uint32_t gettid_now() { return static_cast<uint32_t>(syscall(SYS_gettid)); }

int recording() { return recorder::active() ? 1 : 0; }

// The writer learns of the change first, then the code space retires the frames where the code goes: a frame
// that the retirement lets this thread intern anew is never older than the event that names it.
void code_change(memtrace_code_event_kind kind, uint64_t start, uint64_t size, uint64_t new_start,
                 const char* name, size_t name_length, const memtrace_code_position* positions, size_t count,
                 int flags) {
  if (!recorder::active()) return;
  BusyScope busy(kRecorderThread);  // the queue's allocations are the recorder's, not the app's
  writer::queue_code_event(kind, start, size, new_start, name, name_length, positions, count,
                           (flags & MEMTRACE_CODE_EXISTING) != 0);
  uint32_t owner = gettid_now();
  switch (kind) {
    case MEMTRACE_CODE_ADDED:
      code_space::added(owner, start, size, name, name_length,
                        (flags & MEMTRACE_CODE_INTERPRETER_ENTRY) != 0);
      break;
    case MEMTRACE_CODE_MOVED:
      code_space::moved(owner, start, new_start, size);
      break;
    case MEMTRACE_CODE_REMOVED:
      code_space::removed(start, size);
      break;
  }
}

void code_event(memtrace_code_event_kind kind, uint64_t start, uint64_t size, uint64_t new_start,
                const char* name, size_t name_length) {
  code_change(kind, start, size, new_start, name, name_length, nullptr, 0, 0);
}

void code_added(uint64_t start, uint64_t size, const char* name, size_t name_length,
                const memtrace_code_position* positions, size_t count, int existing) {
  code_change(MEMTRACE_CODE_ADDED, start, size, 0, name, name_length, positions, count, existing);
}

void isolate_ending() {
  if (!recorder::active()) return;
  BusyScope busy(kRecorderThread);
  // Told to the writer as removals, which the capture keeps.
  for (const code_space::Span& gone : code_space::isolate_ending(gettid_now())) {
    writer::queue_code_event(MEMTRACE_CODE_REMOVED, gone.start, gone.size, 0, nullptr, 0, nullptr, 0, false);
  }
}

int limit_inlining() { return recorder::settings().limit_inlining ? 1 : 0; }

int keep_tiers() { return recorder::settings().keep_tiers ? 1 : 0; }

void set_interpreter_frames(const memtrace_interpreter_frames* m, uint64_t entry_start) {
  if (!recorder::active() || !m || m->return_offset == 0 || m->return_offset >= m->entry_size) return;
  BusyScope busy(kRecorderThread);
  InterpreterLayout layout;
  layout.return_offset = m->return_offset;
  layout.entry_size = m->entry_size;
  layout.array_slot = m->array_slot;
  layout.offset_slot = m->offset_slot;
  layout.first_bytecode = m->first_bytecode;
  code_space::interpreter_known(layout, entry_start);
}

void collecting(int on) {
  ThreadState* t = current_thread_if_any();
  if (t) t->collecting = on != 0;
}

void thread_role(memtrace_thread_role role, uint32_t worker_id) {
  if (!recorder::active()) return;
  BusyScope busy(kRecorderThread);
  ThreadState* t = current_thread();
  if (!t) return;
  t->worker_id.store(worker_id, std::memory_order_relaxed);
  t->role.store(static_cast<uint32_t>(role), std::memory_order_relaxed);
}

void thread_name(const char* name, size_t length) {
  if (!recorder::active() || !name) return;
  BusyScope busy(kRecorderThread);
  ThreadState* t = current_thread();
  if (!t || t->app_named.load(std::memory_order_relaxed)) return;
  if (length > MEMTRACE_THREAD_NAME_MAX) {
    length = MEMTRACE_THREAD_NAME_MAX;
    // Not inside a UTF-8 sequence: the name is a proto string.
    while (length > 0 && (static_cast<unsigned char>(name[length]) & 0xC0) == 0x80) length--;
  }
  memcpy(t->app_name, name, length);
  t->app_name[length] = 0;
  t->app_named.store(true, std::memory_order_release);
}

void heap_figures(const memtrace_heap_figures* figures) {
  if (!recorder::active() || !figures) return;
  BusyScope busy(kRecorderThread);
  writer::queue_heap_figures(gettid_now(), recorder::now_ns(), *figures);
}

uint64_t memory_interval_ns() { return recorder::settings().memory_interval_ns; }

uint64_t now_ns() { return recorder::now_ns(); }

uint32_t enter() {
  uint32_t previous = t_busy;
  if (previous == kIdle) t_busy = kRecorderThread;
  return previous;
}

void leave(uint32_t previous) { t_busy = static_cast<uint8_t>(previous); }

void js_settings(memtrace_js_settings* out) {
  const Settings& s = recorder::settings();
  out->interval_bytes = s.js_interval_bytes;
  out->poll_interval_ns = s.js_poll_interval_ns;
  out->keep_collected = s.js_keep_collected ? 1 : 0;
  out->stack_depth = s.max_stack_depth;
}

uint64_t js_frame(const char* name, size_t name_length, const char* script, size_t script_length,
                  uint32_t line, uint32_t column, memtrace_function_kind kind) {
  if (!recorder::active()) return 0;
  BusyScope busy(kRecorderThread);
  JsFunction f;
  f.name.assign(name ? name : "", name ? name_length : 0);
  f.script.assign(script ? script : "", script ? script_length : 0);
  f.line = line;
  f.column = column;
  f.kind = static_cast<uint32_t>(kind);
  return js_functions().intern(std::move(f));
}

uint32_t js_stack(const uint64_t* frames, uint32_t depth) {
  if (!recorder::active() || !frames || depth == 0) return 0;
  BusyScope busy(kRecorderThread);
  for (uint32_t i = 0; i < depth; i++) {
    if (!is_js_frame_key(frames[i])) return 0;
  }
  static_assert(sizeof(uintptr_t) == sizeof(uint64_t), "frame keys are addresses");
  return stack_tables().intern(reinterpret_cast<const uintptr_t*>(frames), depth);
}

void js_samples(const memtrace_js_sample* samples, size_t count) {
  if (!recorder::active() || !samples || count == 0) return;
  BusyScope busy(kRecorderThread);
  ThreadState* t = current_thread();
  if (!t) return;
  ByteBuffer batch, scratch;
  {
    OwnBuffer own(t);
    if (t->closed) return;
    // Counted like the thread's own events: the Trailer's figures include the JS heap's.
    for (size_t i = 0; i < count; i++) {
      if (samples[i].freed) {
        ThreadCounters::bump(t->counters.deallocations);
      } else {
        ThreadCounters::bump(t->counters.allocations);
        ThreadCounters::bump(t->counters.allocated_bytes, samples[i].bytes);
      }
    }
    // As for the thread's own events: the clock is read with the thread's buffer held (see tracking.cpp), and
    // the thread's buffered events go first, so the thread's events stay in time order.
    uint64_t time = recorder::now_ns();
    records::js_samples(batch, scratch, recorder::pid(), t->tid, time, samples, count);
    if (recorder::settings().paired) {
      recorder::flush_thread_with_js_samples(t, time, samples, count, batch);
    } else {
      recorder::flush_thread_locked(t, &batch);
    }
  }
  recorder::after_batch();
}

void gc_event(const memtrace_gc_event* e) {
  if (!recorder::active() || !e) return;
  BusyScope busy(kRecorderThread);
  ByteBuffer record, scratch;
  records::gc(record, scratch, recorder::pid(),
              {gettid_now(), e->time_ns, e->duration_ns, static_cast<uint32_t>(e->kind), e->heap_before,
               e->heap_after});
  recorder::append_framed(record, false);
}

void app_ended() {
  if (!recorder::active()) return;
  BusyScope busy(kRecorderThread);
  ThreadState* t = current_thread();
  if (!t) return;
  ByteBuffer record, scratch;
  {
    OwnBuffer own(t);
    if (t->closed) return;
    // As an event of the thread: its time read with the buffer held and written after the thread's events, so
    // that no Watermark later than it precedes it. Published, so that every event after it, in any thread,
    // takes a time no earlier (shared_clock.h): the events after the app's end are those at or after its
    // time.
    records::app_ended(record, scratch, recorder::pid(), t->tid, recorder::events_now_ns());
    recorder::flush_thread_locked(t, &record);
  }
  recorder::after_batch();
}

const memtrace_agent_api api = {
    MEMTRACE_AGENT_API_VERSION,
    recording,
    code_event,
    thread_role,
    heap_figures,
    memory_interval_ns,
    now_ns,
    enter,
    leave,
    js_settings,
    js_frame,
    js_stack,
    js_samples,
    gc_event,
    app_ended,
    code_added,
    isolate_ending,
    limit_inlining,
    runtime::start,
    runtime::stop,
    runtime::state,
    set_interpreter_frames,
    collecting,
    keep_tiers,
    thread_name,
    runtime::start_more,
};

}  // namespace
}  // namespace memtrace

extern "C" __attribute__((visibility("default"))) const memtrace_agent_api* memtrace_agent_api() {
  return &memtrace::api;
}
