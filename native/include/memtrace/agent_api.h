// The C interface between the in-process agent (memtrace_addon.node, one per V8 isolate) and the interposer
// (libmemtrace_preload.so, one per process).
//
// The addon finds the table with dlsym(RTLD_DEFAULT, MEMTRACE_AGENT_API_SYMBOL). When the process was not
// started by `memtrace record` the symbol is missing and the addon does nothing. Every function may be called
// from any isolate's thread; none of them calls back into V8. The table only grows: a new function goes at
// the end and raises MEMTRACE_AGENT_API_VERSION, so an older addon keeps working with a newer interposer.
#ifndef MEMTRACE_AGENT_API_H_
#define MEMTRACE_AGENT_API_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MEMTRACE_AGENT_API_SYMBOL "memtrace_agent_api"
#define MEMTRACE_AGENT_API_VERSION 1

// Values of proto/memtrace.proto's CodeEventKind.
enum memtrace_code_event_kind {
  MEMTRACE_CODE_ADDED = 1,
  MEMTRACE_CODE_MOVED = 2,
  MEMTRACE_CODE_REMOVED = 3,
};

// Values of proto/memtrace.proto's ThreadRole.
enum memtrace_thread_role {
  MEMTRACE_ROLE_OTHER = 0,
  MEMTRACE_ROLE_MAIN = 1,
  MEMTRACE_ROLE_WORKER = 2,
  MEMTRACE_ROLE_POOL = 3,
};

struct memtrace_heap_figures {
  uint64_t used;
  uint64_t total;
  uint64_t external;
  uint64_t array_buffers;
};

struct memtrace_agent_api {
  // MEMTRACE_AGENT_API_VERSION of the interposer that filled the table.
  uint32_t version;
  // Whether this process is being recorded (false in a child under --no-children, or after the capture's
  // reader went away).
  int (*recording)(void);
  // A range of generated code. `name` is V8's name for it (e.g. "JS:~compress /app/z.js:12:20",
  // "Builtin:ArrayPush"), not NUL-terminated; it is copied before the call returns.
  void (*code_event)(enum memtrace_code_event_kind kind, uint64_t start, uint64_t size, uint64_t new_start,
                     const char* name, size_t name_length);
  // The calling thread runs an isolate: the main one or a worker_threads Worker with its threadId.
  void (*thread_role)(enum memtrace_thread_role role, uint32_t worker_id);
  // The heap figures of the calling thread's isolate, now.
  void (*heap_figures)(const struct memtrace_heap_figures* figures);
  // The interval at which the agent should report heap figures, in nanoseconds (0: never).
  uint64_t (*memory_interval_ns)(void);
};

typedef const struct memtrace_agent_api* (*memtrace_agent_api_fn)(void);

#ifdef __cplusplus
}
#endif

#endif  // MEMTRACE_AGENT_API_H_
