#include "interpreter_frames.h"

#include <sys/mman.h>

#include <new>
#include <vector>

namespace memtrace {

namespace {
constexpr uintptr_t kRemoved = 1;
constexpr uint64_t kFirstCapacity = 1024;
}  // namespace

ReturnPoints::Table* ReturnPoints::make(uint64_t capacity) {
  size_t bytes = sizeof(Table) + (capacity - 1) * sizeof(std::atomic<uintptr_t>);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  auto* t = static_cast<Table*>(p);  // zeroed: every word empty
  t->mask = capacity - 1;
  return t;
}

void ReturnPoints::insert(Table* t, uintptr_t address) {
  for (uint64_t i = slot(address, t->mask);; i = (i + 1) & t->mask) {
    uintptr_t v = t->words[i].load(std::memory_order_relaxed);
    if (v == address) return;
    if (v == 0 || v == kRemoved) {
      t->words[i].store(address, std::memory_order_release);
      return;
    }
  }
}

void ReturnPoints::add(uintptr_t address) {
  if (address <= kRemoved || contains(address)) return;
  Table* t = table_.load(std::memory_order_relaxed);
  uint64_t capacity = t ? t->mask + 1 : 0;
  if ((used_ + 1) * 2 > capacity) {
    std::vector<uintptr_t> keep;
    keep.reserve(live_);
    for (uint64_t i = 0; t && i < capacity; i++) {
      uintptr_t v = t->words[i].load(std::memory_order_relaxed);
      if (v > kRemoved) keep.push_back(v);
    }
    if ((live_ + 1) * 4 > capacity) {
      // A table twice as large; readers may still be in the old one, which is left as it is (the tables
      // given up add up to less than the one in use).
      Table* bigger = make(capacity ? capacity * 2 : kFirstCapacity);
      if (!bigger) return;
      for (uintptr_t v : keep) insert(bigger, v);
      table_.store(bigger, std::memory_order_release);
      t = bigger;
    } else {
      // Mostly removed points: emptied and filled again in place. A reader meanwhile may miss a point.
      for (uint64_t i = 0; i < capacity; i++) t->words[i].store(0, std::memory_order_relaxed);
      for (uintptr_t v : keep) insert(t, v);
    }
    used_ = live_ = keep.size();
  }
  insert(t, address);
  live_++;
  used_++;
}

void ReturnPoints::remove(uintptr_t address) {
  Table* t = table_.load(std::memory_order_relaxed);
  if (!t || address <= kRemoved) return;
  for (uint64_t i = slot(address, t->mask), n = 0; n <= t->mask; i = (i + 1) & t->mask, n++) {
    uintptr_t v = t->words[i].load(std::memory_order_relaxed);
    if (v == 0) return;
    if (v == address) {
      t->words[i].store(kRemoved, std::memory_order_release);
      live_--;
      return;
    }
  }
}

InterpreterFrames& interpreter_frames() {
  // Never destroyed: walks read it until the very end of exit().
  alignas(InterpreterFrames) static unsigned char storage[sizeof(InterpreterFrames)];
  static InterpreterFrames* f = new (storage) InterpreterFrames();
  return *f;
}

}  // namespace memtrace
