#include "isolate_agent.h"

#include <atomic>

#include "code_lines.h"
#include "interpreter_layout.h"
#include "js_poller.h"

namespace memtrace {

namespace {
// The interposer's table is the same for every isolate of the process.
std::atomic<const memtrace_agent_api*> g_api{nullptr};
// While V8 reports, on this isolate's thread, the code that existed when the agent started.
thread_local bool t_reporting_existing = false;

// V8 11.3's minor mark-compact collection is 12.4's minor mark-sweep (the same value); 13.6 has only that
// name.
#if V8_MAJOR_VERSION >= 12
constexpr v8::GCType kMinorMarkSweep = v8::kGCTypeMinorMarkSweep;
#else
constexpr v8::GCType kMinorMarkSweep = v8::kGCTypeMinorMarkCompact;
#endif

memtrace_gc_kind GcKindOf(v8::GCType type) {
  switch (type) {
    case v8::kGCTypeScavenge:
      return MEMTRACE_GC_SCAVENGE;
    case kMinorMarkSweep:
      return MEMTRACE_GC_MINOR_MARK_SWEEP;
    case v8::kGCTypeMarkSweepCompact:
      return MEMTRACE_GC_MARK_SWEEP_COMPACT;
    case v8::kGCTypeIncrementalMarking:
      return MEMTRACE_GC_INCREMENTAL_MARKING;
    case v8::kGCTypeProcessWeakCallbacks:
      return MEMTRACE_GC_PROCESS_WEAK_CALLBACKS;
    default:
      return MEMTRACE_GC_OTHER;
  }
}

uint64_t UsedHeap(v8::Isolate* isolate) {
  v8::HeapStatistics stats;
  isolate->GetHeapStatistics(&stats);
  return stats.used_heap_size();
}

}  // namespace

bool IsolateAgent::Start(napi_env env, const memtrace_agent_api* api, bool main_thread, uint32_t worker_id,
                         napi_value array_buffers) {
  if (!api->recording()) return false;
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  uv_loop_t* loop = nullptr;
  if (!isolate || napi_get_uv_event_loop(env, &loop) != napi_ok || !loop) return false;
  g_api.store(api, std::memory_order_release);
  // What V8 allocates for the agent (the existing code it enumerates, its callbacks) is memtrace's, not the
  // app's.
  uint32_t token = api->version >= 2 ? api->enter() : 0;
  api->thread_role(main_thread ? MEMTRACE_ROLE_MAIN : MEMTRACE_ROLE_WORKER, worker_id);
  // V8 gives an interpreted function a frame of its own (a copy of the interpreter's entry, which code
  // events name) only under this flag. Set now rather than on node's command line: functions compiled from
  // here on (the app's, and the modules it loads) get such frames, and node still accepts the code cache of
  // the modules it loaded while starting, which it would otherwise recompile (see launcher.ts). V8's flags
  // are the process's, and not to be written while other isolates run: the main thread's agent, which starts
  // before the app's code can start a worker, sets it for all.
  if (main_thread) v8::V8::SetFlagsFromString("--interpreted-frames-native-stack");
  // A function that TurboFan or Maglev inlines into its caller has no frame of its own, and the positions V8
  // reports for the caller's code then mix in the inlined function's, which belong to another script
  // (docs/js-frames.md): unless asked to keep inlining, no JS function is inlined into another.
  if (main_thread && api->version >= 4 && api->limit_inlining()) {
    v8::V8::SetFlagsFromString("--no-turbo-inlining --no-maglev-inlining");
  }
  // Sparkplug's and Maglev's code comes without positions: unless asked to keep them, JS code is interpreted
  // (its frames keyed by bytecode) until TurboFan optimises it (docs/js-frames.md).
  if (main_thread && api->version >= 6 && !api->keep_tiers()) {
    v8::V8::SetFlagsFromString("--no-sparkplug --no-maglev");
  }

  auto* agent = new IsolateAgent(isolate, api, main_thread);
  agent->env_ = env;
  if (array_buffers) napi_create_reference(env, array_buffers, 1, &agent->array_buffers_);
  // Existing code first (everything compiled before the agent started), then code as it is made.
  t_reporting_existing = true;
  isolate->SetJitCodeEventHandler(v8::kJitCodeEventEnumExisting, OnCodeEvent);
  t_reporting_existing = false;
  // The JS that called this runs in the interpreter: where it keeps its bytecode is measured on this stack.
  memtrace_interpreter_frames layout{};
  uint64_t entry_start = 0;
  if (interpreter_layout::Measure(layout, entry_start) && api->version >= 6) {
    api->interpreter_frames(&layout, entry_start);
  }

  uv_timer_init(loop, &agent->memory_timer_);
  agent->memory_timer_.data = agent;
  uv_timer_init(loop, &agent->poll_timer_);
  agent->poll_timer_.data = agent;
  uint64_t interval_ms = api->memory_interval_ns() / 1'000'000;
  agent->report_figures_ = interval_ms > 0;
  uv_timer_start(&agent->memory_timer_, OnMemoryTimer, 0, interval_ms > 0 ? interval_ms : 100);
  uv_unref(reinterpret_cast<uv_handle_t*>(&agent->memory_timer_));  // the app decides when its loop ends
  if (api->version >= 2) {
    isolate->AddGCPrologueCallback(OnGcStart, agent);
    isolate->AddGCEpilogueCallback(OnGcEnd, agent);
    agent->StartJsHeap();
  }
  napi_set_instance_data(env, agent, nullptr, nullptr);
  napi_add_env_cleanup_hook(env, OnCleanup, agent);
  if (api->version >= 2) api->leave(token);
  return true;
}

void IsolateAgent::StartJsHeap() {
  memtrace_js_settings settings{};
  api_->js_settings(&settings);
  if (settings.interval_bytes == 0) return;
  sampler_ = std::make_unique<JsHeapSampler>(isolate_, api_, settings);
  if (!sampler_->Start()) {
    sampler_.reset();
    return;
  }
  // The timer polls while the event loop turns; the poller's interrupts while JavaScript keeps it from
  // turning.
  uint64_t poll_ms = settings.poll_interval_ns / 1'000'000;
  uv_timer_start(&poll_timer_, OnPollTimer, poll_ms ? poll_ms : 1, poll_ms ? poll_ms : 1);
  uv_unref(reinterpret_cast<uv_handle_t*>(&poll_timer_));
  uint32_t token = api_->enter();
  js_poller::add(api_, isolate_, OnPollInterrupt, this, settings.poll_interval_ns);
  api_->leave(token);
}

void IsolateAgent::AppEnded(napi_env env) {
  void* data = nullptr;
  if (napi_get_instance_data(env, &data) != napi_ok || !data) return;
  auto* agent = static_cast<IsolateAgent*>(data);
  if (agent->app_ended_ || agent->stopped_) return;
  agent->app_ended_ = true;
  // The main thread's end is the process's: no more interrupts (workers may go away without their cleanup).
  if (agent->main_thread_) js_poller::stop_all();
  if (agent->sampler_) agent->sampler_->Poll(true);
  if (agent->api_->version >= 3) agent->api_->app_ended();
}

void IsolateAgent::OnCodeEvent(const v8::JitCodeEvent* event) {
  const memtrace_agent_api* api = g_api.load(std::memory_order_acquire);
  // Bytecode names the interpreted frames the walk keys by their bytecode (from version 6).
  if (!api || (event->code_type == v8::JitCodeEvent::BYTE_CODE && api->version < 6)) return;
  if (t_reporting_existing) interpreter_layout::OnExistingCode(event);
  // The line tables' allocations are the recorder's, not the app's.
  uint32_t token = api->version >= 2 ? api->enter() : 0;
  auto start = reinterpret_cast<uint64_t>(event->code_start);
  switch (event->type) {
    case v8::JitCodeEvent::CODE_START_LINE_INFO_RECORDING:
    case v8::JitCodeEvent::CODE_ADD_LINE_POS_INFO:
    case v8::JitCodeEvent::CODE_END_LINE_INFO_RECORDING:
      if (api->version >= 4) code_lines::OnLineInfo(api, event);
      break;
    case v8::JitCodeEvent::CODE_ADDED:
      if (api->version >= 4) {
        code_lines::Positions positions = code_lines::TakeFor(api, event);
        int flags = t_reporting_existing ? MEMTRACE_CODE_EXISTING : 0;
        if (api->version >= 6 && interpreter_layout::IsInterpreterEntry(event)) {
          flags |= MEMTRACE_CODE_INTERPRETER_ENTRY;
        }
        api->code_added(start, event->code_len, event->name.str, event->name.len, positions.data(),
                        positions.size(), flags);
      } else {
        api->code_event(MEMTRACE_CODE_ADDED, start, event->code_len, 0, event->name.str, event->name.len);
      }
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
  if (api->version >= 2) api->leave(token);
}

void IsolateAgent::OnMemoryTimer(uv_timer_t* timer) {
  auto* agent = static_cast<IsolateAgent*>(timer->data);
  if (agent->stopped_) return;
  if (!agent->api_->recording()) {
    // Stopped from elsewhere: the agent has nothing left to report to.
    napi_remove_env_cleanup_hook(agent->env_, OnCleanup, agent);
    agent->Shutdown();
    return;
  }
  if (!agent->report_figures_) return;
  v8::HeapStatistics stats;
  agent->isolate_->GetHeapStatistics(&stats);
  memtrace_heap_figures figures{stats.used_heap_size(), stats.total_heap_size(), stats.external_memory(),
                                agent->ArrayBufferBytes()};
  agent->api_->heap_figures(&figures);
}

uint64_t IsolateAgent::ArrayBufferBytes() {
  if (!array_buffers_) return 0;
  // From the event loop's timer, outside any JavaScript: a call into a function that makes no promises and
  // schedules nothing (agent.ts's reader of process.memoryUsage()).
  napi_handle_scope scope;
  if (napi_open_handle_scope(env_, &scope) != napi_ok) return 0;
  uint64_t bytes = 0;
  napi_value reader, global, result;
  double value = 0;
  if (napi_get_reference_value(env_, array_buffers_, &reader) == napi_ok && reader &&
      napi_get_global(env_, &global) == napi_ok &&
      napi_call_function(env_, global, reader, 0, nullptr, &result) == napi_ok &&
      napi_get_value_double(env_, result, &value) == napi_ok && value > 0) {
    bytes = static_cast<uint64_t>(value);
  } else {
    bool pending = false;
    napi_value error;
    if (napi_is_exception_pending(env_, &pending) == napi_ok && pending) {
      napi_get_and_clear_last_exception(env_, &error);
    }
  }
  napi_close_handle_scope(env_, scope);
  return bytes;
}

void IsolateAgent::OnPollTimer(uv_timer_t* timer) {
  auto* agent = static_cast<IsolateAgent*>(timer->data);
  if (agent->sampler_ && !agent->stopped_) agent->sampler_->Poll();
}

void IsolateAgent::OnPollInterrupt(v8::Isolate*, void* data) {
  auto* agent = static_cast<IsolateAgent*>(data);
  if (agent->sampler_ && !agent->stopped_) agent->sampler_->Poll();
}

void IsolateAgent::OnGcStart(v8::Isolate* isolate, v8::GCType, v8::GCCallbackFlags, void* data) {
  auto* agent = static_cast<IsolateAgent*>(data);
  uint32_t token = agent->api_->enter();
  if (agent->api_->version >= 6) agent->api_->collecting(1);
  agent->gc_start_ns_ = agent->api_->now_ns();
  agent->gc_heap_before_ = UsedHeap(isolate);
  agent->api_->leave(token);
}

void IsolateAgent::OnGcEnd(v8::Isolate* isolate, v8::GCType type, v8::GCCallbackFlags, void* data) {
  auto* agent = static_cast<IsolateAgent*>(data);
  if (agent->api_->version >= 6) agent->api_->collecting(0);
  // A collection whose start was not seen (the callbacks were added while it ran) has no duration to give.
  if (agent->gc_start_ns_ == 0) return;
  uint32_t token = agent->api_->enter();
  uint64_t end = agent->api_->now_ns();
  memtrace_gc_event event{agent->gc_start_ns_, end > agent->gc_start_ns_ ? end - agent->gc_start_ns_ : 0,
                          GcKindOf(type), agent->gc_heap_before_, UsedHeap(isolate)};
  agent->gc_start_ns_ = 0;
  agent->api_->gc_event(&event);
  agent->api_->leave(token);
}

void IsolateAgent::OnCleanup(void* arg) { static_cast<IsolateAgent*>(arg)->Shutdown(); }

void IsolateAgent::Shutdown() {
  if (stopped_) return;
  js_poller::remove(this);
  // The isolate goes away with its objects: its live samples are freed, as teardown's frees, after the app's
  // end (AppEnded) at which --leaks takes what the app kept.
  if (sampler_) sampler_->Stop();
  stopped_ = true;
  sampler_.reset();
  if (array_buffers_) napi_delete_reference(env_, array_buffers_);
  array_buffers_ = nullptr;
  isolate_->SetJitCodeEventHandler(v8::kJitCodeEventDefault, nullptr);
  // The isolate's code goes with it (a worker's, while the process goes on).
  if (api_->version >= 4) api_->isolate_ending();
  if (api_->version >= 2) {
    isolate_->RemoveGCPrologueCallback(OnGcStart, this);
    isolate_->RemoveGCEpilogueCallback(OnGcEnd, this);
  }
  for (uv_timer_t* timer : {&memory_timer_, &poll_timer_}) {
    uv_timer_stop(timer);
    uv_close(reinterpret_cast<uv_handle_t*>(timer), nullptr);
  }
}

bool IsolateAgent::Stop(napi_env env, bool restore_flag) {
  void* data = nullptr;
  if (napi_get_instance_data(env, &data) != napi_ok || !data) return false;
  auto* agent = static_cast<IsolateAgent*>(data);
  bool was_running = !agent->stopped_;
  // What the JS heap allocated since the last poll, and the frees of what was collected since.
  if (was_running && agent->sampler_) agent->sampler_->Poll(true);
  uint32_t token = agent->api_->version >= 2 ? agent->api_->enter() : 0;
  if (was_running) {
    napi_remove_env_cleanup_hook(env, OnCleanup, agent);
    agent->Shutdown();
  }
  // Also when the agent stopped itself (the recording was stopped from elsewhere).
  if (restore_flag && agent->main_thread_) v8::V8::SetFlagsFromString("--no-interpreted-frames-native-stack");
  if (agent->api_->version >= 2) agent->api_->leave(token);
  return was_running;
}

}  // namespace memtrace
