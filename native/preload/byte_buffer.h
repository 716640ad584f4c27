// A growable byte buffer with protobuf's base-128 varint and a few field helpers.
//
// It allocates through the real allocator (hooks::raw_*), so the recorder can use it on any thread without
// recording itself. Wire types used by the capture format: 0 (varint) and 2 (length-delimited).
#ifndef MEMTRACE_PRELOAD_BYTE_BUFFER_H_
#define MEMTRACE_PRELOAD_BYTE_BUFFER_H_

#include <stddef.h>
#include <stdint.h>

#include <string.h>
#include <utility>

#include "hooks.h"

namespace memtrace {

// Bytes needed for `v` as a varint: 1 for 0-127, 2 up to 2^14-1, ... 10 for 2^63 and above.
inline size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

// Writes `v` at `p` (which must have 10 bytes of room); returns the byte after it.
inline uint8_t* put_varint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v) | 0x80;
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}

inline uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

enum WireType : uint32_t { kVarint = 0, kLengthDelimited = 2 };

inline uint64_t tag(uint32_t field, WireType type) { return (static_cast<uint64_t>(field) << 3) | type; }

class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;
  ~ByteBuffer() { hooks::raw_free(data_); }

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() { size_ = 0; }
  void swap(ByteBuffer& other) {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

  void reserve(size_t more) {
    if (size_ + more <= capacity_) return;
    size_t capacity = capacity_ ? capacity_ * 2 : 4096;
    while (capacity < size_ + more) capacity *= 2;
    auto* grown = static_cast<uint8_t*>(hooks::raw_malloc(capacity));
    if (size_) memcpy(grown, data_, size_);
    hooks::raw_free(data_);
    data_ = grown;
    capacity_ = capacity;
  }

  void varint(uint64_t v) {
    reserve(10);
    size_ = put_varint(data_ + size_, v) - data_;
  }
  void bytes(const void* p, size_t n) {
    reserve(n);
    if (n) memcpy(data_ + size_, p, n);
    size_ += n;
  }

  // Field helpers. Zero scalars are left out, as proto3 writers do: readers take absent as 0.
  void uint_field(uint32_t field, uint64_t v) {
    if (v == 0) return;
    varint(tag(field, kVarint));
    varint(v);
  }
  void bool_field(uint32_t field, bool v) { uint_field(field, v ? 1 : 0); }
  void bytes_field(uint32_t field, const void* p, size_t n) {
    varint(tag(field, kLengthDelimited));
    varint(n);
    bytes(p, n);
  }
  void string_field(uint32_t field, const char* s) {
    if (s && *s) bytes_field(field, s, strlen(s));
  }
  // A string that must be written even when empty (an entry of a repeated string).
  void repeated_string(uint32_t field, const char* s, size_t n) { bytes_field(field, s, n); }
  void message_field(uint32_t field, const ByteBuffer& body) { bytes_field(field, body.data(), body.size()); }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// A packed repeated varint column being built: the entries without their tag and length.
class PackedColumn {
 public:
  void add(uint64_t v) { buffer_.varint(v); }
  void add_signed(int64_t v) { buffer_.varint(zigzag(v)); }
  // Writes the column as field `field` of `out`; an empty column is left out (readers take it as defaults).
  void write(uint32_t field, ByteBuffer& out) const {
    if (!buffer_.empty()) out.bytes_field(field, buffer_.data(), buffer_.size());
  }
  void clear() { buffer_.clear(); }

 private:
  ByteBuffer buffer_;
};

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_BYTE_BUFFER_H_
