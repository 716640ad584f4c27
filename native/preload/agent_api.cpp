// The table the addon finds with dlsym (see include/memtrace/agent_api.h).
#include <sys/syscall.h>
#include <unistd.h>

#include "guard.h"
#include "memtrace/agent_api.h"
#include "recorder.h"
#include "thread_state.h"
#include "writer_thread.h"

namespace memtrace {
namespace {

int recording() { return recorder::active() ? 1 : 0; }

void code_event(memtrace_code_event_kind kind, uint64_t start, uint64_t size, uint64_t new_start,
                const char* name, size_t name_length) {
  if (!recorder::active()) return;
  BusyScope busy(kRecorderThread);  // the queue's allocations are the recorder's, not the app's
  writer::queue_code_event(kind, start, size, new_start, name, name_length);
}

void thread_role(memtrace_thread_role role, uint32_t worker_id) {
  if (!recorder::active()) return;
  BusyScope busy(kRecorderThread);
  ThreadState* t = current_thread();
  if (!t) return;
  t->worker_id.store(worker_id, std::memory_order_relaxed);
  t->role.store(static_cast<uint32_t>(role), std::memory_order_relaxed);
}

void heap_figures(const memtrace_heap_figures* figures) {
  if (!recorder::active() || !figures) return;
  BusyScope busy(kRecorderThread);
  writer::queue_heap_figures(static_cast<uint32_t>(syscall(SYS_gettid)), recorder::now_ns(), *figures);
}

uint64_t memory_interval_ns() { return recorder::settings().memory_interval_ns; }

const memtrace_agent_api api = {
    MEMTRACE_AGENT_API_VERSION, recording, code_event, thread_role, heap_figures, memory_interval_ns,
};

}  // namespace
}  // namespace memtrace

extern "C" __attribute__((visibility("default"))) const memtrace_agent_api* memtrace_agent_api() {
  return &memtrace::api;
}
