// memtrace_addon.node: the JS-facing side of the in-process agent. Its one entry point, start(), is called by
// src/record/agent.ts in every isolate (main thread and workers) before the app's code runs.
#include <dlfcn.h>
#include <napi.h>
#include <string.h>
#include <uv.h>

#include <vector>

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

// Whether `value` is the string "exit".
bool IsExit(napi_env env, napi_value value) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_string) return false;
  char text[8];
  size_t length = 0;
  return napi_get_value_string_utf8(env, value, text, sizeof(text), &length) == napi_ok && length == 4 &&
         memcmp(text, "exit", 4) == 0;
}

// The isolate's process.emit (see WrapEmit): calls the one it replaced, with the same receiver and arguments,
// and once the runtime's own 'exit' (process._exiting set) has been emitted, tells the agent that the app's
// code has ended, also when a listener threw (the exception then goes on to the caller as it came).
napi_value Emit(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  napi_value receiver;
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &argc, nullptr, &receiver, &data) != napi_ok) return nullptr;
  // On the stack for the usual few arguments: an allocation here would be counted as the app's.
  napi_value few[8];
  std::vector<napi_value> many(argc > 8 ? argc : 0);
  napi_value* argv = argc > 8 ? many.data() : few;
  if (argc > 0 && napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  napi_value emit;
  if (napi_get_reference_value(env, static_cast<napi_ref>(data), &emit) != napi_ok || !emit) return nullptr;
  // Read before the listeners run: node sets it just before it emits 'exit' (a listener may throw, and then
  // nothing can be read).
  bool exiting = false;
  if (argc > 0 && IsExit(env, argv[0])) {
    napi_value flag;
    exiting = napi_get_named_property(env, receiver, "_exiting", &flag) == napi_ok &&
              napi_get_value_bool(env, flag, &exiting) == napi_ok && exiting;
  }
  napi_value result = nullptr;
  napi_status status = napi_call_function(env, receiver, emit, argc, argv, &result);
  if (exiting) memtrace::IsolateAgent::AppEnded(env);
  return status == napi_ok ? result : nullptr;
}

// wrapEmit(emit: Function): Function — a process.emit that calls `emit` and marks the end of the app's code
// after the isolate's 'exit' listeners (see agent.ts). A native function, so that it adds no frame to the
// stack traces the app sees.
Napi::Value WrapEmit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) return env.Undefined();
  napi_ref emit = nullptr;
  napi_value wrapper = nullptr;
  // The reference lives as long as the isolate: the wrapper may be called until its very end.
  if (napi_create_reference(env, info[0], 1, &emit) != napi_ok ||
      napi_create_function(env, "emit", NAPI_AUTO_LENGTH, Emit, emit, &wrapper) != napi_ok) {
    return env.Undefined();
  }
  return Napi::Value(env, wrapper);
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
  exports.Set("wrapEmit", Napi::Function::New(env, WrapEmit, "wrapEmit"));
  exports.Set("recording", Napi::Function::New(env, Recording, "recording"));
  exports.Set("onMainThread", Napi::Function::New(env, OnMainThread, "onMainThread"));
  return exports;
}

}  // namespace

NODE_API_MODULE(memtrace_addon, Init)
