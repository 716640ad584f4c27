#include "hooks.h"

#include <dlfcn.h>
#include <sys/mman.h>

#include <atomic>
#include <cstdint>

namespace memtrace::hooks {

RealFunctions real;

namespace {

// glibc's dlsym needs well under 1 KiB (one calloc for its error state); 64 KiB leaves room for other libcs.
constexpr size_t kArenaBytes = 64 * 1024;
alignas(64) unsigned char arena[kArenaBytes];
std::atomic<size_t> arena_used{0};

enum : int { kUnresolved, kResolving, kResolved };
std::atomic<int> state{kUnresolved};

void* (*g_lookup)(const char*) = nullptr;

template <typename T>
void find(T& slot, const char* name, void* where) {
  slot = reinterpret_cast<T>(g_lookup ? g_lookup(name) : dlsym(where, name));
}

// Preloaded, the real functions are the next definitions after this library's; loaded at run time (and so
// absent from the global scope), they are the definitions the process's GOTs are bound to.
void find_all(void* where) {
  find(real.malloc, "malloc", where);
  find(real.calloc, "calloc", where);
  find(real.realloc, "realloc", where);
  find(real.reallocarray, "reallocarray", where);
  find(real.posix_memalign, "posix_memalign", where);
  find(real.aligned_alloc, "aligned_alloc", where);
  find(real.memalign, "memalign", where);
  find(real.valloc, "valloc", where);
  find(real.pvalloc, "pvalloc", where);
  find(real.mmap, "mmap", where);
  find(real.munmap, "munmap", where);
  find(real.mremap, "mremap", where);
  void (*free_fn)(void*) = nullptr;
  find(free_fn, "free", where);
  std::atomic_thread_fence(std::memory_order_release);
  real.free = free_fn;
}

}  // namespace

void* arena_allocate(size_t size, size_t alignment) {
  if (alignment < 16) alignment = 16;
  size_t start = arena_used.load(std::memory_order_relaxed);
  for (;;) {
    size_t aligned = (start + alignment - 1) & ~(alignment - 1);
    if (aligned + size > kArenaBytes) return nullptr;
    if (arena_used.compare_exchange_weak(start, aligned + size)) return arena + aligned;
  }
}

size_t arena_room(const void* p) {
  return in_arena(p) ? kArenaBytes - (reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(arena))
                     : 0;
}

bool in_arena(const void* p) {
  auto a = reinterpret_cast<uintptr_t>(p);
  auto base = reinterpret_cast<uintptr_t>(arena);
  return a >= base && a < base + kArenaBytes;
}

bool resolve() {
  int expected = kUnresolved;
  if (!state.compare_exchange_strong(expected, kResolving)) return expected == kResolved;
  // A wrapper that runs during this call sees state == kResolving and uses the arena. The wrappers test
  // `free` to know whether everything is resolved, so it is stored last.
  find_all(RTLD_NEXT);
  state.store(kResolved, std::memory_order_release);
  return true;
}

void resolve_with(void* (*lookup)(const char*)) {
  // No wrapper can run yet: nothing calls this library's functions before the hooks are installed.
  g_lookup = lookup;
  find_all(RTLD_DEFAULT);
  g_lookup = nullptr;
  state.store(kResolved, std::memory_order_release);
}

void* raw_map(size_t size) {
  if (!real.mmap) resolve();
  void* p = real.mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void raw_unmap(void* p, size_t size) {
  if (p) real.munmap(p, size);
}

}  // namespace memtrace::hooks
