#include "shared_clock.h"

namespace memtrace::shared_clock {

std::atomic<uint64_t> g_published_ns{0};
std::atomic<uint32_t> g_events_per_read{1};

void start_ticking(uint32_t events_per_read) {
  g_events_per_read.store(events_per_read ? events_per_read : 1, std::memory_order_relaxed);
}

void forget_in_child() {
  g_events_per_read.store(1, std::memory_order_relaxed);
  g_published_ns.store(0, std::memory_order_relaxed);
}

}  // namespace memtrace::shared_clock
