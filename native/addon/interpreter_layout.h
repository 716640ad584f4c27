// Measures, at the agent's start, where V8's interpreter keeps what says which bytecode a frame runs
// (native/preload/interpreter_frames.h), on the stack the agent's start was called from: the JS that called
// it runs in the interpreter. The code V8 reports as the agent starts gives the interpreter's entry and the
// bytecode arrays; a frame whose return address lies in that entry, and whose slots point into one of those
// arrays, gives the measure. Any other layout (another V8, another architecture) gives none, and interpreted
// frames keep their function's first line.
#ifndef MEMTRACE_ADDON_INTERPRETER_LAYOUT_H_
#define MEMTRACE_ADDON_INTERPRETER_LAYOUT_H_

#include <v8.h>

#include "memtrace/agent_api.h"

namespace memtrace::interpreter_layout {

// While V8 reports the existing code on this thread: keeps what the measure needs.
void OnExistingCode(const v8::JitCodeEvent* event);
// Measures on the calling thread's stack and forgets what OnExistingCode kept. False if it found nothing.
bool Measure(memtrace_interpreter_frames& out, uint64_t& entry_start);
// Whether a JIT code event is the interpreter's entry or a copy of it.
bool IsInterpreterEntry(const v8::JitCodeEvent* event);

}  // namespace memtrace::interpreter_layout

#endif  // MEMTRACE_ADDON_INTERPRETER_LAYOUT_H_
