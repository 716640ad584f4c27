// Recording from inside a running process (track(), memtrace attach): this library loaded with dlopen rather
// than LD_PRELOAD, its wrappers written into the GOT of every loaded object (got_patch.h) for the window
// between start and stop, and into objects dlopen'd meanwhile (through a hook on dlopen).
//
// Start: the real functions are the global definitions; a new scope (Header, time 0, ids from 1) opens on
// the output; then the hooks go in. Stop: recording stops, the last batches and the Trailer are written, the
// hooks come out. What the window cannot see: a block allocated before start and freed inside it is a free
// of an unknown address (readers count and skip those); a block allocated inside it and freed after stop
// looks live at the end of the capture.
#ifndef MEMTRACE_PRELOAD_RUNTIME_H_
#define MEMTRACE_PRELOAD_RUNTIME_H_

#include <stddef.h>

#include "memtrace/agent_api.h"

namespace memtrace::runtime {

int start(const memtrace_runtime_settings* settings, char* error, size_t error_size);
// start with what version 8 added (`more` may be NULL or shorter than this library's struct).
int start_more(const memtrace_runtime_settings* settings, const memtrace_runtime_more* more, char* error,
               size_t error_size);
void stop();
memtrace_runtime_state state();

// For the writer thread, at each tick: if a runtime recording's channel failed or its reader asked it to
// stop, stops it from a thread of its own (stop() joins the writer thread).
void stop_if_wanted();

}  // namespace memtrace::runtime

#endif  // MEMTRACE_PRELOAD_RUNTIME_H_
