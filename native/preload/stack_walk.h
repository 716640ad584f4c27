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
//
// Following the chain is a serial pointer chase: each step's load waits for the one before, ~30 of them
// for a stack in node. Consecutive allocations of a thread mostly share their outer frames, so the thread
// keeps its last walk (WalkCache), and a walk that reaches one of its frames checks the rest of it instead
// of following it: the words it would read are at known addresses, so the loads go out together. If every
// word is as it was, the walk from there would read exactly those words and end the same way, so the
// result is exactly the plain walk's (walk_stack below, which the tests hold the cached walk to).
#ifndef MEMTRACE_PRELOAD_STACK_WALK_H_
#define MEMTRACE_PRELOAD_STACK_WALK_H_

#include <stdint.h>

#include "hash_map.h"
#include "interpreter_frames.h"
#include "stack_tables.h"

namespace memtrace {

struct WalkResult {
  uint32_t depth;
  // A hash of the addresses, for the thread's stack cache (stack_hash).
  uint64_t hash;
  // The walk stopped at max_depth with frames left.
  bool truncated;
  // The walk stopped on a frame pointer that failed a check before it reached the C library's root frames.
  bool broken;
  // walk_stack_cached: frames taken from the last walk, and frames read anew. With none read anew, the stack
  // is the last walk's, whose id the cache may hold.
  uint32_t reused_frames;
  uint32_t new_frames;
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

namespace walk_detail {

// A frame pointer is valid when aligned and its two words lie inside the stack: stack_low <= fp and
// fp + 16 <= stack_high, tested as one unsigned comparison (fp below stack_low wraps around to a large
// value).
inline uintptr_t valid_span(uintptr_t stack_low, uintptr_t stack_high) {
  return stack_high - stack_low >= 16 ? stack_high - stack_low - 16 : 0;
}
inline bool invalid_frame(uintptr_t fp, uintptr_t stack_low, uintptr_t span) {
  return (fp - stack_low) > span || (fp & 7) != 0;
}
// Above 2^53 no code lives (user space ends at 2^47, or 2^56 with five-level paging, and readers take
// addresses up to 2^53): a "return address" there is data, such as the strings at a process's stack top,
// reached through a frame pointer of code built without them (dash, say). 0 ends a walk at its root.
inline bool not_code(uintptr_t ret) { return ret - 1 >= kMaxCodeAddress - 1; }

// A saved return address as an address: on arm64, without the pointer authentication code that code built
// with -mbranch-protection (node's official arm64 builds) signs it with in its top bits. XPACLRI (hint #7, a
// no-op on a CPU without pointer authentication) strips it.
inline uintptr_t return_address(uintptr_t word) {
#if defined(__aarch64__)
  register uintptr_t lr __asm__("x30") = word;
  __asm__("hint #7" : "+r"(lr));
  return lr;
#else
  return word;
#endif
}

// One frame's share of a stack's hash: independent of the others, so that the hash of a stack's outer part
// can be kept and the inner frames added to it. The position is mixed in through a multiple of the golden
// ratio, whose bits above 2^53 (where no address reaches) differ between positions, so that the same address
// at two depths hashes apart.
inline uint64_t hash_term(uintptr_t address, uint32_t position_from_root) {
  return mix64(address ^ (0x9e3779b97f4a7c15ULL * (position_from_root + 1)));
}

inline uint64_t finish_hash(uint64_t sum, uint32_t depth) {
  uint64_t h = mix64(sum ^ depth);
  return h ? h : 1;  // 0 marks an empty cache entry
}

}  // namespace walk_detail

// The hash of a walked stack (addresses innermost first), as the walks compute it: a sum of mixed
// (address, position from the root) terms. Two different stacks share a hash with probability ~2^-64.
inline uint64_t stack_hash(const uintptr_t* addresses, uint32_t depth) {
  uint64_t sum = 0;
  for (uint32_t i = 0; i < depth; i++) sum += walk_detail::hash_term(addresses[depth - 1 - i], i);
  return walk_detail::finish_hash(sum, depth);
}

// The plain walk, the definition of what a walk gives; the recorder uses walk_stack_cached.
// With `interp`, a frame the interpreter runs is keyed by its current bytecode (interpreter_frames.h).
inline WalkResult walk_stack(uintptr_t fp, uintptr_t stack_low, uintptr_t stack_high, uintptr_t* out,
                             uint32_t max_depth, CodeRange root, const InterpreterFrames* interp = nullptr) {
  using namespace walk_detail;
  WalkResult r{0, 0, false, false, 0, 0};
  const uintptr_t span = valid_span(stack_low, stack_high);
  uintptr_t* const end = out + max_depth;
  uintptr_t* next_out = out;
  while (true) {
    if (invalid_frame(fp, stack_low, span)) {
      r.broken = next_out == out || !root.contains(next_out[-1]);
      break;
    }
    auto* frame = reinterpret_cast<const uintptr_t*>(fp);
    uintptr_t next = frame[0];
    uintptr_t ret = return_address(frame[1]);
    if (not_code(ret)) {
      r.broken = ret != 0;
      break;
    }
    if (next_out == end) {
      r.truncated = true;
      break;
    }
    *next_out++ = interp ? interpreted_key(interp, ret, next, fp, stack_high) : ret;
    // Frames move towards the stack's base. The outermost frame (_start, or clone's child for a thread) sets
    // the frame pointer to 0, which ends the walk as its root; any other step back broke it.
    if (next <= fp) {
      r.broken = next != 0 && !root.contains(ret);
      break;
    }
    fp = next;
  }
  r.depth = static_cast<uint32_t>(next_out - out);
  r.hash = stack_hash(out, r.depth);
  return r;
}

// A thread's last walk, outermost frame first: every frame it read, with the two words it read there, and
// the walk's outcome. Owned by its thread. Left as mmap zeroed it until first used (reads == 0: nothing to
// reuse).
struct WalkCache {
  // Frames read. The outermost may have given no address (its "return address" ended the walk, or the walk
  // was truncated there, with max_depth addresses): then `skip` is 1. The addresses are word[skip..reads),
  // outermost first: the return address read, or an interpreted frame's key (interpreter_frames.h), which
  // differs from it.
  uint32_t reads;
  uint32_t skip;
  bool broken;
  bool truncated;
  // What the outermost frame read holds as its caller's frame pointer. Frame k > 0 holds frame[k - 1].
  uintptr_t outer_next;
  // The id of this stack once known (0: not yet). Reset when ids start afresh (a fork child's scope).
  uint32_t stack;
  uintptr_t frame[kMaxStackDepth + 1];
  uintptr_t word[kMaxStackDepth + 1];
  // The return address read at frame[k], and whether it is a return point of the interpreter's entry (then
  // word[k] is read from the caller's slots, which change while the frame stays).
  uintptr_t ret[kMaxStackDepth + 1];
  bool interpreted[kMaxStackDepth + 1];
  // Sum of the hash terms of the addresses among word[0..k].
  uint64_t hash_sum[kMaxStackDepth + 1];
  // Scratch for a walk's new frames, innermost first.
  uintptr_t fresh_frame[kMaxStackDepth + 1];
  uintptr_t fresh_word[kMaxStackDepth + 1];
  uintptr_t fresh_ret[kMaxStackDepth + 1];
  bool fresh_interpreted[kMaxStackDepth + 1];

  uint32_t depth() const { return reads - skip; }
  // Whether a later walk may reuse this one: not an empty one.
  bool reusable() const { return reads > skip; }
  // The walk's addresses, innermost first, as StackTables::intern takes them.
  void innermost_first(uintptr_t* out) const {
    for (uint32_t i = 0, d = depth(); i < d; i++) out[i] = word[reads - 1 - i];
  }
  // The address `from_root` frames in from the outermost (0: the outermost address).
  uintptr_t address_from_root(uint32_t from_root) const { return word[skip + from_root]; }
  // The first frame in [0, last] whose words are no longer what this walk read there, or last + 1 if none:
  // for an interpreted frame, also its caller's bytecode (which moves on while the frames stay). The loads
  // are independent: they go out together, unlike the walk's, and the branch is predicted.
  __attribute__((noinline)) int32_t intact_below(int32_t last, const InterpreterFrames* interp,
                                                 uintptr_t stack_high) const {
    for (int32_t k = 0; k <= last; k++) {
      auto* f = reinterpret_cast<const uintptr_t*>(frame[k]);
      uintptr_t expected_next = k ? frame[k - 1] : outer_next;
      if (__builtin_expect(((f[0] ^ expected_next) | (walk_detail::return_address(f[1]) ^ ret[k])) != 0, 0)) {
        return k;
      }
      // An interpreted frame's key is read again from its caller's slots. (Whether a return address is the
      // interpreter's does not change while its frame stays: V8 replaces no code a stack returns to.)
      if (__builtin_expect(interpreted[k], 0) && interp &&
          bytecode_key(interp, ret[k], expected_next, frame[k], stack_high) != word[k]) {
        return k;
      }
    }
    return last + 1;
  }
  void forget() {
    reads = 0;
    stack = 0;
  }
};

// The walk of walk_stack, leaving its addresses in `cache` (outermost first) instead of an array. Where
// it reaches a frame of the cache's last walk, it checks that walk's words from there to its end, and if
// all are as they were, takes them. `result.hash` is stack_hash of the addresses.
__attribute__((always_inline)) inline WalkResult walk_stack_cached(
    uintptr_t fp, uintptr_t stack_low, uintptr_t stack_high, uint32_t max_depth, CodeRange root,
    WalkCache& cache, const InterpreterFrames* interp = nullptr) {
  using namespace walk_detail;
  WalkResult r{0, 0, false, false, 0, 0};
  const uintptr_t span = valid_span(stack_low, stack_high);
  // The cached frame the walk may meet next: frames sit at increasing addresses from the innermost, so
  // one index moving outwards finds them.
  int32_t candidate = cache.reusable() ? static_cast<int32_t>(cache.reads) - 1 : -1;
  // Once checked (at the first cached frame met), the cached frames [0, intact) are as they were.
  int32_t intact = -1;
  int32_t kept = -1;  // the cached frames [0, kept] are this walk's outer frames
  uint32_t fresh = 0;
  uint32_t outputs = 0;
  bool last_read_gave_address = true;
  uintptr_t outer_next = 0;
  while (true) {
    if (__builtin_expect(invalid_frame(fp, stack_low, span), 0)) {
      r.broken = outputs == 0 || !root.contains(cache.fresh_ret[fresh - 1]);
      outer_next = fp;
      break;
    }
    while (candidate >= 0 && cache.frame[candidate] < fp) candidate--;
    if (candidate >= 0 && cache.frame[candidate] == fp) {
      if (intact < 0) intact = cache.intact_below(candidate, interp, stack_high);
      // A truncated walk ended at max_depth: its outer end is this walk's only if this one is as deep.
      const uint32_t total = static_cast<uint32_t>(candidate) + 1 - cache.skip + outputs;
      if (candidate < intact && (cache.truncated ? total == max_depth : total <= max_depth)) {
        kept = candidate;
        r.broken = cache.broken;
        break;
      }
    }
    auto* frame = reinterpret_cast<const uintptr_t*>(fp);
    uintptr_t next = frame[0];
    uintptr_t ret = return_address(frame[1]);
    cache.fresh_frame[fresh] = fp;
    cache.fresh_word[fresh] = ret;
    cache.fresh_ret[fresh] = ret;
    cache.fresh_interpreted[fresh] = false;
    fresh++;
    if (__builtin_expect(not_code(ret), 0)) {
      r.broken = ret != 0;
      last_read_gave_address = false;
      outer_next = next;
      break;
    }
    if (__builtin_expect(outputs == max_depth, 0)) {
      r.truncated = true;
      last_read_gave_address = false;
      outer_next = next;
      break;
    }
    outputs++;
    if (interp && at_return_point(interp, ret)) {
      cache.fresh_interpreted[fresh - 1] = true;
      cache.fresh_word[fresh - 1] = bytecode_key(interp, ret, next, fp, stack_high);
    }
    if (__builtin_expect(next <= fp, 0)) {
      r.broken = next != 0 && !root.contains(ret);
      outer_next = next;
      break;
    }
    fp = next;
  }

  // The cache becomes this walk: the kept outer frames, then the new ones outermost first.
  uint32_t reads = static_cast<uint32_t>(kept + 1);
  if (kept < 0) {
    cache.skip = last_read_gave_address ? 0 : 1;
    cache.outer_next = outer_next;
    cache.broken = r.broken;
    cache.truncated = r.truncated;
  }
  uint64_t sum = kept >= 0 ? cache.hash_sum[kept] : 0;
  for (uint32_t i = fresh; i-- > 0; reads++) {
    cache.frame[reads] = cache.fresh_frame[i];
    cache.word[reads] = cache.fresh_word[i];
    cache.ret[reads] = cache.fresh_ret[i];
    cache.interpreted[reads] = cache.fresh_interpreted[i];
    if (reads >= cache.skip) sum += hash_term(cache.fresh_word[i], reads - cache.skip);
    cache.hash_sum[reads] = sum;
  }
  cache.reads = reads;
  r.truncated = cache.truncated;
  r.depth = cache.depth();
  r.reused_frames = static_cast<uint32_t>(kept + 1);
  r.new_frames = fresh;
  if (kept < 0 || fresh != 0) cache.stack = 0;
  r.hash = finish_hash(sum, r.depth);
  return r;
}

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_STACK_WALK_H_
