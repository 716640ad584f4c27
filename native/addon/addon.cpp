// memtrace_addon.node: the JS-facing side of the in-process agent. Its one entry point, start(), is called by
// src/record/agent.ts in every isolate (main thread and workers) before the app's code runs.
#include <dlfcn.h>
#include <napi.h>
#include <uv.h>

#include "isolate_agent.h"
#include "memtrace/agent_api.h"

namespace {

const memtrace_agent_api* FindInterposer() {
  auto get = reinterpret_cast<memtrace_agent_api_fn>(dlsym(RTLD_DEFAULT, MEMTRACE_AGENT_API_SYMBOL));
  const memtrace_agent_api* api = get ? get() : nullptr;
  return api && api->version >= 1 ? api : nullptr;
}

// start({ mainThread: boolean, workerId: number, arrayBuffers?: () => number }): boolean — whether this
// isolate is now being recorded. arrayBuffers reads the bytes of the isolate's array buffers (Node's
// allocator keeps that count, out of an addon's reach) for the memory timeline.
Napi::Value Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const memtrace_agent_api* api = FindInterposer();
  if (!api || info.Length() < 1 || !info[0].IsObject()) return Napi::Boolean::New(env, false);
  Napi::Object options = info[0].As<Napi::Object>();
  bool main_thread = options.Get("mainThread").ToBoolean();
  Napi::Value id = options.Get("workerId");
  uint32_t worker_id = id.IsNumber() ? id.As<Napi::Number>().Uint32Value() : 0;
  Napi::Value array_buffers = options.Get("arrayBuffers");
  napi_value reader = array_buffers.IsFunction() ? static_cast<napi_value>(array_buffers) : nullptr;
  return Napi::Boolean::New(env, memtrace::IsolateAgent::Start(env, api, main_thread, worker_id, reader));
}

// atExit(): void — the process is exiting: a last poll of this isolate's JS heap.
Napi::Value AtExit(const Napi::CallbackInfo& info) {
  memtrace::IsolateAgent::AtExit(info.Env());
  return info.Env().Undefined();
}

// onMainThread(): boolean — whether the calling isolate is Node's main thread (the one that runs the
// default libuv loop), without loading worker_threads, which costs the main thread's start-up ~3 ms.
Napi::Value OnMainThread(const Napi::CallbackInfo& info) {
  uv_loop_t* loop = nullptr;
  bool main = napi_get_uv_event_loop(info.Env(), &loop) == napi_ok && loop == uv_default_loop();
  return Napi::Boolean::New(info.Env(), main);
}

// recording(): boolean — whether the interposer is recording this process.
Napi::Value Recording(const Napi::CallbackInfo& info) {
  const memtrace_agent_api* api = FindInterposer();
  return Napi::Boolean::New(info.Env(), api && api->recording());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("start", Napi::Function::New(env, Start, "start"));
  exports.Set("atExit", Napi::Function::New(env, AtExit, "atExit"));
  exports.Set("recording", Napi::Function::New(env, Recording, "recording"));
  exports.Set("onMainThread", Napi::Function::New(env, OnMainThread, "onMainThread"));
  return exports;
}

}  // namespace

NODE_API_MODULE(memtrace_addon, Init)
