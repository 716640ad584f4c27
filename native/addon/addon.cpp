// memtrace-agent-v8-<major>.<minor>.node: the JS-facing side of the in-process agent, written to Node-API's C
// interface (node_api.h, stable across releases). Its one entry point, start(), is called by
// src/record/agent.ts in every isolate (main thread and workers) before the app's code runs.
//
// Built once per V8 line: the interposer loads the one for the running V8 (preload/agent_select.h), and this
// file checks once more, before any other V8 call, that the V8 it was built for is the one it runs in.
#include <dlfcn.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <v8-version.h>
#include <v8.h>

#include <vector>

#include "isolate_agent.h"
#include "memtrace/agent_api.h"
#include "runtime_control.h"

namespace {

// The table of the interposer this addon loaded to record from inside the process (runtime_control.h), or the
// preloaded one's. (The first is looked at first: a failed dlsym allocates its error message, in the window.)
const memtrace_agent_api* FindInterposer() {
  const memtrace_agent_api* api = memtrace::runtime_control::Api();
  if (!api) {
    auto get = reinterpret_cast<memtrace_agent_api_fn>(dlsym(RTLD_DEFAULT, MEMTRACE_AGENT_API_SYMBOL));
    api = get ? get() : nullptr;
  }
  return api && api->version >= 1 ? api : nullptr;
}

// Whether the running V8 is of the line these headers are: "13.6.233.17-node.37" for 13.6.
bool SameV8Line() {
  const char* version = v8::V8::GetVersion();
  char* end = nullptr;
  long major = strtol(version, &end, 10);
  if (end == version || *end != '.') return false;
  long minor = strtol(end + 1, &end, 10);
  return major == V8_MAJOR_VERSION && minor == V8_MINOR_VERSION;
}

napi_value Boolean(napi_env env, bool value) {
  napi_value result = nullptr;
  napi_get_boolean(env, value, &result);
  return result;
}

napi_value Property(napi_env env, napi_value object, const char* name) {
  napi_value value = nullptr;
  if (napi_get_named_property(env, object, name, &value) != napi_ok) return nullptr;
  return value;
}

bool IsType(napi_env env, napi_value value, napi_valuetype type) {
  napi_valuetype actual;
  return value && napi_typeof(env, value, &actual) == napi_ok && actual == type;
}

// Tells the interposer the app's name for the calling thread's isolate, if it has one (a worker's `name`).
void NameThread(napi_env env, const memtrace_agent_api* api, napi_value name) {
  if (api->version < 7 || !IsType(env, name, napi_string)) return;
  // V8 writes whole characters only: a cut name is still UTF-8.
  char text[MEMTRACE_THREAD_NAME_MAX + 1];
  size_t length = 0;
  if (napi_get_value_string_utf8(env, name, text, sizeof(text), &length) != napi_ok || length == 0) return;
  api->thread_name(text, length);
}

// start({ mainThread: boolean, workerId: number, threadName?: string, arrayBuffers?: () => number }): boolean
// — whether this isolate is now being recorded. arrayBuffers reads the bytes of the isolate's array buffers
// (Node's allocator keeps that count, out of an addon's reach) for the memory timeline.
napi_value Start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value options = nullptr;
  const memtrace_agent_api* api = FindInterposer();
  if (!api || napi_get_cb_info(env, info, &argc, &options, nullptr, nullptr) != napi_ok || argc < 1 ||
      !IsType(env, options, napi_object)) {
    return Boolean(env, false);
  }
  bool main_thread = false;
  napi_value main = Property(env, options, "mainThread");
  if (IsType(env, main, napi_boolean)) napi_get_value_bool(env, main, &main_thread);
  uint32_t worker_id = 0;
  napi_value id = Property(env, options, "workerId");
  if (IsType(env, id, napi_number)) napi_get_value_uint32(env, id, &worker_id);
  napi_value reader = Property(env, options, "arrayBuffers");
  if (!IsType(env, reader, napi_function)) reader = nullptr;
  NameThread(env, api, Property(env, options, "threadName"));
  return Boolean(env, memtrace::IsolateAgent::Start(env, api, main_thread, worker_id, reader));
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
napi_value WrapEmit(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value emit_function = nullptr;
  if (napi_get_cb_info(env, info, &argc, &emit_function, nullptr, nullptr) != napi_ok || argc < 1 ||
      !IsType(env, emit_function, napi_function)) {
    return nullptr;
  }
  napi_ref emit = nullptr;
  napi_value wrapper = nullptr;
  // The reference lives as long as the isolate: the wrapper may be called until its very end.
  if (napi_create_reference(env, emit_function, 1, &emit) != napi_ok ||
      napi_create_function(env, "emit", NAPI_AUTO_LENGTH, Emit, emit, &wrapper) != napi_ok) {
    return nullptr;
  }
  return wrapper;
}

// onMainThread(): boolean — whether the calling isolate is Node's main thread (the one that runs the
// default libuv loop), without loading worker_threads, which costs the main thread's start-up ~3 ms.
napi_value OnMainThread(napi_env env, napi_callback_info) {
  uv_loop_t* loop = nullptr;
  return Boolean(env, napi_get_uv_event_loop(env, &loop) == napi_ok && loop == uv_default_loop());
}

// stop(restoreFlag: boolean): boolean — stops the calling isolate's agent (see IsolateAgent::Stop).
napi_value Stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value flag = nullptr;
  bool restore = false;
  if (napi_get_cb_info(env, info, &argc, &flag, nullptr, nullptr) == napi_ok && argc > 0) {
    napi_value coerced;
    if (napi_coerce_to_bool(env, flag, &coerced) == napi_ok) napi_get_value_bool(env, coerced, &restore);
  }
  return Boolean(env, memtrace::IsolateAgent::Stop(env, restore));
}

// recording(): boolean — whether the interposer is recording this process.
napi_value Recording(napi_env env, napi_callback_info) {
  const memtrace_agent_api* api = FindInterposer();
  return Boolean(env, api && api->recording());
}

}  // namespace

// An agent loaded into another V8 line (which the interposer never picks) exports nothing: agent.ts finds no
// start() and the app runs without it.
NAPI_MODULE_INIT() {
  if (!SameV8Line()) return exports;
  napi_property_descriptor functions[] = {
      {"start", nullptr, Start, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"wrapEmit", nullptr, WrapEmit, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"recording", nullptr, Recording, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"onMainThread", nullptr, OnMainThread, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"stop", nullptr, Stop, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(functions) / sizeof(functions[0]), functions);
  memtrace::runtime_control::Register(env, exports);
  return exports;
}
