#include "isolate_agent.h"

#include <atomic>

namespace memtrace {

namespace {
// The interposer's table is the same for every isolate of the process.
std::atomic<const memtrace_agent_api*> g_api{nullptr};
}  // namespace

bool IsolateAgent::Start(napi_env env, const memtrace_agent_api* api, bool main_thread, uint32_t worker_id) {
  if (!api->recording()) return false;
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  uv_loop_t* loop = nullptr;
  if (!isolate || napi_get_uv_event_loop(env, &loop) != napi_ok || !loop) return false;
  g_api.store(api, std::memory_order_release);
  api->thread_role(main_thread ? MEMTRACE_ROLE_MAIN : MEMTRACE_ROLE_WORKER, worker_id);

  auto* agent = new IsolateAgent(isolate, api);
  // Existing code first (everything compiled before the agent started), then code as it is made.
  isolate->SetJitCodeEventHandler(v8::kJitCodeEventEnumExisting, OnCodeEvent);

  uint64_t interval_ms = api->memory_interval_ns() / 1'000'000;
  uv_timer_init(loop, &agent->timer_);
  agent->timer_.data = agent;
  if (interval_ms > 0) {
    uv_timer_start(&agent->timer_, OnTimer, 0, interval_ms);
    uv_unref(reinterpret_cast<uv_handle_t*>(&agent->timer_));  // the app decides when its loop ends
  }
  napi_add_env_cleanup_hook(env, OnCleanup, agent);
  return true;
}

void IsolateAgent::OnCodeEvent(const v8::JitCodeEvent* event) {
  const memtrace_agent_api* api = g_api.load(std::memory_order_acquire);
  // Bytecode events give the address of a bytecode array, never of an instruction a stack can hold.
  if (!api || event->code_type == v8::JitCodeEvent::BYTE_CODE) return;
  auto start = reinterpret_cast<uint64_t>(event->code_start);
  switch (event->type) {
    case v8::JitCodeEvent::CODE_ADDED:
      api->code_event(MEMTRACE_CODE_ADDED, start, event->code_len, 0, event->name.str, event->name.len);
      break;
    case v8::JitCodeEvent::CODE_MOVED:
      api->code_event(MEMTRACE_CODE_MOVED, start, event->code_len,
                      reinterpret_cast<uint64_t>(event->new_code_start), nullptr, 0);
      break;
    case v8::JitCodeEvent::CODE_REMOVED:
      api->code_event(MEMTRACE_CODE_REMOVED, start, event->code_len, 0, nullptr, 0);
      break;
    default:
      break;
  }
}

void IsolateAgent::OnTimer(uv_timer_t* timer) {
  auto* agent = static_cast<IsolateAgent*>(timer->data);
  v8::HeapStatistics stats;
  agent->isolate_->GetHeapStatistics(&stats);
  memtrace_heap_figures figures{stats.used_heap_size(), stats.total_heap_size(), stats.external_memory(), 0};
  agent->api_->heap_figures(&figures);
}

void IsolateAgent::OnCleanup(void* arg) {
  auto* agent = static_cast<IsolateAgent*>(arg);
  agent->isolate_->SetJitCodeEventHandler(v8::kJitCodeEventDefault, nullptr);
  uv_timer_stop(&agent->timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&agent->timer_),
           [](uv_handle_t* handle) { delete static_cast<IsolateAgent*>(handle->data); });
}

}  // namespace memtrace
