// The real allocation functions, found with dlsym(RTLD_NEXT) the first time each wrapper needs one.
//
// Every wrapper may run before this library's constructor (the dynamic loader and libc allocate early), so
// nothing here depends on initialisation order. dlsym itself allocates: while it runs, allocations are served
// from a small static arena, whose blocks are never freed (free() recognises them and does nothing).
#ifndef MEMTRACE_PRELOAD_HOOKS_H_
#define MEMTRACE_PRELOAD_HOOKS_H_

#include <stddef.h>
#include <sys/types.h>

namespace memtrace::hooks {

// One entry per interposed C function: the signature of the real one.
struct RealFunctions {
  void* (*malloc)(size_t);
  void (*free)(void*);
  void* (*calloc)(size_t, size_t);
  void* (*realloc)(void*, size_t);
  void* (*reallocarray)(void*, size_t, size_t);
  int (*posix_memalign)(void**, size_t, size_t);
  void* (*aligned_alloc)(size_t, size_t);
  void* (*memalign)(size_t, size_t);
  void* (*valloc)(size_t);
  void* (*pvalloc)(size_t);
  void* (*mmap)(void*, size_t, int, int, int, off_t);
  int (*munmap)(void*, size_t);
  void* (*mremap)(void*, size_t, size_t, int, ...);
};

extern RealFunctions real;

// Fills `real`. Safe to call from any thread, any number of times; returns false while the resolution is in
// progress on some thread (the caller must then use the bootstrap arena).
bool resolve();
// Fills `real` through `lookup` (name -> definition), for a library loaded at run time rather than preloaded.
void resolve_with(void* (*lookup)(const char*));

// The bootstrap arena, for allocations made while dlsym runs.
void* arena_allocate(size_t size, size_t alignment);
bool in_arena(const void* p);
// Bytes from `p` to the end of the arena: the most a block that starts at `p` can hold.
size_t arena_room(const void* p);

// Helpers for the recorder's own memory: they call the real functions directly, never a wrapper.
inline void* raw_malloc(size_t size) {
  if (!real.malloc) resolve();
  return real.malloc(size);
}
inline void* raw_calloc(size_t n, size_t size) {
  if (!real.calloc) resolve();
  return real.calloc(n, size);
}
inline void raw_free(void* p) {
  if (!real.free) resolve();
  if (!in_arena(p)) real.free(p);
}
void* raw_map(size_t size);  // zeroed pages
void raw_unmap(void* p, size_t size);

}  // namespace memtrace::hooks

#endif  // MEMTRACE_PRELOAD_HOOKS_H_
