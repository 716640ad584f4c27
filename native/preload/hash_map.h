// An open-addressing hash map from non-zero 64-bit keys to 32-bit values, on the real allocator. Small and
// predictable: the interning tables are probed with the global tables lock held, so lookups must be short.
#ifndef MEMTRACE_PRELOAD_HASH_MAP_H_
#define MEMTRACE_PRELOAD_HASH_MAP_H_

#include <stddef.h>
#include <stdint.h>

#include <utility>

#include "hooks.h"

namespace memtrace {

inline uint64_t mix64(uint64_t x) {
  // The finaliser of MurmurHash3: every input bit affects every output bit.
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

class U64Map {
 public:
  U64Map() = default;
  U64Map(const U64Map&) = delete;
  U64Map& operator=(const U64Map&) = delete;
  ~U64Map() { hooks::raw_free(slots_); }

  // The value for `key`, or 0.
  uint32_t find(uint64_t key) const {
    if (!slots_) return 0;
    for (size_t i = mix64(key) & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return slots_[i].value;
      if (slots_[i].key == 0) return 0;
    }
  }

  // Inserts a key known to be absent. Returns false if memory ran out.
  bool insert(uint64_t key, uint32_t value) {
    if ((used_ + 1) * 2 > capacity() && !grow()) return false;
    place(key, value);
    used_++;
    return true;
  }

  // Sets the value of `key`, inserting it if absent. Returns false if memory ran out.
  bool set(uint64_t key, uint32_t value) {
    if (slots_) {
      for (size_t i = mix64(key) & mask_; slots_[i].key != 0; i = (i + 1) & mask_) {
        if (slots_[i].key == key) {
          slots_[i].value = value;
          return true;
        }
      }
    }
    return insert(key, value);
  }

  // Removes `key` if present. Linear probing keeps every key reachable from its home slot without a gap: the
  // keys after the removed one in its run move back into the hole when their home allows it.
  void erase(uint64_t key) {
    if (!slots_) return;
    size_t hole = mix64(key) & mask_;
    while (slots_[hole].key != key) {
      if (slots_[hole].key == 0) return;
      hole = (hole + 1) & mask_;
    }
    for (size_t i = (hole + 1) & mask_; slots_[i].key != 0; i = (i + 1) & mask_) {
      size_t home = mix64(slots_[i].key) & mask_;
      // Movable unless its home lies cyclically in (hole, i].
      bool home_after_hole = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
      if (home_after_hole) continue;
      slots_[hole] = slots_[i];
      hole = i;
    }
    slots_[hole] = Slot{0, 0};
    used_--;
  }

  void clear() {
    hooks::raw_free(slots_);
    slots_ = nullptr;
    mask_ = 0;
    used_ = 0;
  }

 private:
  struct Slot {
    uint64_t key;
    uint32_t value;
  };

  size_t capacity() const { return slots_ ? mask_ + 1 : 0; }

  void place(uint64_t key, uint32_t value) {
    size_t i = mix64(key) & mask_;
    while (slots_[i].key != 0) i = (i + 1) & mask_;
    slots_[i] = Slot{key, value};
  }

  bool grow() {
    size_t capacity = slots_ ? (mask_ + 1) * 2 : 4096;
    auto* fresh = static_cast<Slot*>(hooks::raw_calloc(capacity, sizeof(Slot)));
    if (!fresh) return false;
    Slot* old = slots_;
    size_t old_capacity = this->capacity();
    slots_ = fresh;
    mask_ = capacity - 1;
    for (size_t i = 0; i < old_capacity; i++) {
      if (old[i].key) place(old[i].key, old[i].value);
    }
    hooks::raw_free(old);
    return true;
  }

  Slot* slots_ = nullptr;
  size_t mask_ = 0;
  size_t used_ = 0;
};

// A growable array of trivially copyable values, on the real allocator.
template <typename T>
class Vec {
 public:
  Vec() = default;
  Vec(const Vec&) = delete;
  Vec& operator=(const Vec&) = delete;
  ~Vec() { hooks::raw_free(data_); }

  bool push(const T& v) {
    if (size_ == capacity_) {
      size_t capacity = capacity_ ? capacity_ * 2 : 1024;
      auto* grown = static_cast<T*>(hooks::raw_malloc(capacity * sizeof(T)));
      if (!grown) return false;
      for (size_t i = 0; i < size_; i++) grown[i] = data_[i];
      hooks::raw_free(data_);
      data_ = grown;
      capacity_ = capacity;
    }
    data_[size_++] = v;
    return true;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](size_t i) const { return data_[i]; }
  T& operator[](size_t i) { return data_[i]; }
  void clear() { size_ = 0; }
  void swap(Vec& other) {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_HASH_MAP_H_
