// Recording from inside the process (src/track/): loads the interposer with dlopen (it was not preloaded),
// and starts and stops its runtime recorder (native/preload/runtime.h) through the agent API's table.
// Written to Node-API's C interface.
#include "runtime_control.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <atomic>
#include <string>

namespace memtrace::runtime_control {

namespace {

std::atomic<const memtrace_agent_api*> g_api{nullptr};

napi_value Value(napi_env env, const char* text) {
  napi_value v = nullptr;
  if (text) {
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
  } else {
    napi_get_null(env, &v);
  }
  return v;
}

napi_value Number(napi_env env, double n) {
  napi_value v = nullptr;
  napi_create_double(env, n, &v);
  return v;
}

std::string StringArg(napi_env env, napi_value value) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, nullptr, 0, &length) != napi_ok) return "";
  std::string s(length, '\0');
  napi_get_value_string_utf8(env, value, s.data(), length + 1, &length);
  return s;
}

double NumberProperty(napi_env env, napi_value object, const char* name) {
  napi_value v;
  double n = 0;
  if (napi_get_named_property(env, object, name, &v) == napi_ok) napi_get_value_double(env, v, &n);
  return n > 0 ? n : 0;
}

std::string StringProperty(napi_env env, napi_value object, const char* name) {
  napi_value v;
  napi_valuetype type;
  if (napi_get_named_property(env, object, name, &v) != napi_ok || napi_typeof(env, v, &type) != napi_ok ||
      type != napi_string) {
    return "";
  }
  return StringArg(env, v);
}

// The table of the interposer at `path`, loaded if need be. RTLD_LOCAL: its malloc and friends must not enter
// the global scope, where libraries loaded later would bind to them for good.
const memtrace_agent_api* Load(const std::string& path, std::string& error) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    error = std::string("cannot load memtrace's interposer: ") + (why ? why : path);
    return nullptr;
  }
  auto get = reinterpret_cast<memtrace_agent_api_fn>(dlsym(handle, MEMTRACE_AGENT_API_SYMBOL));
  const memtrace_agent_api* api = get ? get() : nullptr;
  if (!api || api->version < 5) {
    error = "memtrace's interposer at " + path + " is older than this agent: reinstall memtrace";
    return nullptr;
  }
  return api;
}

// start(library: string, settings: object): string | null — the error, or null once recording.
napi_value Start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 2) {
    return Value(env, "start(library, settings)");
  }
  std::string error;
  const memtrace_agent_api* api = Load(StringArg(env, argv[0]), error);
  if (!api) return Value(env, error.c_str());
  g_api.store(api, std::memory_order_release);
  napi_value o = argv[1];
  std::string output = StringProperty(env, o, "output");
  std::string node_version = StringProperty(env, o, "nodeVersion");
  std::string v8_version = StringProperty(env, o, "v8Version");
  std::string agent = StringProperty(env, o, "agent");
  napi_value socket_value;
  bool socket = false;
  if (napi_get_named_property(env, o, "socket", &socket_value) == napi_ok) {
    napi_get_value_bool(env, socket_value, &socket);
  }
  memtrace_runtime_settings s{};
  s.output = output.c_str();
  s.socket = socket ? 1 : 0;
  s.max_stack_depth = static_cast<uint32_t>(NumberProperty(env, o, "stackDepth"));
  s.memory_interval_ns = static_cast<uint64_t>(NumberProperty(env, o, "memoryIntervalMs") * 1e6);
  s.events_per_clock_read = static_cast<uint32_t>(NumberProperty(env, o, "eventsPerClockRead"));
  s.js_interval_bytes = static_cast<uint64_t>(NumberProperty(env, o, "jsInterval"));
  double hz = NumberProperty(env, o, "jsPollHz");
  s.js_poll_interval_ns = hz > 0 ? static_cast<uint64_t>(1e9 / hz) : 0;
  s.js_keep_collected = NumberProperty(env, o, "jsAll") > 0 ? 1 : 0;
  s.node_version = node_version.c_str();
  s.v8_version = v8_version.c_str();
  s.agent = agent.c_str();
  memtrace_runtime_more more{};
  more.size = sizeof(more);
  more.paired = static_cast<uint32_t>(NumberProperty(env, o, "paired"));
  char message[512] = {0};
  // An interposer older than version 8 records unpaired: its Header says version 1, which every reader reads.
  int failed = api->version >= 8 ? api->runtime_start_more(&s, &more, message, sizeof(message))
                                 : api->runtime_start(&s, message, sizeof(message));
  if (failed != 0) return Value(env, message);
  return Value(env, nullptr);
}

// stop(): void — stops a recording start() began (nothing if none runs).
napi_value Stop(napi_env, napi_callback_info) {
  const memtrace_agent_api* api = g_api.load(std::memory_order_acquire);
  if (api) api->runtime_stop();
  return nullptr;
}

// state(library: string): number — memtrace_runtime_state: 0 idle, 1 recording, 2 preloaded (memtrace
// record). Looks without loading anything.
napi_value State(napi_env env, napi_callback_info) {
  auto preloaded = reinterpret_cast<memtrace_agent_api_fn>(dlsym(RTLD_DEFAULT, MEMTRACE_AGENT_API_SYMBOL));
  if (preloaded) return Number(env, MEMTRACE_RUNTIME_PRELOADED);
  const memtrace_agent_api* api = g_api.load(std::memory_order_acquire);
  return Number(env, api ? api->runtime_state() : MEMTRACE_RUNTIME_IDLE);
}

}  // namespace

const memtrace_agent_api* Api() { return g_api.load(std::memory_order_acquire); }

void Register(napi_env env, napi_value exports) {
  napi_value object;
  if (napi_create_object(env, &object) != napi_ok) return;
  napi_property_descriptor functions[] = {
      {"start", nullptr, Start, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"stop", nullptr, Stop, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"state", nullptr, State, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, object, sizeof(functions) / sizeof(functions[0]), functions);
  napi_set_named_property(env, exports, "runtime", object);
}

}  // namespace memtrace::runtime_control
