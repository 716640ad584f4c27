// The agent of one V8 isolate (the main thread's, or a worker's): it reports the isolate's generated code to
// the interposer (so JS frames get names) and samples its heap figures. One is started in every isolate by
// src/record/agent.ts, and stopped when the isolate's environment is torn down.
//
// Issue 4 hangs V8's sampling heap profiler here too: the timer that samples heap figures is where the
// allocation profile will be polled, through the same interposer API.
#ifndef MEMTRACE_ADDON_ISOLATE_AGENT_H_
#define MEMTRACE_ADDON_ISOLATE_AGENT_H_

#include <node_api.h>
#include <uv.h>
#include <v8.h>

#include "memtrace/agent_api.h"

namespace memtrace {

class IsolateAgent {
 public:
  // Starts the agent for the calling thread's isolate. Returns false if the process is not being recorded.
  static bool Start(napi_env env, const memtrace_agent_api* api, bool main_thread, uint32_t worker_id);

 private:
  IsolateAgent(v8::Isolate* isolate, const memtrace_agent_api* api) : isolate_(isolate), api_(api) {}
  static void OnCodeEvent(const v8::JitCodeEvent* event);
  static void OnTimer(uv_timer_t* timer);
  static void OnCleanup(void* arg);

  v8::Isolate* isolate_;
  const memtrace_agent_api* api_;
  uv_timer_t timer_{};
};

}  // namespace memtrace

#endif  // MEMTRACE_ADDON_ISOLATE_AGENT_H_
