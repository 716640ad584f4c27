#include "js_functions.h"

#include <new>

namespace memtrace {

uint64_t JsFunctions::intern(JsFunction f) {
  std::string key = f.name;
  key += '\0';
  key += f.script;
  key += '\0';
  key += std::to_string(f.line) + ':' + std::to_string(f.column) + ':' + std::to_string(f.kind);
  pthread_mutex_lock(&mutex_);
  uint64_t id = 0;
  auto it = keys_.find(key);
  if (it != keys_.end()) {
    id = it->second;
  } else {
    functions_.push_back(std::move(f));
    id = kJsFrameKeyBit | functions_.size();  // never 0: indices count from 1
    keys_.emplace(std::move(key), id);
  }
  pthread_mutex_unlock(&mutex_);
  return id;
}

bool JsFunctions::find(uint64_t key, JsFunction& out) {
  uint64_t index = key & ~kJsFrameKeyBit;
  pthread_mutex_lock(&mutex_);
  bool found = is_js_frame_key(key) && index >= 1 && index <= functions_.size();
  if (found) out = functions_[index - 1];
  pthread_mutex_unlock(&mutex_);
  return found;
}

JsFunctions& js_functions() {
  // Never destroyed: the writer's last round runs inside exit(), after static destructors.
  alignas(JsFunctions) static unsigned char storage[sizeof(JsFunctions)];
  static JsFunctions* functions = new (storage) JsFunctions();
  return *functions;
}

}  // namespace memtrace
