// The C interface between the in-process agent (memtrace_addon.node, one per V8 isolate) and the interposer
// (libmemtrace_preload.so, one per process).
//
// The addon finds the table with dlsym(RTLD_DEFAULT, MEMTRACE_AGENT_API_SYMBOL). When the process was not
// started by `memtrace record` the symbol is missing and the addon does nothing, unless asked to record from
// inside the process (track(), memtrace attach): it then loads the interposer itself, and finds the table in
// it. Every function may be called
// from any isolate's thread; none of them calls back into V8. The table only grows: a new function goes at
// the end and raises MEMTRACE_AGENT_API_VERSION, so an older addon keeps working with a newer interposer
// (and a newer addon checks the version before it uses a function that came later).
#ifndef MEMTRACE_AGENT_API_H_
#define MEMTRACE_AGENT_API_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MEMTRACE_AGENT_API_SYMBOL "memtrace_agent_api"
#define MEMTRACE_AGENT_API_VERSION 8

// The longest thread name thread_name keeps, in bytes.
#define MEMTRACE_THREAD_NAME_MAX 63

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

// Values of proto/memtrace.proto's FunctionKind, for JS frames.
enum memtrace_function_kind {
  MEMTRACE_KIND_OTHER = 0,
  MEMTRACE_KIND_JS = 1,
  MEMTRACE_KIND_BUILTIN = 3,
};

// Values of proto/memtrace.proto's GcKind.
enum memtrace_gc_kind {
  MEMTRACE_GC_OTHER = 0,
  MEMTRACE_GC_SCAVENGE = 1,
  MEMTRACE_GC_MARK_SWEEP_COMPACT = 2,
  MEMTRACE_GC_INCREMENTAL_MARKING = 3,
  MEMTRACE_GC_PROCESS_WEAK_CALLBACKS = 4,
  MEMTRACE_GC_MINOR_MARK_SWEEP = 5,
};

// What `memtrace record` asked of the JS heap sampler (version 2).
struct memtrace_js_settings {
  // The mean bytes between samples of V8's sampling heap profiler; 0: do not sample.
  uint64_t interval_bytes;
  // How often to poll the profiler, in nanoseconds.
  uint64_t poll_interval_ns;
  // Keep samples of collected objects (the total-allocation view): no free events.
  uint32_t keep_collected;
  // The most JS frames per sample.
  uint32_t stack_depth;
};

// One event of the sampling heap profiler (version 2): proto/memtrace.proto's JS_SAMPLE and JS_SAMPLE_FREED.
struct memtrace_js_sample {
  // The sample's id, unique among the process's samples (the agent makes V8's per-profiler ids unique).
  uint64_t id;
  // For a sample: the estimated bytes and objects it stands for, and its stack (from js_stack).
  uint64_t bytes;
  uint64_t objects;
  uint32_t stack;
  // 1: the sample's object was collected (bytes, objects and stack are 0).
  uint32_t freed;
};

// One garbage collection of the calling thread's isolate (version 2).
struct memtrace_gc_event {
  // When it started (on now_ns's clock) and how long it took.
  uint64_t time_ns;
  uint64_t duration_ns;
  enum memtrace_gc_kind kind;
  // Used heap bytes of the isolate before and after.
  uint64_t heap_before;
  uint64_t heap_after;
};

// Where an instruction of generated code comes from (version 4): from `offset` bytes into the code on, until
// the next position, the code is at this 1-based line and column of its function's script.
struct memtrace_code_position {
  uint32_t offset;
  uint32_t line;
  uint32_t column;
};

// code_added's `existing` holds flags from version 6 on (1 alone before).
enum memtrace_code_flags {
  // The code existed when the agent started.
  MEMTRACE_CODE_EXISTING = 1,
  // The code is the interpreter's entry or a copy of it (--interpreted-frames-native-stack).
  MEMTRACE_CODE_INTERPRETER_ENTRY = 2,
};

// The interpreter's frames as the agent measured them in its isolate (version 6): a return address
// `return_offset` bytes into the interpreter's entry (or a copy, `entry_size` bytes long) says the frame it
// returns to is the interpreter's; that frame holds its bytecode array (a tagged pointer) at word
// `array_slot` from its frame pointer and its bytecode offset (a Smi) at word `offset_slot`; the Smi is
// `first_bytecode` at offset 0.
struct memtrace_interpreter_frames {
  uint32_t return_offset;
  uint32_t entry_size;
  int32_t array_slot;
  int32_t offset_slot;
  int64_t first_bytecode;
};

// What a recording started from inside the process asks (version 5).
struct memtrace_runtime_settings {
  // The capture's file, created or truncated; with `socket`, the path of a Unix socket to connect to
  // (memtrace attach's), whose reader asks the recording to stop by writing to it or closing it.
  const char* output;
  uint32_t socket;
  uint32_t max_stack_depth;
  uint64_t memory_interval_ns;
  uint32_t events_per_clock_read;
  uint32_t js_keep_collected;
  uint64_t js_interval_bytes;
  uint64_t js_poll_interval_ns;
  // For the Header: process.version, V8's version, and the agent that names JS frames ("" when none does).
  const char* node_version;
  const char* v8_version;
  const char* agent;
};

// What a recording started from inside the process asks beyond memtrace_runtime_settings (version 8).
// `size` is sizeof the struct its caller was built with: a field past it reads as 0, so that the struct grows
// at its end without another function.
struct memtrace_runtime_more {
  uint32_t size;
  // 1: pair each free with its allocation while recording, and write format version 3 (PairedBatch); 0: the
  // events as they came (version 1); 2: both, for tests (as MEMTRACE_PAIRED=2).
  uint32_t paired;
};

enum memtrace_runtime_state {
  MEMTRACE_RUNTIME_IDLE = 0,
  // Started by runtime_start, and not yet stopped.
  MEMTRACE_RUNTIME_RECORDING = 1,
  // The interposer was preloaded: `memtrace record` records the process from its start.
  MEMTRACE_RUNTIME_PRELOADED = 2,
};

struct memtrace_agent_api {
  // MEMTRACE_AGENT_API_VERSION of the interposer that filled the table.
  uint32_t version;
  // Whether this process is being recorded (false in a child under --no-children, or after the capture's
  // reader went away).
  int (*recording)(void);
  // A range of generated code. `name` is V8's name for it (e.g. "JS:~compress /app/z.js:12:20",
  // "Builtin:ArrayPush"), not NUL-terminated; it is copied before the call returns. Called on the isolate's
  // thread, before code added or moved can run there.
  void (*code_event)(enum memtrace_code_event_kind kind, uint64_t start, uint64_t size, uint64_t new_start,
                     const char* name, size_t name_length);
  // The calling thread runs an isolate: the main one or a worker_threads Worker with its threadId.
  void (*thread_role)(enum memtrace_thread_role role, uint32_t worker_id);
  // The heap figures of the calling thread's isolate, now.
  void (*heap_figures)(const struct memtrace_heap_figures* figures);
  // The interval at which the agent should report heap figures, in nanoseconds (0: never).
  uint64_t (*memory_interval_ns)(void);

  // Version 2: the JS heap and garbage collections.

  // The recording's clock: nanoseconds since the process's time 0.
  uint64_t (*now_ns)(void);
  // Brackets the agent's own work on the calling thread (polling V8): allocations in between are the
  // recorder's, not the app's, and are not recorded. leave() takes what enter() returned.
  uint32_t (*enter)(void);
  void (*leave)(uint32_t token);
  void (*js_settings)(struct memtrace_js_settings* out);
  // A JS function as the sampling heap profiler names it (strings not NUL-terminated, copied), as a frame
  // key for js_stack; 0 when memory ran out. line and column are 1-based, 0 when unknown.
  uint64_t (*js_frame)(const char* name, size_t name_length, const char* script, size_t script_length,
                       uint32_t line, uint32_t column, enum memtrace_function_kind kind);
  // The stack id of `frames` (keys from js_frame, innermost first), in the same tables as native stacks.
  uint32_t (*js_stack)(const uint64_t* frames, uint32_t depth);
  // Writes JS heap events of the calling thread, all at the time of the call, after the thread's native
  // events so far (so that the thread's events stay in time order in the stream).
  void (*js_samples)(const struct memtrace_js_sample* samples, size_t count);
  void (*gc_event)(const struct memtrace_gc_event* event);

  // Version 3.

  // The app's own code in the calling thread's isolate has ended (its 'exit' listeners have run), and the
  // runtime's teardown, which frees what the app kept, has not begun: proto/memtrace.proto's APP_ENDED. Call
  // after the thread's last JS heap samples, once per isolate.
  void (*app_ended)(void);

  // Version 4: JIT frames named by the code that was there, at the line of the call.

  // MEMTRACE_CODE_ADDED with the source positions of the code's instructions (in increasing offset; none
  // when V8 gives none). Called on the isolate's thread before the code can run: frames seen where the code
  // goes are retired, so that they never name it. `existing`: the code existed when the agent started (V8
  // reports it as the handler is set), and names the frames seen in it before; from version 6, flags of
  // memtrace_code_flags. Bytecode is reported too (from version 6), at its first bytecode, with positions by
  // bytecode offset.
  void (*code_added)(uint64_t start, uint64_t size, const char* name, size_t name_length,
                     const struct memtrace_code_position* positions, size_t count, int existing);
  // The calling thread's isolate is going away, and the code it reported with it.
  void (*isolate_ending)(void);
  // Whether to keep V8 from inlining JS functions into their callers (so that every JS function that runs
  // has a frame of its own): unless `memtrace record --inlining`.
  int (*limit_inlining)(void);

  // Version 5: recording from inside the process, without LD_PRELOAD.

  // Installs the hooks in the GOT of every loaded object (and of objects loaded later) and starts recording.
  // Returns 0, or -1 with one sentence in `error` (a recording already runs, the output cannot be opened).
  int (*runtime_start)(const struct memtrace_runtime_settings* settings, char* error, size_t error_size);
  // Stops a recording runtime_start started: the Trailer, then the hooks removed. Nothing if none runs.
  void (*runtime_stop)(void);
  enum memtrace_runtime_state (*runtime_state)(void);

  // Version 6: lines of interpreted frames.

  // The interpreter's frames, measured in the entry at `entry_start` (reported by code_added).
  void (*interpreter_frames)(const struct memtrace_interpreter_frames* layout, uint64_t entry_start);
  // The calling thread's isolate starts (1) or ends (0) a garbage collection.
  void (*collecting)(int on);
  // Whether to keep V8's Sparkplug and Maglev tiers (`memtrace record --all-tiers`), whose frames have no
  // lines; otherwise the agent turns them off, so that JS code is interpreted or optimised.
  int (*keep_tiers)(void);

  // Version 7.

  // The name the app gave the calling thread's isolate (a worker's `name` option, as
  // worker_threads.threadName reads it), not NUL-terminated; copied, cut to MEMTRACE_THREAD_NAME_MAX bytes at
  // a character's start. It names the thread in its ThreadInfo from then on, before the OS name: Node names a
  // worker's OS thread by it only from Node 24 on, and only its first 15 bytes.
  void (*thread_name)(const char* name, size_t length);

  // Version 8.

  // runtime_start with `more` (NULL: as runtime_start, which records unpaired).
  int (*runtime_start_more)(const struct memtrace_runtime_settings* settings,
                            const struct memtrace_runtime_more* more, char* error, size_t error_size);
};

typedef const struct memtrace_agent_api* (*memtrace_agent_api_fn)(void);

#ifdef __cplusplus
}
#endif

#endif  // MEMTRACE_AGENT_API_H_
