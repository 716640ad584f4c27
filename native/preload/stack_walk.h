// The frame-pointer walk. node here is built with frame pointers, and V8's JIT frames keep them, so following
// the chain of saved frame pointers goes from an allocation through JS frames to main. Each step is checked
// before it is followed (aligned, inside the thread's stack, moving towards its base), because code built
// without frame pointers (glibc, libstdc++) uses the register for other things.
//
//   higher addresses (stack base)
//   | ...                |
//   | return address     |  fp[1]: where the caller continues
//   | caller's fp        |  fp[0]  <- fp
//   | locals             |
//   lower addresses
#ifndef MEMTRACE_PRELOAD_STACK_WALK_H_
#define MEMTRACE_PRELOAD_STACK_WALK_H_

#include <stdint.h>

#include "hash_map.h"

namespace memtrace {

struct WalkResult {
  uint32_t depth;
  // A hash of the addresses, for the thread's stack cache.
  uint64_t hash;
  // The walk stopped at max_depth with frames left.
  bool truncated;
  // The walk stopped on a frame pointer that failed a check before it reached the C library's root frames.
  bool broken;
};

// Walks from `fp`, the frame of the interposed function, so the first address is its return address: the
// caller of malloc. Stores return addresses, innermost first.
// The C library's code: every stack's outermost frames are there (__libc_start_call_main, start_thread), and
// it keeps no frame pointers, so a walk that ends in it has reached the root; one that ends elsewhere broke.
constexpr uintptr_t kMaxCodeAddress = uintptr_t{1} << 53;

struct CodeRange {
  uintptr_t low = 0;
  uintptr_t high = 0;
  bool contains(uintptr_t a) const { return a >= low && a < high; }
};

__attribute__((always_inline)) inline WalkResult walk_stack(uintptr_t fp, uintptr_t stack_low,
                                                            uintptr_t stack_high, uintptr_t* out,
                                                            uint32_t max_depth, CodeRange root) {
  WalkResult r{0, 0x9e3779b97f4a7c15ULL, false, false};
  // A frame pointer is valid when aligned and its two words lie inside the stack: stack_low <= fp and
  // fp + 16 <= stack_high, tested as one unsigned comparison (fp below stack_low wraps around to a large
  // value).
  const uintptr_t span = stack_high - stack_low >= 16 ? stack_high - stack_low - 16 : 0;
  uintptr_t* const end = out + max_depth;
  uintptr_t* next_out = out;
  while (true) {
    if (__builtin_expect((fp - stack_low) > span || (fp & 7) != 0, 0)) {
      r.broken = next_out == out || !root.contains(next_out[-1]);
      break;
    }
    auto* frame = reinterpret_cast<const uintptr_t*>(fp);
    uintptr_t next = frame[0];
    uintptr_t ret = frame[1];
    // 0 ends a walk at its root. Above 2^53 no code lives (user space ends at 2^47, or 2^56 with five-level
    // paging, and readers take addresses up to 2^53): a "return address" there is data, such as the strings
    // at a process's stack top, reached through a frame pointer of code built without them (dash, say).
    if (__builtin_expect(ret - 1 >= kMaxCodeAddress - 1, 0)) {
      r.broken = ret != 0;
      break;
    }
    if (__builtin_expect(next_out == end, 0)) {
      r.truncated = true;
      break;
    }
    *next_out++ = ret;
    r.hash = (r.hash ^ ret) * 0x100000001b3ULL;
    // Frames move towards the stack's base. The outermost frame (_start, or clone's child for a thread) sets
    // the frame pointer to 0, which ends the walk as its root; any other step back broke it.
    if (__builtin_expect(next <= fp, 0)) {
      r.broken = next != 0 && !root.contains(ret);
      break;
    }
    fp = next;
  }
  r.depth = static_cast<uint32_t>(next_out - out);
  r.hash = mix64(r.hash ^ r.depth);
  if (r.hash == 0) r.hash = 1;  // 0 marks an empty cache entry
  return r;
}

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_STACK_WALK_H_
