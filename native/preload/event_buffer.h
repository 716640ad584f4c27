// One thread's events since its last flush, already in the columns of an EventBatch (see record_writer.cpp).
//
// Fixed capacity, no allocation: appending costs a few stores. Each column is sized for its worst case
// (10 bytes per varint), so append never checks for room; the caller flushes when full() says so.
#ifndef MEMTRACE_PRELOAD_EVENT_BUFFER_H_
#define MEMTRACE_PRELOAD_EVENT_BUFFER_H_

#include <stddef.h>
#include <stdint.h>

#include "byte_buffer.h"

namespace memtrace {

struct EventBuffer {
  // 4096 events make a batch of about 25 KiB at ~6 bytes an event: small enough to flush often, large enough
  // that the per-batch cost (a Record header, one lock of the channel) is noise.
  static constexpr size_t kMaxEvents = 4096;

  uint32_t count = 0;
  uint64_t first_time = 0;
  uint64_t last_time = 0;
  uint64_t last_address = 0;
  size_t time_bytes = 0;
  size_t address_bytes = 0;
  size_t size_bytes = 0;
  size_t stack_bytes = 0;

  uint8_t kind[kMaxEvents];
  uint8_t time_delta[kMaxEvents * 10];
  uint8_t address_delta[kMaxEvents * 10];
  uint8_t size[kMaxEvents * 10];
  uint8_t stack[kMaxEvents * 5];

  bool full() const { return count == kMaxEvents; }

  void append(uint8_t event_kind, uint64_t time, uint64_t address, uint64_t bytes, uint32_t stack_id) {
    // A thread's times never go back, whatever the clock does (a VM restored on another host, or an unordered
    // read that ran ahead of the ordered one before it), across batches too: deltas are unsigned.
    if (time < last_time) time = last_time;
    if (count == 0) {
      first_time = last_time = time;
      last_address = 0;
    }
    kind[count] = event_kind;
    time_bytes = put_varint(time_delta + time_bytes, time - last_time) - time_delta;
    address_bytes =
        put_varint(address_delta + address_bytes, zigzag(static_cast<int64_t>(address - last_address))) -
        address_delta;
    size_bytes = put_varint(size + size_bytes, bytes) - size;
    stack_bytes = put_varint(stack + stack_bytes, stack_id) - stack;
    last_time = time;
    last_address = address;
    count++;
  }

  // After a flush: the thread's last time stays, as the floor of its next batch.
  void clear() {
    count = 0;
    time_bytes = address_bytes = size_bytes = stack_bytes = 0;
  }

  // In a fork child, whose scope has a new time 0.
  void reset() {
    clear();
    last_time = 0;
  }
};

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_EVENT_BUFFER_H_
