// How V8 reports its generated code through the JIT code event API, counted in a running process: a small
// addon for bench/record/code-events.ts (built by it against each node's headers). It sets the flag
// memtrace's agent sets (--interpreted-frames-native-stack) and keeps its own map of the code V8 reported, as
// the recorder does, to count how often new code takes the place of code that was there, by tier. At exit it
// writes one
// "<count> <what>" line per count to $PROBE_OUT.
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <v8.h>

#include <iterator>
#include <map>
#include <mutex>
#include <string>

namespace {

struct Code {
  uint64_t end;
  std::string kind;
};

std::mutex g_mutex;
std::map<uint64_t, Code> g_code;
std::map<std::string, long> g_counts;
// While V8 reports the code that existed when the handler was set.
bool g_existing = false;

// "JS:~name file:1:2" -> "JS~": V8's tag and tier marker (~ interpreted, ^ Sparkplug, + Maglev, * TurboFan).
std::string KindOf(const char* name, size_t length) {
  std::string s(name, length);
  size_t colon = s.find(':');
  if (colon == std::string::npos) return "?";
  char marker = colon + 1 < s.size() ? s[colon + 1] : 0;
  return s.substr(0, colon) + (marker && strchr("~^+*", marker) ? std::string(1, marker) : "");
}

void Count(const std::string& what) { g_counts[what]++; }

// Drops the code overlapping [start, end), counting what replaced what.
void Replace(uint64_t start, uint64_t end, const std::string& by) {
  auto it = g_code.lower_bound(start);
  if (it != g_code.begin() && std::prev(it)->second.end > start) --it;
  while (it != g_code.end() && it->first < end) {
    Count("replaced: " + it->second.kind + " by " + by);
    it = g_code.erase(it);
  }
}

void OnEvent(const v8::JitCodeEvent* e) {
  std::lock_guard<std::mutex> lock(g_mutex);
  const bool bytecode = e->code_type == v8::JitCodeEvent::BYTE_CODE;
  const std::string type = bytecode ? "bytecode" : "code";
  auto start = reinterpret_cast<uint64_t>(e->code_start);
  switch (e->type) {
    case v8::JitCodeEvent::CODE_ADDED: {
      std::string kind = KindOf(e->name.str, e->name.len);
      Count((g_existing ? "existing " : "added ") + type + " " + kind);
      if (bytecode) break;
      Replace(start, start + e->code_len, kind);
      g_code[start] = Code{start + e->code_len, kind};
      break;
    }
    case v8::JitCodeEvent::CODE_MOVED: {
      Count("moved " + type);
      if (bytecode) break;
      auto it = g_code.find(start);
      Code moved = it != g_code.end() ? it->second : Code{0, "unknown"};
      if (it != g_code.end()) g_code.erase(it);
      auto to = reinterpret_cast<uint64_t>(e->new_code_start);
      Replace(to, to + e->code_len, "moved " + moved.kind);
      g_code[to] = Code{to + e->code_len, moved.kind};
      Count("moved " + moved.kind);
      break;
    }
    case v8::JitCodeEvent::CODE_REMOVED:
      Count("removed " + type);
      break;
    case v8::JitCodeEvent::CODE_END_LINE_INFO_RECORDING:
      Count("line info for " + type);
      break;
    default:
      break;
  }
}

void WriteCounts() {
  std::lock_guard<std::mutex> lock(g_mutex);
  const char* path = getenv("PROBE_OUT");
  FILE* out = path ? fopen(path, "w") : nullptr;
  if (!out) return;
  for (const auto& [what, count] : g_counts) fprintf(out, "%ld %s\n", count, what.c_str());
  fclose(out);
}

napi_value Start(napi_env, napi_callback_info) {
  v8::V8::SetFlagsFromString("--interpreted-frames-native-stack");
  g_existing = true;
  v8::Isolate::GetCurrent()->SetJitCodeEventHandler(v8::kJitCodeEventEnumExisting, OnEvent);
  g_existing = false;
  atexit(WriteCounts);
  return nullptr;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_value start;
  napi_create_function(env, "start", NAPI_AUTO_LENGTH, Start, nullptr, &start);
  napi_set_named_property(env, exports, "start", start);
  return exports;
}
