#include "clock.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

namespace memtrace::clock {

State g_state;

namespace {

// The TSC is x86's: elsewhere the clock is CLOCK_MONOTONIC alone.
#if defined(__x86_64__)
// Whether the kernel keeps time with this clocksource ("tsc", "kvm-clock").
bool clocksource_is(const char* wanted) {
  FILE* f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "re");
  if (!f) return false;
  char name[32] = {0};
  bool same = fgets(name, sizeof(name), f) && strncmp(name, wanted, strlen(wanted)) == 0 &&
              name[strlen(wanted)] == '\n';
  fclose(f);
  return same;
}

// kvm-clock served by the vDSO, not by a system call (~1.4 µs against ~30 ns): see clock.h.
bool kvm_clock_in_vdso() {
  if (!clocksource_is("kvm-clock")) return false;
  constexpr int kReads = 1000;
  uint64_t start = monotonic_ns();
  for (int i = 0; i < kReads; i++) monotonic_ns();
  return (monotonic_ns() - start) / kReads < 300;
}

bool invariant_tsc() {
  FILE* f = fopen("/proc/cpuinfo", "re");
  if (!f) return false;
  char line[4096];
  bool constant = false, nonstop = false;
  while (fgets(line, sizeof(line), f)) {
    if (strncmp(line, "flags", 5) != 0) continue;
    constant = strstr(line, " constant_tsc") != nullptr;
    nonstop = strstr(line, " nonstop_tsc") != nullptr;
    break;
  }
  fclose(f);
  return constant && nonstop;
}
#endif

}  // namespace

#if defined(__x86_64__)
// Both clocks at one moment: CLOCK_MONOTONIC between two reads of the TSC, the TSC's midpoint standing for
// the moment of the monotonic read. Of a few tries, the one whose TSC reads are closest: an interrupt or a
// preemption between them would shift the pair by microseconds.
struct ClockPair {
  uint64_t monotonic;
  uint64_t tsc;
};
ClockPair read_clock_pair() {
  ClockPair best{0, 0};
  uint64_t best_gap = UINT64_MAX;
  for (int i = 0; i < 8; i++) {
    uint64_t before = __rdtsc();
    uint64_t m = monotonic_ns();
    uint64_t after = __rdtsc();
    if (after >= before && after - before < best_gap) {
      best_gap = after - before;
      best = ClockPair{m, before + (after - before) / 2};
    }
  }
  return best;
}
#endif

void calibrate() {
#if defined(__x86_64__)
  if (!invariant_tsc() || !(clocksource_is("tsc") || kvm_clock_in_vdso())) return;
  // The rate over 0.5 ms, each end known to within the ~20 ns of a monotonic read: a few parts in 10^5, a few
  // milliseconds over a recording of minutes, in times that only ever meet times of the same clock. Every
  // process pays this wait at start-up (it was 2 ms, with unbracketed reads).
  ClockPair start = read_clock_pair();
  ClockPair end;
  do {
    end = read_clock_pair();
  } while (end.monotonic - start.monotonic < 500'000);
  if (end.tsc <= start.tsc) return;
  g_state.ns_per_tick = static_cast<uint64_t>(
      (static_cast<unsigned __int128>(end.monotonic - start.monotonic) << 32) / (end.tsc - start.tsc));
  g_state.tsc = g_state.ns_per_tick != 0;
#endif
}

void set_origin() {
  g_state.monotonic_origin = monotonic_ns();
#if defined(__x86_64__)
  g_state.tsc_origin = __rdtsc();
#endif
}

}  // namespace memtrace::clock
