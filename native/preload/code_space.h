// The code of the app's isolates as it is now, kept on the isolates' own threads as V8 reports it: before new
// code can run, the frames seen where it goes are retired (StackTables::retire_frames), so that no frame id
// names both the code that was there and the code that is. The writer's Resolver keeps the history of the
// same events, to name each frame by the code that was at its address when it was seen.
#ifndef MEMTRACE_PRELOAD_CODE_SPACE_H_
#define MEMTRACE_PRELOAD_CODE_SPACE_H_

#include <stddef.h>
#include <stdint.h>

#include <vector>

#include "interpreter_frames.h"

namespace memtrace::code_space {

struct Span {
  uint64_t start;
  uint64_t size;
};

// `owner` is the tid of the isolate's thread that reported the code. Code another isolate reports again as it
// is (V8's embedded builtins, which every isolate reports at the same place) replaces nothing, and stays when
// an isolate that reported it ends.
// `interpreter_entry`: the code is the interpreter's entry or a copy of it (interpreter_frames.h).
void added(uint32_t owner, uint64_t start, uint64_t size, const char* name, size_t name_length,
           bool interpreter_entry = false);
void moved(uint32_t owner, uint64_t from, uint64_t to, uint64_t size);
void removed(uint64_t start, uint64_t size);
// The isolate of `owner` is ending: its code goes with it. Returns the ranges it had, for the writer.
std::vector<Span> isolate_ending(uint32_t owner);

// The agent measured the interpreter's frames (the first isolate's measure holds for all), in the entry at
// `entry_start`, which code_added reported.
void interpreter_known(const InterpreterLayout& layout, uint64_t entry_start);

// For fork: hold the lock across fork(); the child keeps the ranges (its isolate, if any, is the parent's
// copy) but none of its frames (its tables start afresh).
void lock();
void unlock();
void reset_lock_in_child();

}  // namespace memtrace::code_space

#endif  // MEMTRACE_PRELOAD_CODE_SPACE_H_
