// The JS functions that V8's sampling heap profiler names in its samples' stacks, interned for the process.
// Such frames have no instruction address, so each function gets a frame key instead: a value that no code
// address can take (bit 63 set), which StackTables interns like an address, so that JS sample stacks share
// the id space of native stacks. The writer thread turns a key back into its function (Resolver) and writes
// the frame with address 0, as the format asks of frames without one.
#ifndef MEMTRACE_PRELOAD_JS_FUNCTIONS_H_
#define MEMTRACE_PRELOAD_JS_FUNCTIONS_H_

#include <pthread.h>
#include <stdint.h>

#include <string>
#include <unordered_map>
#include <vector>

namespace memtrace {

constexpr uint64_t kJsFrameKeyBit = 1ull << 63;
inline bool is_js_frame_key(uint64_t address) { return (address & kJsFrameKeyBit) != 0; }

struct JsFunction {
  std::string name;
  std::string script;
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t kind = 0;  // FunctionKind
};

class JsFunctions {
 public:
  // The frame key of `f`, the same for equal functions.
  uint64_t intern(JsFunction f);
  // The function of a frame key; false for a key never given out.
  bool find(uint64_t key, JsFunction& out);

 private:
  // Kept across fork: a key names the same function in every scope. (Only an isolate's thread interns, and
  // V8 does not survive fork(): a child never uses what a parent's thread may have held locked.)
  pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
  std::unordered_map<std::string, uint64_t> keys_;
  std::vector<JsFunction> functions_;
};

JsFunctions& js_functions();

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_JS_FUNCTIONS_H_
