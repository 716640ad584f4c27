// The lines of optimised code and of bytecode. Before V8 adds TurboFan code it reports the script offset at
// which each of its instructions begins (the CODE_*_LINE_INFO events), and before it adds bytecode, the
// script offset of each bytecode offset; when the code is added, those offsets become lines and columns of
// the function's script (JitCodeEvent::script), so that a frame in the code can carry the line of its call.
// Sparkplug and Maglev code come without such events (docs/js-frames.md).
#ifndef MEMTRACE_ADDON_CODE_LINES_H_
#define MEMTRACE_ADDON_CODE_LINES_H_

#include <v8.h>

#include <vector>

#include "memtrace/agent_api.h"

namespace memtrace::code_lines {

using Positions = std::vector<memtrace_code_position>;

// CODE_START_LINE_INFO_RECORDING, CODE_ADD_LINE_POS_INFO, CODE_END_LINE_INFO_RECORDING of JIT code.
void OnLineInfo(const memtrace_agent_api* api, const v8::JitCodeEvent* event);
// At CODE_ADDED: the positions reported for the code, in increasing offset, or none. For machine code only
// while inlining is limited: in code with inlined functions, V8 gives the offsets without saying which
// function's script each belongs to.
Positions TakeFor(const memtrace_agent_api* api, const v8::JitCodeEvent* event);

}  // namespace memtrace::code_lines

#endif  // MEMTRACE_ADDON_CODE_LINES_H_
