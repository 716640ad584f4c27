// The recorder's clock: nanoseconds since the scope's time 0, read on every event.
//
// CLOCK_MONOTONIC through the vDSO costs ~29 ns under kvm-clock; reading the CPU's time-stamp counter after
// an LFENCE costs ~19. The TSC is used, scaled by a rate measured against CLOCK_MONOTONIC at start-up, when
// it is invariant (constant_tsc, nonstop_tsc) and in step on every CPU, which the kernel vouches for in
// either of two ways: its clocksource is "tsc" (it checked the CPUs' counters), or it is "kvm-clock" read
// through the vDSO without a system call, which Linux does only when the hypervisor sets
// PVCLOCK_TSC_STABLE_BIT (then the vDSO itself scales the raw TSC of whatever CPU it runs on, as this clock
// does). Otherwise it is CLOCK_MONOTONIC. Events of different threads must keep their order: the LFENCE keeps
// RDTSC from running ahead of the instructions before it (the lock taken to append the event), as the vDSO's
// own read does; allocations and frees skip it (unordered_now_ns) and readers allow for that (see
// recorder.h). Every time in a scope (events, watermarks, samples) comes from this one clock, so they agree
// with each other.
#ifndef MEMTRACE_PRELOAD_CLOCK_H_
#define MEMTRACE_PRELOAD_CLOCK_H_

#include <stdint.h>
#include <time.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace memtrace::clock {

struct State {
  bool tsc = false;
  uint64_t tsc_origin = 0;
  // Nanoseconds per tick, as a 32.32 fixed-point number.
  uint64_t ns_per_tick = 0;
  uint64_t monotonic_origin = 0;
};
extern State g_state;

inline uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(ts.tv_nsec);
}

template <bool kOrdered>
inline uint64_t read_ns() {
#if defined(__x86_64__)
  if (g_state.tsc) {
    if (kOrdered) _mm_lfence();
    uint64_t ticks = __rdtsc() - g_state.tsc_origin;
    return static_cast<uint64_t>((static_cast<unsigned __int128>(ticks) * g_state.ns_per_tick) >> 32);
  }
#endif
  return monotonic_ns() - g_state.monotonic_origin;
}

inline uint64_t now_ns() { return read_ns<true>(); }
inline uint64_t unordered_now_ns() { return read_ns<false>(); }

// Once per process: chooses the source and measures the TSC's rate (a 0.5 ms wait).
void calibrate();
// Time 0 of a new scope (the process's start, or a fork child's).
void set_origin();

}  // namespace memtrace::clock

#endif  // MEMTRACE_PRELOAD_CLOCK_H_
