#include "runtime.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <atomic>
#include <string>
#include <vector>

#include "got_patch.h"
#include "guard.h"
#include "hooks.h"
#include "recorder.h"

namespace memtrace::runtime {

namespace {

// Every function the preloaded library interposes, by the name relocations give it. The operator new and
// delete family by their mangled names (libstdc++'s Itanium ABI).
constexpr const char* kHookedNames[] = {
    "malloc",
    "free",
    "calloc",
    "realloc",
    "reallocarray",
    "posix_memalign",
    "aligned_alloc",
    "memalign",
    "valloc",
    "pvalloc",
    "mmap",
    "mmap64",
    "munmap",
    "mremap",
    "_exit",
    "_Exit",
    "_Znwm",
    "_Znam",
    "_ZnwmRKSt9nothrow_t",
    "_ZnamRKSt9nothrow_t",
    "_ZnwmSt11align_val_t",
    "_ZnamSt11align_val_t",
    "_ZnwmSt11align_val_tRKSt9nothrow_t",
    "_ZnamSt11align_val_tRKSt9nothrow_t",
    "_ZdlPv",
    "_ZdaPv",
    "_ZdlPvRKSt9nothrow_t",
    "_ZdaPvRKSt9nothrow_t",
    "_ZdlPvm",
    "_ZdaPvm",
    "_ZdlPvSt11align_val_t",
    "_ZdaPvSt11align_val_t",
    "_ZdlPvmSt11align_val_t",
    "_ZdaPvmSt11align_val_t",
    "_ZdlPvSt11align_val_tRKSt9nothrow_t",
    "_ZdaPvSt11align_val_tRKSt9nothrow_t",
};
constexpr size_t kMaxHooks = sizeof(kHookedNames) / sizeof(kHookedNames[0]) + 1;  // and dlopen

// Serialises start, stop and the patching of objects a dlopen brought in.
pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
std::atomic<bool> g_recording{false};
got::Hook g_hooks[kMaxHooks];
size_t g_hook_count = 0;
void* (*g_real_dlopen)(const char*, int) = nullptr;
std::atomic<bool> g_stopper_running{false};

void say(char* error, size_t size, const char* format, ...) {
  if (!error || size == 0) return;
  va_list args;
  va_start(args, format);
  vsnprintf(error, size, format, args);
  va_end(args);
}

// dlopen resolves a name without a slash through its caller's RPATH and RUNPATH as well as the usual places.
// Called from this wrapper, the caller would be this library: so a bare name is first looked for in the
// directories the real caller's search path lists.
void* open_as(const void* caller, const char* file, int flags) {
  if (file && *file && !strchr(file, '/')) {
    Dl_info info;
    void* self = nullptr;
    if (dladdr(caller, &info) && info.dli_fname) {
      // The executable's own handle is dlopen(NULL)'s; a library's, its file opened again (no new load).
      Dl_info main_info;
      void* main_handle = g_real_dlopen(nullptr, RTLD_LAZY | RTLD_NOLOAD);
      void* main_symbol = main_handle ? dlsym(main_handle, "main") : nullptr;
      bool from_main =
          main_symbol && dladdr(main_symbol, &main_info) && main_info.dli_fbase == info.dli_fbase;
      self = from_main ? main_handle : g_real_dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
      if (main_handle && !from_main) dlclose(main_handle);
    }
    Dl_serinfo size;
    if (self && dlinfo(self, RTLD_DI_SERINFOSIZE, &size) == 0) {
      std::vector<char> buffer(size.dls_size);
      auto* paths = reinterpret_cast<Dl_serinfo*>(buffer.data());
      *paths = size;
      if (dlinfo(self, RTLD_DI_SERINFO, paths) == 0) {
        for (unsigned i = 0; i < paths->dls_cnt; i++) {
          const char* dir = paths->dls_serpath[i].dls_name;
          if (!dir || !*dir) continue;
          std::string path = dir;
          if (path.back() != '/') path += '/';
          path += file;
          void* handle = g_real_dlopen(path.c_str(), flags);
          if (handle) {
            dlclose(self);
            return handle;
          }
        }
      }
    }
    if (self) dlclose(self);
  }
  return g_real_dlopen(file, flags);
}

// The dlopen hook: a library loaded during the window gets the hooks too. Hidden: preloaded, this library
// must not interpose dlopen.
void* hooked_dlopen(const char* file, int flags) {
  const void* caller = __builtin_extract_return_addr(__builtin_return_address(0));
  void* handle;
  {
    BusyScope busy(kRecorderThread);
    handle = open_as(caller, file, flags);
  }
  if (handle && g_recording.load(std::memory_order_acquire)) {
    BusyScope busy(kRecorderThread);
    pthread_mutex_lock(&g_mutex);
    if (g_recording.load(std::memory_order_relaxed)) got::install(g_hooks, g_hook_count);
    pthread_mutex_unlock(&g_mutex);
  }
  return handle;
}

// Fills the hook table: this library's wrapper for each name (looked up in this library alone, as its own
// references to malloc are bound to libc's), and the definition it replaces.
bool prepare_hooks(char* error, size_t size) {
  if (g_hook_count) return true;
  Dl_info info;
  void* self = dladdr(reinterpret_cast<void*>(&prepare_hooks), &info) && info.dli_fname
                   ? dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD)
                   : nullptr;
  if (!self) {
    say(error, size, "memtrace cannot find its own library (%s)", dlerror());
    return false;
  }
  for (const char* name : kHookedNames) {
    void* hook = dlsym(self, name);
    void* original = got::find_definition(name);
    if (hook && original && hook != original) g_hooks[g_hook_count++] = {name, hook, original};
  }
  g_real_dlopen = reinterpret_cast<void* (*)(const char*, int)>(got::find_definition("dlopen"));
  if (g_real_dlopen)
    g_hooks[g_hook_count++] = {"dlopen", reinterpret_cast<void*>(&hooked_dlopen),
                               reinterpret_cast<void*>(g_real_dlopen)};
  return true;
}

Settings settings_from(const memtrace_runtime_settings& in, const memtrace_runtime_more* more) {
  Settings s;
  // A caller built with a shorter struct did not give the fields past its end: they read as 0.
  memtrace_runtime_more given{};
  if (more) memcpy(&given, more, more->size < sizeof(given) ? more->size : sizeof(given));
  s.paired = given.paired <= 2 ? given.paired : 1;
  s.max_stack_depth = in.max_stack_depth ? in.max_stack_depth : s.max_stack_depth;
  if (s.max_stack_depth > kMaxStackDepth) s.max_stack_depth = kMaxStackDepth;
  s.memory_interval_ns = in.memory_interval_ns;
  s.events_per_clock_read = in.events_per_clock_read ? in.events_per_clock_read : 64;
  s.js_interval_bytes = in.js_interval_bytes;
  s.js_poll_interval_ns = in.js_poll_interval_ns ? in.js_poll_interval_ns : s.js_poll_interval_ns;
  s.js_keep_collected = in.js_keep_collected != 0;
  s.children = false;
  if (in.node_version && strlen(in.node_version) < sizeof(s.node_version)) {
    strcpy(s.node_version, in.node_version);
  }
  snprintf(s.agent.v8_version, sizeof(s.agent.v8_version), "%s", in.v8_version ? in.v8_version : "");
  snprintf(s.agent.agent, sizeof(s.agent.agent), "%s", in.agent ? in.agent : "");
  return s;
}

void* run_stop(void*) {
  t_busy = kRecorderThread;
  stop();
  g_stopper_running.store(false, std::memory_order_release);
  return nullptr;
}

}  // namespace

memtrace_runtime_state state() {
  if (g_recording.load(std::memory_order_acquire)) return MEMTRACE_RUNTIME_RECORDING;
  // Preloaded, this library is in the global scope (the main program's handle searches it), where a
  // library loaded with RTLD_LOCAL is not. (RTLD_DEFAULT from here would search this library's own scope.)
  void* main_handle = dlopen(nullptr, RTLD_LAZY | RTLD_NOLOAD);
  void* global = main_handle ? dlsym(main_handle, MEMTRACE_AGENT_API_SYMBOL) : nullptr;
  if (main_handle) dlclose(main_handle);
  Dl_info theirs, ours;
  if (global && dladdr(global, &theirs) && dladdr(reinterpret_cast<void*>(&state), &ours) &&
      theirs.dli_fbase == ours.dli_fbase) {
    return MEMTRACE_RUNTIME_PRELOADED;
  }
  return MEMTRACE_RUNTIME_IDLE;
}

int start(const memtrace_runtime_settings* in, char* error, size_t error_size) {
  return start_more(in, nullptr, error, error_size);
}

int start_more(const memtrace_runtime_settings* in, const memtrace_runtime_more* more, char* error,
               size_t error_size) {
  BusyScope busy(kRecorderThread);
  if (!in || !in->output) {
    say(error, error_size, "no output given");
    return -1;
  }
  if (state() == MEMTRACE_RUNTIME_PRELOADED) {
    say(error, error_size,
        "this process runs with memtrace's interposer preloaded (memtrace record), which records it "
        "from its start: a second recording inside it would count every allocation twice");
    return -1;
  }
  pthread_mutex_lock(&g_mutex);
  int result = -1;
  if (g_recording.load(std::memory_order_relaxed) || g_stopper_running.load(std::memory_order_acquire)) {
    say(error, error_size, "a recording is already running in this process (track() or memtrace attach)");
  } else if (prepare_hooks(error, error_size)) {
    hooks::resolve_with(got::find_definition);
    if (!recorder::start_runtime_scope(settings_from(*in, more), in->output, in->socket != 0)) {
      say(error, error_size, "cannot %s %s: %s", in->socket ? "connect to" : "write", in->output,
          strerror(errno));
    } else {
      got::PatchCounts counts = got::install(g_hooks, g_hook_count);
      if (counts.patched == 0) {
        recorder::end_runtime_scope();
        say(error, error_size, "found no call to malloc or its kin to hook in this process's libraries");
      } else {
        g_recording.store(true, std::memory_order_release);
        result = 0;
      }
    }
  }
  pthread_mutex_unlock(&g_mutex);
  return result;
}

void stop() {
  BusyScope busy(kRecorderThread);
  pthread_mutex_lock(&g_mutex);
  if (g_recording.load(std::memory_order_relaxed)) {
    // The Trailer first, while the hooks still count: the window ends when recording stops. Then the hooks
    // come out, and calls already inside a wrapper finish as calls of an inactive recorder.
    recorder::end_runtime_scope();
    got::remove(g_hooks, g_hook_count);
    g_recording.store(false, std::memory_order_release);
  }
  pthread_mutex_unlock(&g_mutex);
}

void stop_if_wanted() {
  if (!g_recording.load(std::memory_order_acquire) || !recorder::stop_wanted()) return;
  bool expected = false;
  if (!g_stopper_running.compare_exchange_strong(expected, true)) return;
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  if (pthread_create(&thread, &attr, run_stop, nullptr) != 0) {
    g_stopper_running.store(false, std::memory_order_release);
  }
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

}  // namespace memtrace::runtime
