#include "shared_clock.h"

namespace memtrace::shared_clock {

std::atomic<uint64_t> g_published_ns{0};
std::atomic<uint32_t> g_events_per_read{1};
std::atomic<bool> g_publishing{true};

void start_ticking(uint32_t events_per_read) {
  if (events_per_read <= 1) {
    // Before this, threads read at every event too (the count was 1): nothing took a published time.
    g_publishing.store(false, std::memory_order_relaxed);
    events_per_read = 1;
  }
  g_events_per_read.store(events_per_read, std::memory_order_relaxed);
}

void forget_in_child() {
  g_events_per_read.store(1, std::memory_order_relaxed);
  g_published_ns.store(0, std::memory_order_relaxed);
}

}  // namespace memtrace::shared_clock
