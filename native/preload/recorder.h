// The recording of this process: its settings, its scope (pid, time 0), its channel, and the path by which
// every byte reaches the channel in the format's order (tables before the events that use them).
//
// Life of a process: the constructor reads the settings from the environment that `memtrace record` set,
// writes the Header and starts the writer thread; fork() starts a new scope in the child; exit() writes the
// final batches and the Trailer. A process that memtrace did not start, or a child under --no-children,
// stays inert: every wrapper passes straight through.
#ifndef MEMTRACE_PRELOAD_RECORDER_H_
#define MEMTRACE_PRELOAD_RECORDER_H_

#include <stdint.h>

#include <atomic>

#include "agent_select.h"
#include "byte_buffer.h"
#include "clock.h"
#include "hash_map.h"
#include "memtrace/agent_api.h"
#include "shared_clock.h"
#include "stack_tables.h"
#include "stack_walk.h"
#include "thread_state.h"

namespace memtrace {

struct Settings {
  uint32_t max_stack_depth = 128;
  uint64_t memory_interval_ns = 10'000'000;
  uint64_t flush_interval_ns = 100'000'000;
  bool children = true;
  // V8's sampling heap profiler, run by the agent in every isolate: the mean bytes between samples (0: off),
  // how often it is polled, and whether it keeps samples of collected objects (no frees then).
  uint64_t js_interval_bytes = 512 * 1024;
  uint64_t js_poll_interval_ns = 100'000'000;
  bool js_keep_collected = false;
  // The agent keeps V8 from inlining JS functions, so that each has a frame of its own (agent_api.h).
  bool limit_inlining = false;
  // Keep V8's Sparkplug and Maglev tiers, whose frames have no lines (memtrace record turns them off unless
  // asked; a recording started from inside the process leaves them).
  bool keep_tiers = true;
  // A thread reads the clock on one event in this many (shared_clock.h); 1: on every event.
  uint32_t events_per_clock_read = 64;
  char socket_path[108] = {0};
  char node_version[32] = {0};
  // Which agent names this process's JS frames, or why none does (agent_select.h).
  agent_select::Choice agent{};
  // Where stack walks end (see stack_walk.h).
  CodeRange libc_text;
  // Only in libmemtrace_preload_bench.so (built with MEMTRACE_BENCH_SWITCHES, for
  // bench/record/cost-ladder.ts), from MEMTRACE_BENCH_SKIP: parts of an event's work left out, to measure
  // what the rest costs. A capture recorded with any of them is incomplete. The library memtrace records with
  // has no such branch.
  bool bench_skip_events = false;  // the hooks find their thread and record nothing
  bool bench_skip_frees = false;   // frees are not recorded
  bool bench_skip_clock = false;   // events take their thread's last time instead of reading the clock
  bool bench_skip_ship = false;    // a full batch is dropped instead of going to the channel
  // MEMTRACE_PAIRED: 1 pairs events at record time and writes them paired (format version 4, pairing.h); 2
  // also writes them unpaired, so that a test can fold the same events both ways (fold refuses such a capture
  // as it is). 0: unpaired (version 1).
  uint32_t paired = 0;
};

namespace recorder {

// Whether allocations are being recorded. One relaxed load: the wrappers test it on every call.
extern std::atomic<bool> g_active;
inline bool active() { return g_active.load(std::memory_order_relaxed); }

extern Settings g_settings;
inline const Settings& settings() { return g_settings; }
uint32_t pid();
// Nanoseconds since this scope's time 0 (see clock.h).
inline uint64_t now_ns() { return clock::now_ns(); }

// An allocation's, a free's or a mapping's time (shared_clock.h): mostly the time another reading published,
// and on a thread's every Settings.events_per_clock_read-th event (or every event) the clock read anew.
// When the clock is the TSC, allocations and frees read it without the LFENCE, the largest single cost of an
// event then (buffers recorded at 1.14x plain instead of 1.21x with unfenced allocations). Such a read may
// run ahead of the instructions before it that have not completed, never behind the stores after it: an
// allocation's read may come before the real malloc's loads (a block that another thread just freed can get
// a time a little before that free), a free's before the loads that brought it the pointer (a block that
// another thread just allocated can get its free a little before its allocation), and any event's before the
// writer's claim of its buffer. Readers allow for the first two (Settings.allocation_time_lead_ns and
// deallocation_time_lead_ns, src/transforms/live.ts), the writer's Watermarks for the third. A free's read
// still comes before the real free publishes the block, so a block freed and handed out again keeps its free
// first, up to the allocation lead. Mappings read the ordered clock, and a thread's own times never go back
// (EventBuffer). A read runs ahead only while older instructions are in flight (a cache miss, a page walk:
// well under a microsecond; an interrupt or a VM exit squashes it and it runs again), so 100 µs is a
// hundredfold margin; a wider one costs nothing but slightly later Watermarks. A published time carries the
// lead of the reading it came from, no more. Shared times declare the lead even with an ordered clock: a free
// and the malloc that hands its block out again in another thread may share a time, which tells their order
// no more than a lead does, and readers' rule for the lead (an allocation within it of an address still live
// takes the old block as freed there) covers a tie.
constexpr uint64_t kHeapEventTimeLeadNs = 100'000;
extern bool g_unordered_heap_events;
extern uint64_t g_heap_event_time_lead_ns;
inline uint64_t event_now_ns(uint32_t& countdown, bool mapping) {
  if (mapping) {
    countdown = 0;
    return shared_clock::event_ns(countdown, [] { return clock::now_ns(); });
  }
  return shared_clock::event_ns(
      countdown, [] { return g_unordered_heap_events ? clock::unordered_now_ns() : clock::now_ns(); });
}
// A time that no event appended from now on can be earlier than, but for the lead: a Watermark's.
inline uint64_t events_now_ns() { return shared_clock::publish(clock::now_ns()); }
// How early an allocation's or a free's time may read (the Header's two leads, the Watermarks' margin).
inline uint64_t heap_event_time_lead_ns() { return g_heap_event_time_lead_ns; }

// Moves a thread's events into the channel, after any frames and stacks they refer to, then `then` (framed
// Records of the same thread, such as its JS heap samples), if given. Call with the thread's buffer held
// (OwnBuffer or ClaimedBuffer).
void flush_thread_locked(ThreadState* thread, const ByteBuffer* then = nullptr);
// flush_thread_locked for a scope that pairs (Settings.paired), then the thread's JS heap samples, all at
// `time_ns`; `unpaired` is their EventBatch, written too when Settings.paired is 2.
void flush_thread_with_js_samples(ThreadState* thread, uint64_t time_ns, const memtrace_js_sample* samples,
                                  size_t count, const ByteBuffer& unpaired);
// The events app threads flushed since the last call (Settings.paired), for the writer thread to pair.
void take_held(ByteBuffer& into);
// Appends already-framed Records (written by the writer thread) to the channel; `last` when they end
// with the Trailer, after which nothing more of this scope is written.
void append_framed(const ByteBuffer& records, bool last);
// Sends what the channel holds if it is more than `threshold` bytes; connects first if needed.
void send_if_over(size_t threshold);
// After an app thread moved a full batch into the channel: has the channel sent when it holds enough.
void after_batch();
// Bytes appended to the channel and not sent yet.
size_t pending_bytes();

// The frames defined in the stream since the last call, for the writer thread to name.
void take_frames_to_resolve(FramesToResolve& out);

// The mmap wrapper saw a file mapping (see process_maps.cpp).
void note_file_mapping(const void* start, size_t length, int prot, int fd, uint64_t offset);

// The process is ending (exit() ran this library's destructor, or the app called _exit): writes the last
// batches and the Trailer, and stops recording.
void finish_now();

// A scope recorded from inside the process (runtime.h), started with the hooks not yet installed: settings
// `s`, the capture written to the file `output`, or to the Unix socket `output` with `socket`. Forgets
// what the last such scope left. False, with errno set, when the output cannot be opened.
bool start_runtime_scope(const Settings& s, const char* output, bool socket);
// Ends a scope started so: stops recording, writes the last batches and the Trailer, closes the channel.
void end_runtime_scope();
// Whether the channel failed or its reader asked the recording to stop (memtrace attach).
bool stop_wanted();

// The channel failed: stop recording, count what is lost.
void stop_on_channel_failure();

// Totals over all threads, for the Trailer.
struct Totals {
  uint64_t allocations, deallocations, allocated_bytes, lost_events, truncated_stacks, broken_stacks,
      reentrant_calls;
};
void add_counters(const ThreadCounters& c, Totals& totals);
// Counters of threads whose state was freed.
void retire_counters(const ThreadCounters& c);
Totals totals();

}  // namespace recorder
}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_RECORDER_H_
