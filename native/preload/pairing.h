// Pairing at record time (format version 4, MEMTRACE_PAIRED=1): the writer thread merges the threads' events
// by time up to each round's Watermark, pairs every free with its allocation as src/transforms/live.ts does
// (the time leads, frees of memory allocated before recording), and writes SiteTable and PairedBatch Records
// (proto/memtrace.proto) instead of EventBatches. src/transforms/pair.ts is the reference it follows; fold of
// its output equals fold of the same events unpaired (test/record/paired.test.ts).
//
// App threads only copy their buffer's columns into the held bytes (hold_events, under the channel's append
// lock, as they copy them into the channel otherwise); everything else runs on the writer thread, under its
// round.
#ifndef MEMTRACE_PRELOAD_PAIRING_H_
#define MEMTRACE_PRELOAD_PAIRING_H_

#include <stddef.h>
#include <stdint.h>

#include "byte_buffer.h"
#include "event_buffer.h"
#include "memtrace/agent_api.h"

namespace memtrace::pairing {

// Appends a thread's events (as its buffer holds them) to the held bytes.
void hold_events(ByteBuffer& held, uint32_t tid, const EventBuffer& e);
// Appends a thread's JS heap samples, all at `time_ns`.
void hold_js_samples(ByteBuffer& held, uint32_t tid, uint64_t time_ns, const memtrace_js_sample* samples,
                     size_t count);

// The writer thread's side. One per process scope.
void start_scope(uint64_t allocation_lead_ns, uint64_t deallocation_lead_ns);
// Takes the held bytes (which it leaves empty), pairs every event with a time before `limit` (UINT64_MAX:
// all), and appends the Records to `out`.
void pair_until(ByteBuffer& held, uint64_t limit, ByteBuffer& out, ByteBuffer& scratch, uint32_t pid);
// Bytes of events taken and not yet paired (they count toward the channel's limit: recorder.cpp).
size_t waiting_bytes();

}  // namespace memtrace::pairing

#endif  // MEMTRACE_PRELOAD_PAIRING_H_
