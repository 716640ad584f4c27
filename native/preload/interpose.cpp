// The interposed functions. Each one calls the real function and records what happened; a free is
// recorded before the real free, so that no other thread can be given the same address in between.
//
// The wrappers may run before the constructor and on threads the recorder has never seen; they may run
// while dlsym is resolving the real functions (then they use the bootstrap arena). FRAME is the frame
// address of the wrapper itself: the stack walk starts at its caller.
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <new>

#include "hooks.h"
#include "tracking.h"

using memtrace::EventKind;
namespace hooks = memtrace::hooks;
namespace tracking = memtrace::tracking;

#define EXPORT extern "C" __attribute__((visibility("default")))
#define FRAME reinterpret_cast<uintptr_t>(__builtin_frame_address(0))

namespace {

inline bool ready() { return hooks::real.free || hooks::resolve(); }

inline void* recorded(EventKind kind, void* p, size_t size, uintptr_t frame) {
  if (p && tracking::wanted()) tracking::allocation(kind, p, size, frame);
  return p;
}

// operator new: malloc, or the new-handler loop the standard requires. Built on the real malloc, not on
// libstdc++'s operator new (which would call back into our malloc and lose the caller: Debian's libstdc++
// has no frame pointers).
__attribute__((always_inline)) inline void* new_impl(size_t size, size_t alignment, bool nothrow,
                                                     EventKind kind, uintptr_t frame) {
  if (!ready()) return hooks::arena_allocate(size, alignment);
  for (;;) {
    void* p = alignment > 16 ? hooks::real.memalign(alignment, size) : hooks::real.malloc(size);
    if (p) return recorded(kind, p, size, frame);
    std::new_handler handler = std::get_new_handler();
    if (!handler) {
      if (nothrow) return nullptr;
      throw std::bad_alloc();
    }
    if (nothrow) {
      try {
        handler();
      } catch (...) {
        return nullptr;
      }
    } else {
      handler();
    }
  }
}

inline void delete_impl(void* p, EventKind kind) {
  if (!p || hooks::in_arena(p)) return;
  if (tracking::wanted()) tracking::deallocation(kind, p, 0);
  hooks::real.free(p);
}

}  // namespace

EXPORT void* malloc(size_t size) {
  if (!ready()) return hooks::arena_allocate(size, 16);
  return recorded(memtrace::kMalloc, hooks::real.malloc(size), size, FRAME);
}

EXPORT void free(void* p) { delete_impl(p, memtrace::kFree); }

EXPORT void* calloc(size_t n, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(n, size, &total)) {
    errno = ENOMEM;
    return nullptr;
  }
  if (!ready()) return hooks::arena_allocate(total, 16);  // the arena is static memory: already zero
  return recorded(memtrace::kCalloc, hooks::real.calloc(n, size), total, FRAME);
}

namespace {

// realloc and reallocarray: the old block is recorded as freed first (REALLOC_FREE), then the new one.
__attribute__((always_inline)) inline void* realloc_impl(void* old, size_t size, void* result_if_failed,
                                                         void* (*call)(void*, size_t, size_t), size_t n,
                                                         uintptr_t frame) {
  bool record = tracking::wanted();
  if (record && old) tracking::deallocation(memtrace::kReallocFree, old, 0);
  void* p = call(old, n, size);
  if (record) {
    if (p) {
      tracking::allocation(memtrace::kRealloc, p, n * size, frame);
    } else if (old && n * size != 0) {
      // The real call failed and the old block is still there: record it as live again (its size is
      // no longer known).
      tracking::allocation(memtrace::kRealloc, old, 0, frame);
    }
  }
  return p ? p : result_if_failed;
}

void* call_realloc(void* old, size_t n, size_t size) { return hooks::real.realloc(old, n * size); }
void* call_reallocarray(void* old, size_t n, size_t size) { return hooks::real.reallocarray(old, n, size); }

// A block of the bootstrap arena being resized: its size is unknown, so copy what the arena can hold.
void* realloc_from_arena(void* old, size_t size) {
  void* p = hooks::raw_malloc(size);
  size_t room = hooks::arena_room(old);
  if (p) memcpy(p, old, size < room ? size : room);
  return p;
}

}  // namespace

EXPORT void* realloc(void* old, size_t size) {
  if (!ready()) return hooks::arena_allocate(size, 16);
  if (hooks::in_arena(old)) return realloc_from_arena(old, size);
  return realloc_impl(old, size, nullptr, call_realloc, 1, FRAME);
}

EXPORT void* reallocarray(void* old, size_t n, size_t size) {
  if (!ready()) return nullptr;
  if (hooks::in_arena(old)) {
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) return nullptr;
    return realloc_from_arena(old, total);
  }
  return realloc_impl(old, size, nullptr, call_reallocarray, n, FRAME);
}

EXPORT int posix_memalign(void** out, size_t alignment, size_t size) {
  if (!ready()) {
    *out = hooks::arena_allocate(size, alignment);
    return *out ? 0 : ENOMEM;
  }
  int rc = hooks::real.posix_memalign(out, alignment, size);
  if (rc == 0) recorded(memtrace::kPosixMemalign, *out, size, FRAME);
  return rc;
}

EXPORT void* aligned_alloc(size_t alignment, size_t size) {
  if (!ready()) return hooks::arena_allocate(size, alignment);
  return recorded(memtrace::kAlignedAlloc, hooks::real.aligned_alloc(alignment, size), size, FRAME);
}

EXPORT void* memalign(size_t alignment, size_t size) {
  if (!ready()) return hooks::arena_allocate(size, alignment);
  return recorded(memtrace::kMemalign, hooks::real.memalign(alignment, size), size, FRAME);
}

EXPORT void* valloc(size_t size) {
  if (!ready()) return hooks::arena_allocate(size, 4096);
  return recorded(memtrace::kValloc, hooks::real.valloc(size), size, FRAME);
}

EXPORT void* pvalloc(size_t size) {
  if (!ready()) return hooks::arena_allocate(size, 4096);
  return recorded(memtrace::kPvalloc, hooks::real.pvalloc(size), size, FRAME);
}

// Memory mappings. A PROT_NONE mapping reserves address space and holds no memory (V8 reserves gigabytes
// this way), so it is not recorded as an allocation; an munmap is always recorded, and readers count the
// ones that match nothing.
EXPORT void* mmap(void* address, size_t length, int prot, int flags, int fd, off_t offset) {
  if (!ready()) {
    return reinterpret_cast<void*>(syscall(SYS_mmap, address, length, prot, flags, fd, offset));
  }
  void* p = hooks::real.mmap(address, length, prot, flags, fd, offset);
  if (p != MAP_FAILED && tracking::wanted()) {
    if (fd >= 0) memtrace::recorder::note_file_mapping(p, length, prot, fd, static_cast<uint64_t>(offset));
    if (prot != PROT_NONE) tracking::allocation(memtrace::kMmap, p, length, FRAME);
  }
  return p;
}

EXPORT void* mmap64(void* address, size_t length, int prot, int flags, int fd, off_t offset)
    __attribute__((alias("mmap")));

EXPORT int munmap(void* address, size_t length) {
  if (!ready()) return static_cast<int>(syscall(SYS_munmap, address, length));
  if (tracking::wanted()) tracking::deallocation(memtrace::kMunmap, address, length);
  return hooks::real.munmap(address, length);
}

EXPORT void* mremap(void* old, size_t old_size, size_t new_size, int flags, ...) {
  void* new_address = nullptr;
  if (flags & MREMAP_FIXED) {
    va_list args;
    va_start(args, flags);
    new_address = va_arg(args, void*);
    va_end(args);
  }
  if (!ready()) {
    return reinterpret_cast<void*>(syscall(SYS_mremap, old, old_size, new_size, flags, new_address));
  }
  bool record = tracking::wanted();
  if (record) tracking::deallocation(memtrace::kMunmap, old, old_size);
  void* p = hooks::real.mremap(old, old_size, new_size, flags, new_address);
  if (record) {
    if (p != MAP_FAILED) {
      tracking::allocation(memtrace::kMremap, p, new_size, FRAME);
    } else {
      tracking::allocation(memtrace::kMmap, old, old_size, FRAME);  // nothing moved: the old range lives on
    }
  }
  return p;
}

// _exit and _Exit skip exit()'s handlers, and so this library's destructor: shells (dash) end that way. The
// capture gets its Trailer all the same; then the process ends as _exit would end it.
EXPORT void _exit(int status) {
  memtrace::recorder::finish_now();
  syscall(SYS_exit_group, status);
  __builtin_unreachable();
}

EXPORT void _Exit(int status) {
  memtrace::recorder::finish_now();
  syscall(SYS_exit_group, status);
  __builtin_unreachable();
}

// The operator new and delete family: every variant, so that no call reaches libstdc++'s versions.
#define NEW_EXPORT __attribute__((visibility("default")))

NEW_EXPORT void* operator new(size_t size) { return new_impl(size, 0, false, memtrace::kNew, FRAME); }
NEW_EXPORT void* operator new[](size_t size) { return new_impl(size, 0, false, memtrace::kNewArray, FRAME); }
NEW_EXPORT void* operator new(size_t size, const std::nothrow_t&) noexcept {
  return new_impl(size, 0, true, memtrace::kNew, FRAME);
}
NEW_EXPORT void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  return new_impl(size, 0, true, memtrace::kNewArray, FRAME);
}
NEW_EXPORT void* operator new(size_t size, std::align_val_t a) {
  return new_impl(size, static_cast<size_t>(a), false, memtrace::kNew, FRAME);
}
NEW_EXPORT void* operator new[](size_t size, std::align_val_t a) {
  return new_impl(size, static_cast<size_t>(a), false, memtrace::kNewArray, FRAME);
}
NEW_EXPORT void* operator new(size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  return new_impl(size, static_cast<size_t>(a), true, memtrace::kNew, FRAME);
}
NEW_EXPORT void* operator new[](size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  return new_impl(size, static_cast<size_t>(a), true, memtrace::kNewArray, FRAME);
}

NEW_EXPORT void operator delete(void* p) noexcept { delete_impl(p, memtrace::kDelete); }
NEW_EXPORT void operator delete[](void* p) noexcept { delete_impl(p, memtrace::kDeleteArray); }
NEW_EXPORT void operator delete(void* p, const std::nothrow_t&) noexcept {
  delete_impl(p, memtrace::kDelete);
}
NEW_EXPORT void operator delete[](void* p, const std::nothrow_t&) noexcept {
  delete_impl(p, memtrace::kDeleteArray);
}
NEW_EXPORT void operator delete(void* p, size_t) noexcept { delete_impl(p, memtrace::kDelete); }
NEW_EXPORT void operator delete[](void* p, size_t) noexcept { delete_impl(p, memtrace::kDeleteArray); }
NEW_EXPORT void operator delete(void* p, std::align_val_t) noexcept { delete_impl(p, memtrace::kDelete); }
NEW_EXPORT void operator delete[](void* p, std::align_val_t) noexcept {
  delete_impl(p, memtrace::kDeleteArray);
}
NEW_EXPORT void operator delete(void* p, size_t, std::align_val_t) noexcept {
  delete_impl(p, memtrace::kDelete);
}
NEW_EXPORT void operator delete[](void* p, size_t, std::align_val_t) noexcept {
  delete_impl(p, memtrace::kDeleteArray);
}
NEW_EXPORT void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  delete_impl(p, memtrace::kDelete);
}
NEW_EXPORT void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  delete_impl(p, memtrace::kDeleteArray);
}
