#include "code_lines.h"

#include <stdint.h>

#include <algorithm>
#include <unordered_map>
#include <utility>

namespace memtrace::code_lines {

namespace {

struct Offsets {
  // (instruction offset, script offset), in V8's order (increasing instruction offset).
  std::vector<std::pair<uint32_t, int>> rows;
};

// Tables reported and not yet claimed by their CODE_ADDED, by code start. V8 reports a code's lines just
// before adding it, on the same thread, so few wait at a time; a table whose code never came is dropped.
thread_local std::vector<std::pair<uint64_t, Offsets*>> t_waiting;
constexpr size_t kMaxWaiting = 8;

// Bytecode's positions are its function's own; optimised code's, only while inlining is limited.
bool Wanted(const memtrace_agent_api* api, const v8::JitCodeEvent* event) {
  return event->code_type == v8::JitCodeEvent::BYTE_CODE || api->limit_inlining();
}

}  // namespace

void OnLineInfo(const memtrace_agent_api* api, const v8::JitCodeEvent* event) {
  auto* offsets = static_cast<Offsets*>(event->user_data);
  switch (event->type) {
    case v8::JitCodeEvent::CODE_START_LINE_INFO_RECORDING:
      // V8 hands user_data on to the rest of this code's line events, and leaves it uninitialised.
      const_cast<v8::JitCodeEvent*>(event)->user_data = Wanted(api, event) ? new Offsets() : nullptr;
      break;
    case v8::JitCodeEvent::CODE_ADD_LINE_POS_INFO:
      // POSITION is the expression's, STATEMENT_POSITION its statement's: the first is the call's own.
      if (offsets && event->line_info.position_type == v8::JitCodeEvent::POSITION) {
        offsets->rows.emplace_back(static_cast<uint32_t>(event->line_info.offset),
                                   static_cast<int>(event->line_info.pos));
      }
      break;
    case v8::JitCodeEvent::CODE_END_LINE_INFO_RECORDING:
      if (!offsets) break;
      if (t_waiting.size() >= kMaxWaiting) {
        for (auto& w : t_waiting) delete w.second;
        t_waiting.clear();
      }
      t_waiting.emplace_back(reinterpret_cast<uint64_t>(event->code_start), offsets);
      break;
    default:
      break;
  }
}

Positions TakeFor(const memtrace_agent_api* api, const v8::JitCodeEvent* event) {
  Positions out;
  auto start = reinterpret_cast<uint64_t>(event->code_start);
  auto it = std::find_if(t_waiting.begin(), t_waiting.end(), [&](const auto& w) { return w.first == start; });
  if (it == t_waiting.end()) return out;
  Offsets* offsets = it->second;
  t_waiting.erase(it);
  if (!event->script.IsEmpty() && Wanted(api, event)) {
    // V8 computed the script's line ends to name the code: these look-ups allocate nothing.
    v8::HandleScope scope(event->isolate);
    v8::Local<v8::UnboundScript> script = event->script;
    std::unordered_map<int, std::pair<uint32_t, uint32_t>> seen;
    for (const auto& [offset, position] : offsets->rows) {
      auto found = seen.find(position);
      if (found == seen.end()) {
        int line = script->GetLineNumber(position);
        int column = script->GetColumnNumber(position);
        std::pair<uint32_t, uint32_t> at{line >= 0 ? static_cast<uint32_t>(line) + 1 : 0,
                                         column >= 0 ? static_cast<uint32_t>(column) + 1 : 0};
        found = seen.emplace(position, at).first;
      }
      const auto& [line, column] = found->second;
      if (!out.empty() && out.back().line == line && out.back().column == column) continue;
      if (!out.empty() && out.back().offset == offset) out.pop_back();
      out.push_back({offset, line, column});
    }
  }
  delete offsets;
  return out;
}

}  // namespace memtrace::code_lines
