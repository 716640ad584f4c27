#include "writer_thread.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <new>
#include <string>
#include <vector>

#include "guard.h"
#include "pairing.h"
#include "record_writer.h"
#include "recorder.h"
#include "resolver.h"
#include "runtime.h"
#include "shared_clock.h"
#include "thread_state.h"

namespace memtrace::writer {

namespace {

struct HeapRow {
  uint32_t tid;
  records::MemoryRow row;
};

// Everything the writer thread owns. Created once and never destroyed (the last round runs inside exit()).
struct Writer {
  pthread_t thread{};
  bool started = false;
  bool stopping = false;
  pthread_mutex_t wake_mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t wake;
  // An app thread has filled the channel: send it now rather than at the next round.
  std::atomic<bool> send_requested{false};
  // Held for a whole round, and across fork(): the child must not inherit half-updated tables.
  pthread_mutex_t round_mutex = PTHREAD_MUTEX_INITIALIZER;

  // Filled by isolate threads through the agent API.
  pthread_mutex_t queue_mutex = PTHREAD_MUTEX_INITIALIZER;
  std::vector<CodeEventIn> code_events;
  std::vector<HeapRow> heap_rows;

  std::vector<records::MemoryRow> rss_rows;
  int statm_fd = -1;
  Resolver resolver;
  ByteBuffer out;
  ByteBuffer scratch;
  // The events taken to be paired (Settings.paired).
  ByteBuffer held;
  FramesToResolve frames;

  Writer() {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&wake, &attr);
    pthread_condattr_destroy(&attr);
  }
};

Writer& state() {
  alignas(Writer) static unsigned char storage[sizeof(Writer)];
  static Writer* w = new (storage) Writer();
  return *w;
}

void sample_rss(Writer& w) {
  if (w.statm_fd < 0) w.statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  char text[128];
  ssize_t n = w.statm_fd >= 0 ? pread(w.statm_fd, text, sizeof(text) - 1, 0) : -1;
  if (n <= 0) return;
  text[n] = 0;
  unsigned long long size = 0, resident = 0;
  if (sscanf(text, "%llu %llu", &size, &resident) != 2) return;
  records::MemoryRow row{};
  row.time_ns = recorder::now_ns();
  row.rss = resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  w.rss_rows.push_back(row);
}

bool thread_gone(uint32_t tid) { return syscall(SYS_tgkill, recorder::pid(), tid, 0) != 0 && errno == ESRCH; }

// A thread name as ThreadInfo writes it: the OS's (at most 15 bytes) or the app's (agent_api.h).
constexpr size_t kNameSize = MEMTRACE_THREAD_NAME_MAX + 1;

void read_thread_name(uint32_t tid, char name[kNameSize]) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/task/%u/comm", tid);
  name[0] = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, name, 15);
  close(fd);
  if (n <= 0) return;
  if (name[n - 1] == '\n') n--;
  // The kernel cuts names at 15 bytes, also inside a UTF-8 character (Node 24 names a worker's thread by its
  // `name` option): ThreadInfo.name is a proto string, so an incomplete last character goes.
  ssize_t lead = n;
  while (lead > 0 && (static_cast<unsigned char>(name[lead - 1]) & 0xC0) == 0x80) lead--;
  if (lead > 0) {
    unsigned char c = static_cast<unsigned char>(name[lead - 1]);
    ssize_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (n - (lead - 1) < length) n = lead - 1;
  }
  name[n] = 0;
}

struct ThreadKind {
  const char* start_routine;  // part of the demangled name of the thread's start routine
  const char* name;
  uint32_t role;
};

// Node's threads all carry the process's name: they are told apart by the function they started in.
constexpr ThreadKind kThreadKinds[] = {
    {"node::worker::Worker::StartThread", "worker", MEMTRACE_ROLE_WORKER},
    {"PlatformWorkerThread", "V8 worker", MEMTRACE_ROLE_POOL},
    {"DelayedTaskScheduler", "V8 delayed tasks", MEMTRACE_ROLE_POOL},
    {"inspector", "inspector", MEMTRACE_ROLE_OTHER},
    {"SignalInspector", "inspector signal", MEMTRACE_ROLE_OTHER},
};

// Node 24 and later name their threads themselves.
constexpr struct {
  const char* name;
  uint32_t role;
} kNodeThreadNames[] = {
    {"WorkerThread", MEMTRACE_ROLE_WORKER},
    {"V8Worker", MEMTRACE_ROLE_POOL},
    {"node-V8Worker", MEMTRACE_ROLE_POOL},
    {"DelayedTaskSche", MEMTRACE_ROLE_POOL},
};

// The thread's name and role: the agent's word for isolates (a worker's `name` option), the OS name if the
// app set one, else what its start routine says (libuv's pool threads start in libuv's `worker`).
void describe_thread(Writer& w, ThreadState* t, char name[kNameSize], uint32_t& role) {
  if (t->app_named.load(std::memory_order_acquire)) {
    memcpy(name, t->app_name, kNameSize);
    role = t->role.load(std::memory_order_relaxed);
    if (!role) role = t->written_role;
    return;
  }
  char process_name[kNameSize];
  read_thread_name(recorder::pid(), process_name);
  if (t->info_written && t->ended.load(std::memory_order_relaxed)) {
    // The thread is gone or going: keep what was said of it.
    memcpy(name, t->written_name, kNameSize);
    // The agent's word may have come after the last ThreadInfo (a worker that ended within a round).
    role = t->role.load(std::memory_order_relaxed);
    if (!role) role = t->written_role;
    if (role == MEMTRACE_ROLE_WORKER && strcmp(name, process_name) == 0)
      snprintf(name, kNameSize, "%s", "worker");
    return;
  }
  read_thread_name(t->tid, name);
  if (!name[0]) strcpy(name, t->written_name);
  role = t->role.load(std::memory_order_relaxed);
  if (t->tid == recorder::pid()) {
    if (!role) role = MEMTRACE_ROLE_MAIN;
    return;
  }
  for (const auto& k : kNodeThreadNames) {
    if (!role && strcmp(name, k.name) == 0) role = k.role;
  }
  // A worker without a name of its own (before Node 24, its OS name is the process's): called so whether or
  // not its start routine is known yet.
  if (role == MEMTRACE_ROLE_WORKER && (!name[0] || strcmp(name, process_name) == 0)) {
    snprintf(name, kNameSize, "%s", "worker");
    return;
  }
  uintptr_t start = t->start_routine.load(std::memory_order_relaxed);
  if (!start || (name[0] && strcmp(name, process_name) != 0)) return;
  std::string routine = w.resolver.symbol_name(start - 1);
  const ThreadKind* kind = nullptr;
  if (routine == "worker") {
    static constexpr ThreadKind libuv{"worker", "libuv worker", MEMTRACE_ROLE_POOL};
    kind = &libuv;
  }
  for (const ThreadKind& k : kThreadKinds) {
    if (!kind && routine.find(k.start_routine) != std::string::npos) kind = &k;
  }
  if (!kind) return;
  snprintf(name, kNameSize, "%s", kind->name);
  if (!role) role = kind->role;
}

void write_thread_info(Writer& w, ThreadState* t, uint64_t now, bool ended) {
  char name[kNameSize];
  uint32_t role;
  describe_thread(w, t, name, role);
  if (!ended && t->info_written && role == t->written_role && strcmp(name, t->written_name) == 0) return;
  records::thread(w.out, w.scratch, recorder::pid(),
                  {t->tid, name, role, t->worker_id.load(std::memory_order_relaxed), now, ended});
  memcpy(t->written_name, name, sizeof(name));
  t->written_role = role;
  t->info_written = true;
}

// Past this many bytes waiting in the channel, a requested send is a round (see run()).
constexpr size_t kRoundAt = 4 * 1024 * 1024;

// One round: see the file comment in writer_thread.h. `final` also writes the Trailer.
void round(Writer& w, bool final) {
  pthread_mutex_lock(&w.round_mutex);
  uint32_t pid = recorder::pid();
  // Every event with an earlier time is in some thread's buffer now (threads read the clock with their
  // buffer held), so once every buffer is flushed the stream holds all of them. An allocation's or a free's
  // time may read early by up to the lead (recorder.h): the watermark allows for it.
  uint64_t started = recorder::events_now_ns();
  uint64_t lead = recorder::heap_event_time_lead_ns();
  uint64_t watermark = started > lead ? started - lead : 0;
  for_each_thread([final](ThreadState* t) {
    ClaimedBuffer claim(t);
    recorder::flush_thread_locked(t);
    t->closed = final;
  });
  // Frames and stacks defined by threads with nothing else to flush.
  recorder::flush_thread_locked(nullptr);

  w.out.clear();
  uint64_t now = recorder::now_ns();
  reap_threads([&](ThreadState* t) {
    if (!final && !thread_gone(t->tid)) return false;
    {
      ClaimedBuffer claim(t);
      recorder::flush_thread_locked(t);
    }
    write_thread_info(w, t, now, true);
    recorder::retire_counters(t->counters);
    return true;
  });
  for_each_thread([&](ThreadState* t) { write_thread_info(w, t, now, false); });

  // Frames first, then code events: the event of the code a frame was seen in is queued before the frame is
  // interned, so it is then among the events taken (taken the other way round, a frame interned in between
  // would come without its code).
  w.frames.address.clear();
  w.frames.time.clear();
  recorder::take_frames_to_resolve(w.frames);
  std::vector<CodeEventIn> code;
  std::vector<HeapRow> heap;
  pthread_mutex_lock(&w.queue_mutex);
  code.swap(w.code_events);
  heap.swap(w.heap_rows);
  pthread_mutex_unlock(&w.queue_mutex);
  w.resolver.round(w.out, w.scratch, pid, now, code, w.frames, final);

  if (!w.rss_rows.empty()) {
    records::memory(w.out, w.scratch, pid, 0, w.rss_rows.data(), w.rss_rows.size());
    w.rss_rows.clear();
  }
  // Heap figures, one record per isolate thread.
  while (!heap.empty()) {
    uint32_t tid = heap.front().tid;
    std::vector<records::MemoryRow> rows;
    std::vector<HeapRow> rest;
    for (const HeapRow& h : heap) (h.tid == tid ? rows.push_back(h.row) : rest.push_back(h));
    records::memory(w.out, w.scratch, pid, tid, rows.data(), rows.size());
    heap.swap(rest);
  }
  if (recorder::settings().paired) {
    // Every event before the watermark is held now (the threads were flushed above): pair them, and on the
    // last round everything.
    recorder::take_held(w.held);
    pairing::pair_until(w.held, final ? UINT64_MAX : watermark, w.out, w.scratch, pid);
  }
  records::watermark(w.out, w.scratch, pid, watermark);
  if (final) {
    recorder::Totals t = recorder::totals();
    records::trailer(
        w.out, w.scratch, pid,
        {recorder::now_ns(), t.allocations, t.deallocations, t.allocated_bytes, t.lost_events,
         t.truncated_stacks, t.broken_stacks, w.resolver.unresolved_frames(), t.reentrant_calls});
  }
  recorder::append_framed(w.out, final);
  recorder::send_if_over(0);
  pthread_mutex_unlock(&w.round_mutex);
}

void* run(void*) {
  t_busy = kRecorderThread;
  prctl(PR_SET_NAME, "memtrace", 0, 0, 0);
  Writer& w = state();
  // While the app starts (node's start-up keeps one core busy), the executable's symbols are loaded on this
  // one: otherwise the first round loads them, which for a short run is its exit. Under the round's lock, as
  // the resolver must not be half-updated across fork().
  pthread_mutex_lock(&w.round_mutex);
  w.resolver.load_executable_symbols();
  pthread_mutex_unlock(&w.round_mutex);
  const Settings& s = recorder::settings();
  uint64_t tick = tick_ns();
  uint64_t next_round = recorder::now_ns() + s.flush_interval_ns;
  uint64_t next_tick = recorder::now_ns() + tick;
  pthread_mutex_lock(&w.wake_mutex);
  while (!w.stopping) {
    uint64_t now = recorder::now_ns();
    if (now < next_tick && !w.send_requested.load(std::memory_order_acquire)) {
      timespec deadline;
      clock_gettime(CLOCK_MONOTONIC, &deadline);
      uint64_t ns = static_cast<uint64_t>(deadline.tv_nsec) + (next_tick - now);
      deadline.tv_sec += static_cast<time_t>(ns / 1'000'000'000);
      deadline.tv_nsec = static_cast<long>(ns % 1'000'000'000);
      pthread_cond_timedwait(&w.wake, &w.wake_mutex, &deadline);
    }
    if (w.stopping) break;
    pthread_mutex_unlock(&w.wake_mutex);
    if (w.send_requested.exchange(false, std::memory_order_acq_rel)) {
      // A reader that falls behind holds this thread in its sends while the app's threads fill the channel
      // (and then wait for this thread: recorder.cpp's after_batch). Then a send is a round, with its
      // Watermark, so that a reader merging threads by them (fold's orderer) holds at most the channel's
      // limit of events.
      if (recorder::pending_bytes() > kRoundAt) {
        round(w, false);
      } else {
        recorder::send_if_over(0);
      }
    }
    if (recorder::now_ns() < next_tick) {
      pthread_mutex_lock(&w.wake_mutex);
      continue;
    }
    next_tick += tick;
    if (next_tick < recorder::now_ns()) next_tick = recorder::now_ns() + tick;
    // Events of threads that have not read the clock since take this time (shared_clock.h).
    shared_clock::publish(recorder::now_ns());
    if (s.memory_interval_ns) sample_rss(w);
    runtime::stop_if_wanted();
    if (recorder::now_ns() >= next_round) {
      round(w, false);
      next_round += s.flush_interval_ns;
      if (next_round < recorder::now_ns()) next_round = recorder::now_ns() + s.flush_interval_ns;
    }
    pthread_mutex_lock(&w.wake_mutex);
  }
  pthread_mutex_unlock(&w.wake_mutex);
  return nullptr;
}

}  // namespace

void start() {
  Writer& w = state();
  if (w.started) return;
  w.started = true;
  w.stopping = false;
  // The writer must not receive the app's signals: block them all in the new thread.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  if (pthread_create(&w.thread, nullptr, run, nullptr) != 0) w.started = false;
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (w.started) shared_clock::start_ticking(recorder::settings().events_per_clock_read);
}

uint64_t tick_ns() {
  const Settings& s = recorder::settings();
  return s.memory_interval_ns && s.memory_interval_ns < s.flush_interval_ns ? s.memory_interval_ns
                                                                            : s.flush_interval_ns;
}

bool request_send() {
  Writer& w = state();
  if (!w.started) return false;
  if (w.send_requested.exchange(true, std::memory_order_acq_rel)) return true;  // already on its way
  pthread_mutex_lock(&w.wake_mutex);
  pthread_cond_signal(&w.wake);
  pthread_mutex_unlock(&w.wake_mutex);
  return true;
}

void finish() {
  Writer& w = state();
  if (w.started) {
    pthread_mutex_lock(&w.wake_mutex);
    w.stopping = true;
    pthread_cond_signal(&w.wake);
    pthread_mutex_unlock(&w.wake_mutex);
    pthread_join(w.thread, nullptr);
    w.started = false;
  }
  if (recorder::settings().memory_interval_ns) sample_rss(w);
  round(w, true);
}

void start_new_scope() {
  Writer& w = state();
  pthread_mutex_lock(&w.queue_mutex);
  w.code_events.clear();
  w.heap_rows.clear();
  pthread_mutex_unlock(&w.queue_mutex);
  w.rss_rows.clear();
  w.send_requested.store(false, std::memory_order_relaxed);
  w.resolver.start_new_scope();
}

void queue_code_event(memtrace_code_event_kind kind, uint64_t start, uint64_t size, uint64_t new_start,
                      const char* name, size_t name_length, const memtrace_code_position* positions,
                      size_t count, bool existing) {
  Writer& w = state();
  CodeEventIn e{static_cast<uint32_t>(kind),
                recorder::now_ns(),
                start,
                size,
                new_start,
                std::string(name ? name : "", name ? name_length : 0),
                {},
                existing};
  if (positions && count) e.positions.assign(positions, positions + count);
  pthread_mutex_lock(&w.queue_mutex);
  w.code_events.push_back(std::move(e));
  pthread_mutex_unlock(&w.queue_mutex);
}

void queue_heap_figures(uint32_t tid, uint64_t time_ns, const memtrace_heap_figures& f) {
  Writer& w = state();
  records::MemoryRow row{time_ns, 0, f.used, f.total, f.external, f.array_buffers};
  pthread_mutex_lock(&w.queue_mutex);
  w.heap_rows.push_back({tid, row});
  pthread_mutex_unlock(&w.queue_mutex);
}

void before_fork() {
  Writer& w = state();
  pthread_mutex_lock(&w.round_mutex);
  pthread_mutex_lock(&w.queue_mutex);
}

void after_fork_in_parent() {
  Writer& w = state();
  pthread_mutex_unlock(&w.queue_mutex);
  pthread_mutex_unlock(&w.round_mutex);
}

void after_fork_in_child() {
  Writer& w = state();
  pthread_mutex_init(&w.round_mutex, nullptr);
  pthread_mutex_init(&w.queue_mutex, nullptr);
  pthread_mutex_init(&w.wake_mutex, nullptr);
  w.started = false;
  w.stopping = false;
  w.send_requested.store(false, std::memory_order_relaxed);
  w.code_events.clear();
  w.heap_rows.clear();
  w.rss_rows.clear();
  w.resolver.start_new_scope();
}

}  // namespace memtrace::writer
