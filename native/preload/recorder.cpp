#include "recorder.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "asymmetric_fence.h"
#include "channel.h"
#include "clock.h"
#include "code_space.h"
#include "guard.h"
#include "hooks.h"
#include "pairing.h"
#include "record_writer.h"
#include "stack_tables.h"
#include "writer_thread.h"

namespace memtrace::recorder {

std::atomic<bool> g_active{false};

Settings g_settings;
bool g_unordered_heap_events = false;
uint64_t g_heap_event_time_lead_ns = 0;

namespace {

uint32_t g_pid = 0;

// Under the channel's append lock: scratch space for the tables, and the frames handed to the resolver.
PendingTables* g_tables_scratch;
ByteBuffer* g_encode_scratch;
FramesToResolve* g_frames_to_resolve;
// Settings.paired: the events flushed since the writer's last round (pairing.h), and their size for app
// threads.
ByteBuffer* g_held;
std::atomic<size_t> g_held_bytes{0};
// Set when the Trailer is in the channel: nothing of this scope may follow it.
bool g_closed = false;
// The channel failed: a runtime scope removes its hooks (runtime.h).
std::atomic<bool> g_channel_failed{false};

// Counters of threads that are gone.
pthread_mutex_t g_retired_mutex = PTHREAD_MUTEX_INITIALIZER;
Totals g_retired{};

Channel& channel() {
  alignas(Channel) static unsigned char storage[sizeof(Channel)];
  static Channel* c = new (storage) Channel();
  return *c;
}

uint64_t env_number(const char* name, uint64_t fallback) {
  const char* v = getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  unsigned long long n = strtoull(v, &end, 10);
  return end && *end == 0 ? n : fallback;
}

// Removes this library from LD_PRELOAD (a space- or colon-separated list) and the channel from the
// environment, for the processes this one starts.
void forget_preload() {
  unsetenv("MEMTRACE_SOCKET");
  agent_select::forget();
  const char* preload = getenv("LD_PRELOAD");
  Dl_info self;
  if (!preload || !dladdr(reinterpret_cast<void*>(&forget_preload), &self) || !self.dli_fname) return;
  static char kept[4096];
  size_t used = 0;
  for (const char* p = preload; *p;) {
    size_t n = strcspn(p, " :");
    bool ours = n == strlen(self.dli_fname) && strncmp(p, self.dli_fname, n) == 0;
    if (n && !ours && used + n + 2 < sizeof(kept)) {
      if (used) kept[used++] = ' ';
      memcpy(kept + used, p, n);
      used += n;
    }
    p += n;
    if (*p) p++;
  }
  kept[used] = 0;
  if (used) {
    setenv("LD_PRELOAD", kept, 1);
  } else {
    unsetenv("LD_PRELOAD");
  }
}

// The version given for `exe` in "path\tversion" lines, into out (left empty when none is).
void node_version_of(const char* exe, const char* lines, char* out, size_t size) {
  size_t exe_length = strlen(exe);
  for (const char* line = lines; *line;) {
    size_t length = strcspn(line, "\n");
    const char* tab = static_cast<const char*>(memchr(line, '\t', length));
    size_t version_length = tab ? length - static_cast<size_t>(tab + 1 - line) : 0;
    if (tab && static_cast<size_t>(tab - line) == exe_length && memcmp(line, exe, exe_length) == 0 &&
        version_length < size) {
      memcpy(out, tab + 1, version_length);
      out[version_length] = 0;
      return;
    }
    line += length;
    if (*line) line++;
  }
}

// Settings come from the environment `memtrace record` set (see src/record/launcher.ts). Returns false
// when this process is not to be recorded.
bool read_settings() {
  const char* socket = getenv("MEMTRACE_SOCKET");
  if (!socket || !*socket || strlen(socket) >= sizeof(g_settings.socket_path)) return false;
  strcpy(g_settings.socket_path, socket);
  g_settings.max_stack_depth = static_cast<uint32_t>(env_number("MEMTRACE_STACK_DEPTH", 128));
  if (g_settings.max_stack_depth > kMaxStackDepth) g_settings.max_stack_depth = kMaxStackDepth;
  g_settings.memory_interval_ns = env_number("MEMTRACE_MEMORY_INTERVAL_MS", 10) * 1'000'000;
  g_settings.flush_interval_ns = env_number("MEMTRACE_FLUSH_INTERVAL_MS", 100) * 1'000'000;
  if (g_settings.flush_interval_ns == 0) g_settings.flush_interval_ns = 100'000'000;
  g_settings.children = env_number("MEMTRACE_CHILDREN", 1) != 0;
  g_settings.js_interval_bytes = env_number("MEMTRACE_JS_INTERVAL", g_settings.js_interval_bytes);
  uint64_t poll_hz = env_number("MEMTRACE_JS_POLL_HZ", 10);
  g_settings.js_poll_interval_ns = 1'000'000'000 / (poll_hz ? poll_hz : 10);
  g_settings.js_keep_collected = env_number("MEMTRACE_JS_ALL", 0) != 0;
  g_settings.events_per_clock_read = static_cast<uint32_t>(env_number("MEMTRACE_EVENTS_PER_CLOCK_READ", 64));
  g_settings.limit_inlining = env_number("MEMTRACE_INLINING", 1) == 0;
  g_settings.keep_tiers = env_number("MEMTRACE_ALL_TIERS", 1) != 0;
  g_settings.paired = static_cast<uint32_t>(env_number("MEMTRACE_PAIRED", 0));
#ifdef MEMTRACE_BENCH_SWITCHES
  if (const char* skip = getenv("MEMTRACE_BENCH_SKIP")) {
    g_settings.bench_skip_events = strstr(skip, "events") != nullptr;
    g_settings.bench_skip_frees = strstr(skip, "frees") != nullptr;
    g_settings.bench_skip_clock = strstr(skip, "clock") != nullptr;
    g_settings.bench_skip_ship = strstr(skip, "ship") != nullptr;
  }
#endif
  // Under --no-children only the launcher's own child records, and its children do not even load this
  // library: it leaves LD_PRELOAD and the channel out of the environment they inherit.
  if (!g_settings.children) {
    if (static_cast<uint64_t>(getppid()) != env_number("MEMTRACE_LAUNCHER_PID", 0)) return false;
    forget_preload();
  }
  // "path\tversion" lines of the nodes the launcher knows (its own, the app's): a process running one of
  // those binaries is that node.
  char exe[4096];
  const char* nodes = getenv("MEMTRACE_NODE");
  ssize_t n = nodes ? readlink("/proc/self/exe", exe, sizeof(exe) - 1) : -1;
  if (n > 0) {
    exe[n] = 0;
    node_version_of(exe, nodes, g_settings.node_version, sizeof(g_settings.node_version));
  }
  return true;
}

// The executable segment of the C library (the object that holds the real free).
CodeRange find_libc_text() {
  struct Search {
    uintptr_t inside;
    CodeRange found;
  } search{reinterpret_cast<uintptr_t>(hooks::real.free), {}};
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* s = static_cast<Search*>(data);
        for (int i = 0; i < info->dlpi_phnum; i++) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X)) continue;
          uintptr_t low = info->dlpi_addr + ph.p_vaddr;
          if (s->inside >= low && s->inside < low + ph.p_memsz) {
            s->found = {low, low + ph.p_memsz};
            return 1;
          }
        }
        return 0;
      },
      &search);
  return search.found;
}

// What every scope needs once per process, whoever starts it.
void prepare_process() {
  asymmetric_fence::init();
  clock::calibrate();
  g_settings.libc_text = find_libc_text();
  g_tables_scratch = new PendingTables();
  g_encode_scratch = new ByteBuffer();
  g_frames_to_resolve = new FramesToResolve();
  g_held = new ByteBuffer();
}

// Starts this process's scope: time 0 and the Header, the first bytes of its channel.
void open_scope() {
  g_pid = static_cast<uint32_t>(getpid());
  timespec real;
  clock_gettime(CLOCK_REALTIME, &real);
  clock::set_origin();
  timespec resolution;
  clock_getres(CLOCK_MONOTONIC, &resolution);

  // argv from /proc/self/cmdline: NUL-separated.
  static char cmdline[8192];
  const char* argv[64];
  size_t argc = 0;
  FILE* f = fopen("/proc/self/cmdline", "re");
  if (f) {
    size_t n = fread(cmdline, 1, sizeof(cmdline) - 1, f);
    fclose(f);
    cmdline[n] = 0;
    for (size_t i = 0; i < n && argc < 64; i += strlen(cmdline + i) + 1) argv[argc++] = cmdline + i;
  }
  utsname uts{};
  uname(&uts);

  records::HeaderFields h{};
  h.version = g_settings.paired ? 4 : 1;
  h.ppid = static_cast<uint32_t>(getppid());
  h.argv = argv;
  h.argc = argc;
  h.node_version = g_settings.node_version;
  h.v8_version = g_settings.agent.v8_version;
  h.agent = g_settings.agent.agent;
  h.note = g_settings.agent.note;
  h.hostname = uts.nodename;
  // As os.arch() names them.
  h.arch = strcmp(uts.machine, "x86_64") == 0    ? "x64"
           : strcmp(uts.machine, "aarch64") == 0 ? "arm64"
                                                 : uts.machine;
  h.start_time_unix_ns =
      static_cast<uint64_t>(real.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(real.tv_nsec);
  h.max_stack_depth = g_settings.max_stack_depth;
  h.memory_interval_ns = g_settings.memory_interval_ns;
  h.children = g_settings.children;
  h.clock_resolution_ns = static_cast<uint64_t>(resolution.tv_nsec) + 1'000'000'000ull * resolution.tv_sec;
  g_unordered_heap_events = clock::g_state.tsc;
  const bool shared_times = g_settings.events_per_clock_read > 1;
  g_heap_event_time_lead_ns = g_unordered_heap_events || shared_times ? kHeapEventTimeLeadNs : 0;
  // A published time is at most one writer tick old (shared_clock.h).
  if (shared_times) h.clock_resolution_ns = writer::tick_ns();
  h.allocation_time_lead_ns = heap_event_time_lead_ns();
  h.deallocation_time_lead_ns = heap_event_time_lead_ns();
  if (g_settings.js_interval_bytes) {
    h.js_sample_interval_bytes = g_settings.js_interval_bytes;
    h.js_poll_interval_ns = g_settings.js_poll_interval_ns;
    h.js_keep_collected = g_settings.js_keep_collected;
  }

  if (g_settings.paired) pairing::start_scope(h.allocation_time_lead_ns, h.deallocation_time_lead_ns);
  Channel& c = channel();
  c.lock_append();
  records::header(c.pending(), *g_encode_scratch, g_pid, h);
  c.note_pending();
  c.unlock_append();
}

// A new scope: nothing of the last one is waiting to be written, and its Trailer no longer closes the
// channel.
void forget_scope_buffers() {
  g_tables_scratch->frame_address.clear();
  g_tables_scratch->frame_time.clear();
  g_tables_scratch->stack_parent.clear();
  g_tables_scratch->stack_frame.clear();
  g_frames_to_resolve->address.clear();
  g_frames_to_resolve->time.clear();
  g_held->clear();
  g_held_bytes.store(0, std::memory_order_relaxed);
  g_closed = false;
}

// Whether before_fork took the locks (recording may stop between prepare and the other two handlers).
bool g_fork_locked = false;

void before_fork() {
  g_fork_locked = active();
  if (!g_fork_locked) return;
  writer::before_fork();
  channel().lock_all();
  code_space::lock();
  stack_tables().lock();
  pthread_mutex_lock(&g_retired_mutex);
}

void after_fork_in_parent() {
  if (!g_fork_locked) return;
  pthread_mutex_unlock(&g_retired_mutex);
  stack_tables().unlock();
  code_space::unlock();
  channel().unlock_all();
  writer::after_fork_in_parent();
}

void after_fork_in_child() {
  if (!g_fork_locked) return;
  BusyScope busy;
  shared_clock::forget_in_child();
  pthread_mutex_init(&g_retired_mutex, nullptr);
  g_retired = Totals{};
  if (!g_settings.children) {
    g_active.store(false, std::memory_order_relaxed);
    channel().reset_in_child();
    return;
  }
  asymmetric_fence::init();
  code_space::reset_lock_in_child();
  stack_tables().reset_in_child();
  channel().reset_in_child();
  registry::after_fork_in_child();
  forget_scope_buffers();
  open_scope();
  // The child connects, and starts its writer thread, once it has 256 KiB to send or when it exits (see
  // send_if_over): a child that execs straight away (child_process.spawn) never connects, so its short-lived
  // scope never reaches the capture (the new program records itself from its own start).
  writer::after_fork_in_child();
}

__attribute__((constructor)) void start_recording() {
  BusyScope busy;
  if (!read_settings()) {
    agent_select::forget();
    return;
  }
  hooks::resolve();
  agent_select::choose(env_number("MEMTRACE_AGENT", 1) != 0, g_settings.agent);
  prepare_process();
  open_scope();
  if (!channel().connect(g_settings.socket_path)) return;
  pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
  g_active.store(true, std::memory_order_release);
  writer::start();
}

}  // namespace

bool start_runtime_scope(const Settings& s, const char* output, bool socket) {
  BusyScope busy(kRecorderThread);
  static bool prepared = false;
  if (!prepared) {
    prepare_process();
    pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
    prepared = true;
  }
  CodeRange libc_text = g_settings.libc_text;
  g_settings = s;
  g_settings.libc_text = libc_text;
  // A fork child (before it execs) must not write into this process's file.
  g_settings.children = false;
  stack_tables().start_new_scope();
  registry::start_new_scope();
  writer::start_new_scope();
  shared_clock::forget_in_child();
  channel().reset();
  pthread_mutex_lock(&g_retired_mutex);
  g_retired = Totals{};
  pthread_mutex_unlock(&g_retired_mutex);
  forget_scope_buffers();
  g_channel_failed.store(false, std::memory_order_relaxed);
  if (!(socket ? channel().connect(output) : channel().open_file(output))) return false;
  open_scope();
  g_active.store(true, std::memory_order_release);
  writer::start();
  return true;
}

void end_runtime_scope() {
  BusyScope busy(kRecorderThread);
  // Stop first, then write what was recorded: the Trailer must be the scope's last Record.
  g_active.store(false, std::memory_order_release);
  writer::finish();
  channel().close();
}

bool stop_wanted() { return g_channel_failed.load(std::memory_order_relaxed) || channel().peer_spoke(); }

void finish_now() {
  // A vfork child shares the parent's memory and has not been through the fork handlers: it must not touch
  // it.
  if (!active() || static_cast<uint32_t>(getpid()) != g_pid) return;
  t_busy = kRecorderThread;  // the process is ending: nothing this thread does from here is the app's
  // Stop first, then write what was recorded: the Trailer must be the scope's last Record.
  g_active.store(false, std::memory_order_release);
  writer::finish();
  channel().close();
}

namespace {
__attribute__((destructor)) void stop_recording() { finish_now(); }
}  // namespace

uint32_t pid() { return g_pid; }

namespace {

// Under the append lock, not closed: the tables, then the thread's events (held to be paired, or to the
// channel).
void move_thread_events(Channel& c, ThreadState* thread) {
  stack_tables().take_pending(*g_tables_scratch);
  PendingTables& t = *g_tables_scratch;
  if (!t.empty()) {
    records::tables(c.pending(), *g_encode_scratch, g_pid, t, g_settings.paired);
    FramesToResolve& r = *g_frames_to_resolve;
    if (r.address.empty()) r.first_id = t.first_frame;
    for (size_t i = 0; i < t.frame_address.size(); i++) {
      r.address.push(t.frame_address[i]);
      r.time.push(t.frame_time[i]);
    }
    t.frame_address.clear();
    t.frame_time.clear();
    t.stack_parent.clear();
    t.stack_frame.clear();
  }
  if (thread && thread->events.count) {
    if (g_settings.paired) {
      size_t before = g_held->size();
      pairing::hold_events(*g_held, thread->tid, thread->events);
      g_held_bytes.fetch_add(g_held->size() - before, std::memory_order_relaxed);
    }
    if (g_settings.paired != 1) records::events(c.pending(), g_pid, thread->tid, thread->events);
    thread->events.clear();
  }
}

// Locks the channel; false (with the thread's events dropped, and the lock released) when the scope is
// closed.
bool lock_open(Channel& c, ThreadState* thread) {
  c.lock_append();
  if (!g_closed) return true;
  if (thread) thread->events.clear();
  c.unlock_append();
  return false;
}

}  // namespace

void flush_thread_locked(ThreadState* thread, const ByteBuffer* then) {
  Channel& c = channel();
  if (!lock_open(c, thread)) return;
  move_thread_events(c, thread);
  if (then) c.pending().bytes(then->data(), then->size());
  c.note_pending();
  c.unlock_append();
}

void flush_thread_with_js_samples(ThreadState* thread, uint64_t time_ns, const memtrace_js_sample* samples,
                                  size_t count, const ByteBuffer& unpaired) {
  Channel& c = channel();
  if (!lock_open(c, thread)) return;
  move_thread_events(c, thread);
  size_t before = g_held->size();
  pairing::hold_js_samples(*g_held, thread->tid, time_ns, samples, count);
  g_held_bytes.fetch_add(g_held->size() - before, std::memory_order_relaxed);
  if (g_settings.paired != 1) c.pending().bytes(unpaired.data(), unpaired.size());
  c.note_pending();
  c.unlock_append();
}

void take_held(ByteBuffer& into) {
  Channel& c = channel();
  c.lock_append();
  into.swap(*g_held);
  g_held->clear();
  g_held_bytes.store(0, std::memory_order_relaxed);
  c.unlock_append();
}

void append_framed(const ByteBuffer& records, bool last) {
  Channel& c = channel();
  c.lock_append();
  if (!g_closed) c.pending().bytes(records.data(), records.size());
  if (last) g_closed = true;
  c.note_pending();
  c.unlock_append();
}

void send_if_over(size_t threshold) {
  Channel& c = channel();
  // Events held to be paired need the writer thread, which connecting starts (a fork child connects late).
  bool held = !c.open() && g_held_bytes.load(std::memory_order_relaxed) > threshold;
  if (c.pending_bytes() <= threshold && !held) return;
  if (!c.open()) {
    if (c.failed() || !c.connect(g_settings.socket_path)) {
      stop_on_channel_failure();
      return;
    }
    if (active()) writer::start();
  }
  if (!c.send_pending()) stop_on_channel_failure();
}

size_t pending_bytes() { return channel().pending_bytes() + g_held_bytes.load(std::memory_order_relaxed); }

void after_batch() {
  // The writer thread sends, so that the app's threads do not block on the socket; they send themselves only
  // when there is no writer thread (a fork child before it connects). When the writer has fallen far behind
  // (a slow reader), they wait for it, which slows the app down to the reader's pace rather than let the
  // channel grow without bound. They do not send then: the writer's sends of that much are rounds
  // (writer_thread.cpp), so its Watermarks keep coming at most kBlockAt apart, and a reader that merges
  // threads by them holds a bounded number of events (fold's orderer); a send from here would put twice as
  // much between two of them.
  constexpr size_t kSendAt = 256 * 1024;
  constexpr size_t kBlockAt = 8 * 1024 * 1024;
  Channel& c = channel();
  if (pending_bytes() <= kSendAt) return;
  if (!writer::request_send()) {
    send_if_over(kSendAt);
    return;
  }
  // Until the writer takes the channel, or stops, or the channel closes (the reader went away). Events held
  // to be paired count: the writer pairs them at its next round.
  while (pending_bytes() > kBlockAt && c.open() && writer::request_send()) {
    timespec pause{0, 200'000};
    nanosleep(&pause, nullptr);
  }
}

void take_frames_to_resolve(FramesToResolve& out) {
  Channel& c = channel();
  c.lock_append();
  out.first_id = g_frames_to_resolve->first_id;
  out.address.swap(g_frames_to_resolve->address);
  out.time.swap(g_frames_to_resolve->time);
  g_frames_to_resolve->address.clear();
  g_frames_to_resolve->time.clear();
  c.unlock_append();
}

void stop_on_channel_failure() {
  g_active.store(false, std::memory_order_relaxed);
  g_channel_failed.store(true, std::memory_order_relaxed);
}

void add_counters(const ThreadCounters& c, Totals& t) {
  t.allocations += c.allocations.load(std::memory_order_relaxed);
  t.deallocations += c.deallocations.load(std::memory_order_relaxed);
  t.allocated_bytes += c.allocated_bytes.load(std::memory_order_relaxed);
  t.lost_events += c.lost_events.load(std::memory_order_relaxed);
  t.truncated_stacks += c.truncated_stacks.load(std::memory_order_relaxed);
  t.broken_stacks += c.broken_stacks.load(std::memory_order_relaxed);
  t.reentrant_calls += c.reentrant_calls.load(std::memory_order_relaxed);
}

void retire_counters(const ThreadCounters& c) {
  pthread_mutex_lock(&g_retired_mutex);
  add_counters(c, g_retired);
  pthread_mutex_unlock(&g_retired_mutex);
}

Totals totals() {
  pthread_mutex_lock(&g_retired_mutex);
  Totals t = g_retired;
  pthread_mutex_unlock(&g_retired_mutex);
  for_each_thread([&](ThreadState* s) { add_counters(s->counters, t); });
  return t;
}

}  // namespace memtrace::recorder
