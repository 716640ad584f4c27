// The agent of one V8 isolate (the main thread's, or a worker's): it reports the isolate's generated code to
// the interposer (so JS frames get names), samples its heap figures, reports its garbage collections, and
// runs V8's sampling heap profiler (js_heap_sampler.h). One is started in every isolate by
// src/record/agent.ts, and stopped when the isolate's environment is torn down.
#ifndef MEMTRACE_ADDON_ISOLATE_AGENT_H_
#define MEMTRACE_ADDON_ISOLATE_AGENT_H_

#include <node_api.h>
#include <uv.h>
#include <v8.h>

#include <memory>

#include "js_heap_sampler.h"
#include "memtrace/agent_api.h"

namespace memtrace {

class IsolateAgent {
 public:
  // Starts the agent for the calling thread's isolate. Returns false if the process is not being recorded.
  // `array_buffers`: a JS function returning the isolate's array buffer bytes, or nullptr.
  static bool Start(napi_env env, const memtrace_agent_api* api, bool main_thread, uint32_t worker_id,
                    napi_value array_buffers);
  // The app's code in the calling thread's isolate has ended (its 'exit' listeners have run) and teardown has
  // not begun: a last poll of the JS heap, so that the capture holds what was allocated since the previous
  // one, then the capture's APP_ENDED. Once per isolate.
  static void AppEnded(napi_env env);
  // Stops the calling isolate's agent before its environment ends (track()'s stop): a last poll of the JS
  // heap, then every V8 callback and timer removed. With `restore_flag`, V8's
  // --interpreted-frames-native-stack is turned off again (the agent turned it on). Returns whether an agent
  // was running.
  static bool Stop(napi_env env, bool restore_flag);

 private:
  IsolateAgent(v8::Isolate* isolate, const memtrace_agent_api* api, bool main_thread)
      : isolate_(isolate), api_(api), main_thread_(main_thread) {}
  void StartJsHeap();
  uint64_t ArrayBufferBytes();
  static void OnCodeEvent(const v8::JitCodeEvent* event);
  static void OnMemoryTimer(uv_timer_t* timer);
  static void OnPollTimer(uv_timer_t* timer);
  static void OnPollInterrupt(v8::Isolate* isolate, void* data);
  static void OnGcStart(v8::Isolate* isolate, v8::GCType type, v8::GCCallbackFlags flags, void* data);
  static void OnGcEnd(v8::Isolate* isolate, v8::GCType type, v8::GCCallbackFlags flags, void* data);
  static void OnCleanup(void* arg);
  // Removes the agent's callbacks and timers; it is stopped for good.
  void Shutdown();

  v8::Isolate* isolate_;
  const memtrace_agent_api* api_;
  bool main_thread_;
  uv_timer_t memory_timer_{};
  napi_env env_ = nullptr;
  napi_ref array_buffers_ = nullptr;
  uv_timer_t poll_timer_{};
  std::unique_ptr<JsHeapSampler> sampler_;
  // Set when the isolate's environment is torn down. The agent itself is never freed: an interrupt requested
  // before the poller forgot it may still run (js_poller.h), and finds it stopped.
  bool stopped_ = false;
  bool app_ended_ = false;
  // Heap figures are reported at the memory timer's ticks; without them it still ticks, to notice that the
  // recording stopped (memtrace detach, a reader gone).
  bool report_figures_ = false;
  // The garbage collection under way (GC callbacks do not nest).
  uint64_t gc_start_ns_ = 0;
  uint64_t gc_heap_before_ = 0;
};

}  // namespace memtrace

#endif  // MEMTRACE_ADDON_ISOLATE_AGENT_H_
