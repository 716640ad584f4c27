#include "interpreter_layout.h"

#include <pthread.h>
#include <string.h>

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

namespace memtrace::interpreter_layout {

namespace {

constexpr std::string_view kEntryName = "Builtin:InterpreterEntryTrampoline";
// Where V8's interpreter keeps them on x64 from V8 11.3 to 14.6 (its UnoptimizedFrameConstants): below the
// frame pointer, the context, the function, the argument count, then the bytecode array and the offset.
// Measure() refuses a frame that does not hold them there (arm64 is untested: its return addresses may carry
// a pointer authentication code, which Measure does not strip, so it finds no frame there).
constexpr int32_t kArraySlot = -4;
constexpr int32_t kOffsetSlot = -5;

thread_local uint64_t t_entry_start = 0;
thread_local uint64_t t_entry_size = 0;
thread_local std::vector<std::pair<uint64_t, uint64_t>>* t_bytecode = nullptr;

}  // namespace

bool IsInterpreterEntry(const v8::JitCodeEvent* event) {
  if (event->code_type != v8::JitCodeEvent::JIT_CODE || !event->name.str) return false;
  std::string_view name(event->name.str, event->name.len);
  if (name == kEntryName) return true;
  // "JS:~f file:1:2", "Eval:~ file:1:1": an interpreted function's copy of the entry.
  size_t colon = name.find(':');
  return colon != std::string_view::npos && colon + 1 < name.size() && name[colon + 1] == '~';
}

void OnExistingCode(const v8::JitCodeEvent* event) {
  if (event->type != v8::JitCodeEvent::CODE_ADDED) return;
  auto start = reinterpret_cast<uint64_t>(event->code_start);
  if (event->code_type == v8::JitCodeEvent::BYTE_CODE) {
    if (!t_bytecode) t_bytecode = new std::vector<std::pair<uint64_t, uint64_t>>();
    t_bytecode->emplace_back(start, start + event->code_len);
  } else if (event->name.str && std::string_view(event->name.str, event->name.len) == kEntryName) {
    t_entry_start = start;
    t_entry_size = event->code_len;
  }
}

bool Measure(memtrace_interpreter_frames& out, uint64_t& entry_start) {
  std::vector<std::pair<uint64_t, uint64_t>>* bytecode = t_bytecode;
  t_bytecode = nullptr;
  bool found = false;
  pthread_attr_t attr;
  void* stack_addr = nullptr;
  size_t stack_size = 0;
  if (bytecode && t_entry_start && pthread_getattr_np(pthread_self(), &attr) == 0) {
    pthread_attr_getstack(&attr, &stack_addr, &stack_size);
    pthread_attr_destroy(&attr);
    std::sort(bytecode->begin(), bytecode->end());
    auto low = reinterpret_cast<uintptr_t>(stack_addr), high = low + stack_size;
    auto fp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    // Up the frame pointers to the first frame that returns into the entry (node keeps frame pointers).
    for (int depth = 0; depth < 64 && !found; depth++) {
      if (fp < low || fp + 16 > high || (fp & 7)) break;
      auto* frame = reinterpret_cast<const uintptr_t*>(fp);
      uintptr_t next = frame[0], ret = frame[1];
      if (next <= fp) break;
      if (ret > t_entry_start && ret < t_entry_start + t_entry_size) {
        if (next + 16 > high || next - fp < 16 + 8 * -kOffsetSlot) break;
        auto* caller = reinterpret_cast<const intptr_t*>(next);
        auto array = static_cast<uint64_t>(caller[kArraySlot]);
        intptr_t word = caller[kOffsetSlot];
        if ((array & 3) != 1 || (word & 0xffffffff) != 0) break;
        uint64_t at = array + static_cast<uint64_t>(word >> 32);  // the current bytecode
        auto in = std::upper_bound(bytecode->begin(), bytecode->end(), std::make_pair(at, ~uint64_t{0}));
        if (in == bytecode->begin() || at >= std::prev(in)->second) break;
        out.return_offset = static_cast<uint32_t>(ret - t_entry_start);
        out.entry_size = static_cast<uint32_t>(t_entry_size);
        out.array_slot = kArraySlot;
        out.offset_slot = kOffsetSlot;
        out.first_bytecode = static_cast<int64_t>(std::prev(in)->first - array);
        entry_start = t_entry_start;
        found = true;
      }
      fp = next;
    }
  }
  delete bytecode;
  t_entry_start = t_entry_size = 0;
  return found;
}

}  // namespace memtrace::interpreter_layout
