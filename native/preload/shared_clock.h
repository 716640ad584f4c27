// The time of allocations, frees and mappings: the latest reading of the clock that any thread of the process
// published. A thread reads the clock itself on one event in Settings.events_per_clock_read (64; and on
// every mapping), and publishes it; its other events take the published time, one load. The writer thread
// publishes too, at each of its ticks (every 10 ms with the memory timeline on, else every flush), so a time
// is never older than that, and in a thread that allocates millions of times a second it is microseconds old.
//
// Why: reading the TSC was the largest part of an event after its stack (a malloc and free in a loop under
// 8 frames took 63 ns recorded, 40 ns without the two reads; RDTSC alone is ~7 ns on this VM). A ticker
// thread that published the clock every millisecond instead cost as much again in wall time on this 2-core VM
// (1000 wake-ups a second); every 10 ms it did not, but then times were 10 ms coarse everywhere.
//
// What it keeps: the order. The published time only grows (a reading is published only if it is later), so
// an event that happens before another (a free, then another thread's malloc handing out the same block)
// takes a time no later than the other's, up to the lead of a TSC read made without a fence (recorder.h),
// which the published readings carry. Events of different threads between two readings share a time; their
// order is not taken from it (readers pair frees with allocations as for the lead, src/transforms/live.ts),
// and the Header's clock_resolution_ns says how old a time may be.
#ifndef MEMTRACE_PRELOAD_SHARED_CLOCK_H_
#define MEMTRACE_PRELOAD_SHARED_CLOCK_H_

#include <stdint.h>

#include <atomic>

namespace memtrace::shared_clock {

// The latest published reading (clock.h's time since the scope's time 0), or 0 when none yet.
extern std::atomic<uint64_t> g_published_ns;
// How many events a thread takes the published time for between two readings of its own, plus one: 1 until
// the writer thread publishes at its ticks (a fork child before it connects reads the clock at every event,
// as nothing else would keep the time fresh), or when set so (--exact-times).
extern std::atomic<uint32_t> g_events_per_read;
// False when every event of the run reads the clock (--exact-times): then no event takes the published time,
// and a reading need not pay for the compare-and-swap on a line that every thread writes.
extern std::atomic<bool> g_publishing;

inline uint64_t published_ns() { return g_published_ns.load(std::memory_order_relaxed); }

// Publishes `reading` if it is later than the published time; returns the published time after (at least
// `reading`, or a later one another thread published meanwhile).
inline uint64_t publish(uint64_t reading) {
  uint64_t current = g_published_ns.load(std::memory_order_relaxed);
  while (reading > current) {
    if (g_published_ns.compare_exchange_weak(current, reading, std::memory_order_relaxed)) return reading;
  }
  return current;
}

// An event's time. `countdown` is the thread's: events left before its next reading.
template <typename ReadClock>
inline uint64_t event_ns(uint32_t& countdown, ReadClock read_clock) {
  uint64_t published = published_ns();
  if (__builtin_expect(countdown != 0 && published != 0, 1)) {
    countdown--;
    return published;
  }
  countdown = g_events_per_read.load(std::memory_order_relaxed) - 1;
  uint64_t reading = read_clock();
  return g_publishing.load(std::memory_order_relaxed) ? publish(reading) : reading;
}

// The writer thread ticks: from now on threads read the clock once every `events_per_read` events (1: every
// event, and nothing is published).
void start_ticking(uint32_t events_per_read);
// In a fork child: the parent's readings are of its own time 0, and no writer ticks yet.
void forget_in_child();

}  // namespace memtrace::shared_clock

#endif  // MEMTRACE_PRELOAD_SHARED_CLOCK_H_
