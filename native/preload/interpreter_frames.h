// Interpreted JS frames. V8's interpreter runs every function through one piece of code (a copy of its entry
// per function under --interpreted-frames-native-stack), so a return address in it says which function runs
// but not where: the current bytecode does. The interpreter keeps, in each frame it made, its bytecode array
// (a tagged pointer) and the bytecode offset (a Smi that includes the array's header, less the heap tag), so
// array + offset is the address of the bytecode executing, whatever the header's size. The walk keys such a
// frame by that address (+ 1, as a return address is one past its call), and the writer names it by V8's
// BYTE_CODE events, whose positions are by bytecode offset (docs/js-frames.md).
//
//   caller frame (interpreted)           fp' = the inner frame's saved fp
//   | return address | fp'[1]
//   | caller's fp    | fp'[0]
//   | context, function, argument count
//   | bytecode array | fp'[array_slot]
//   | bytecode offset| fp'[offset_slot]
//
// A frame is the interpreter's when the return address into it is one of the entry's return points: the
// agent measures where that is in V8's builtin at start-up (and that the slots hold what they should there),
// and code_space keeps the return point of each copy in ReturnPoints as V8 adds it.
#ifndef MEMTRACE_PRELOAD_INTERPRETER_FRAMES_H_
#define MEMTRACE_PRELOAD_INTERPRETER_FRAMES_H_

#include <stdint.h>

#include <atomic>

namespace memtrace {

// The interpreter's frame as the agent measured it; return_offset == 0: unknown (no lines for interpreted
// frames).
struct InterpreterLayout {
  uint32_t return_offset = 0;  // of the return point in the entry (and every copy of it)
  uint32_t entry_size = 0;     // the size of the entry's code
  int32_t array_slot = 0;      // in words from the frame pointer
  int32_t offset_slot = 0;
  int64_t first_bytecode = 0;  // the Smi value of offset 0 (the header's size less the tag)
};

// A set of return points that allocating threads read without a lock while isolate threads add and remove
// (under code_space's lock). Open addressing over words: 0 empty, 1 removed. A reader may miss a point while
// the set is rebuilt (that frame then goes without its line once); it never finds one that was not added.
class ReturnPoints {
 public:
  bool contains(uintptr_t address) const {
    const Table* t = table_.load(std::memory_order_acquire);
    if (!t) return false;
    for (uint64_t i = slot(address, t->mask), n = 0; n <= t->mask; i = (i + 1) & t->mask, n++) {
      uintptr_t v = t->words[i].load(std::memory_order_relaxed);
      if (v == address) return true;
      if (v == 0) return false;
    }
    return false;
  }
  // With code_space's lock held.
  void add(uintptr_t address);
  void remove(uintptr_t address);

 private:
  struct Table {
    uint64_t mask;
    std::atomic<uintptr_t> words[1];
  };
  static uint64_t slot(uintptr_t address, uint64_t mask) {
    return ((address >> 5) * 0x9e3779b97f4a7c15ULL >> 20) & mask;
  }
  static Table* make(uint64_t capacity);
  static void insert(Table* t, uintptr_t address);

  std::atomic<Table*> table_{nullptr};
  uint64_t live_ = 0;
  uint64_t used_ = 0;  // live and removed
};

struct InterpreterFrames {
  InterpreterLayout layout;
  ReturnPoints points;
  // Set once (by the first isolate's agent): the walk reads layout only after seeing this.
  std::atomic<bool> known{false};
  uint32_t alignment_mask = 31;  // copies of the entry start at multiples of 32 bytes
};

InterpreterFrames& interpreter_frames();

// Whether `ret` is a return point of the interpreter's entry: one subtraction and mask for most addresses, a
// look-up for one in 32.
inline bool at_return_point(const InterpreterFrames* f, uintptr_t ret) {
  return ((ret - f->layout.return_offset) & f->alignment_mask) == 0 && f->points.contains(ret);
}

// The key of the frame at return address `ret` (a return point of the interpreter's entry) read in the frame
// at `fp`, whose caller's frame pointer is `next`: the address of the caller's current bytecode + 1 if the
// caller's slots hold a bytecode array and an offset, else `ret`.
inline uintptr_t bytecode_key(const InterpreterFrames* f, uintptr_t ret, uintptr_t next, uintptr_t fp,
                              uintptr_t stack_high) {
  const InterpreterLayout& l = f->layout;
  // The caller's slots lie between this frame's two words and the caller's, inside the stack.
  if (next <= fp || next - fp < 16 + 8 * static_cast<uintptr_t>(-l.offset_slot) || next > stack_high - 16) {
    return ret;
  }
  auto* caller = reinterpret_cast<const intptr_t*>(next);
  uintptr_t array = static_cast<uintptr_t>(caller[l.array_slot]);
  intptr_t word = caller[l.offset_slot];
  // A tagged heap object; a Smi (the value in the upper half, as V8 keeps it without pointer compression).
  if ((array & 3) != 1 || (word & 0xffffffff) != 0) return ret;
  int64_t smi = word >> 32;
  // Before the first bytecode (the entry's own checks): the function's first bytecode.
  if (smi < l.first_bytecode) smi = l.first_bytecode;
  if (smi - l.first_bytecode >= (int64_t{1} << 30)) return ret;
  return array + static_cast<uintptr_t>(smi) + 1;
}

// The frame's key: its bytecode's if `ret` is a return point of the interpreter's entry, else `ret`.
inline uintptr_t interpreted_key(const InterpreterFrames* f, uintptr_t ret, uintptr_t next, uintptr_t fp,
                                 uintptr_t stack_high) {
  return at_return_point(f, ret) ? bytecode_key(f, ret, next, fp, stack_high) : ret;
}

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_INTERPRETER_FRAMES_H_
