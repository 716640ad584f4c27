// Encodes the capture format's Records (proto/memtrace.proto) by hand: a Record is a few varints and
// length-delimited fields, and writing them directly keeps libprotobuf out of every recorded process.
#ifndef MEMTRACE_PRELOAD_RECORD_WRITER_H_
#define MEMTRACE_PRELOAD_RECORD_WRITER_H_

#include <stddef.h>
#include <stdint.h>

#include "byte_buffer.h"
#include "event_buffer.h"
#include "memtrace/agent_api.h"
#include "stack_tables.h"

#include <string>

namespace memtrace::records {

// Field numbers of Record's oneof body.
enum RecordField : uint32_t {
  kHeader = 2,
  kStrings = 3,
  kFunctions = 4,
  kFrames = 5,
  kStacks = 6,
  kEvents = 7,
  kWatermark = 8,
  kMemory = 9,
  kThread = 10,
  kProcess = 11,
  kMapping = 12,
  kResolution = 14,
  kGc = 15,
  kTrailer = 17,
  kSites = 19,
  kPaired = 20,
  kCodeEvents = 22,
};

// Appends one framed Record: varint length, then the Record with its pid and `body` as field `field`.
void append(ByteBuffer& out, uint32_t pid, RecordField field, const ByteBuffer& body);

struct HeaderFields {
  // The format's major version: 4 when the scope's events are paired (pairing.h), else 1.
  uint32_t version;
  uint32_t ppid;
  const char* const* argv;  // argc entries
  size_t argc;
  const char* node_version;
  const char* hostname;
  const char* arch;
  uint64_t start_time_unix_ns;
  uint32_t max_stack_depth;
  uint64_t memory_interval_ns;
  bool children;
  uint64_t clock_resolution_ns;
  uint64_t js_sample_interval_bytes;
  uint64_t js_poll_interval_ns;
  bool js_keep_collected;
  uint64_t allocation_time_lead_ns;
  uint64_t deallocation_time_lead_ns;
  const char* v8_version;
  const char* agent;
  const char* note;  // the one note a recorder process has, or empty
};
void header(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const HeaderFields& h);

// The frames and stacks defined since the last write, frames first (stacks refer to them). Frames are
// defined unresolved (function 0); the writer thread names them later in FrameResolution records. JS frame
// keys (js_functions.h) are written as address 0.
// `parent_distance`: stacks give parent_distance in place of parent (a version-4 scope's form).
void tables(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const PendingTables& t, bool parent_distance);

void events(ByteBuffer& out, uint32_t pid, uint32_t tid, const EventBuffer& e);

void watermark(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint64_t time_ns);

struct TrailerFields {
  uint64_t time_ns;
  uint64_t allocations;
  uint64_t deallocations;
  uint64_t allocated_bytes;
  uint64_t lost_events;
  uint64_t truncated_stacks;
  uint64_t broken_stacks;
  uint64_t unresolved_frames;
  uint64_t reentrant_calls;
};
void trailer(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const TrailerFields& t);

struct ThreadFields {
  uint32_t tid;
  const char* name;
  uint32_t role;
  uint32_t worker_id;
  uint64_t time_ns;
  bool ended;
};
void thread(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const ThreadFields& t);

struct MappingFields {
  uint64_t start;
  uint64_t end;
  uint64_t file_offset;
  const char* path;
  const char* build_id;
  bool executable;
  uint64_t time_ns;
  bool removed;
};
void mapping(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const MappingFields& m);

struct CodeFields {
  uint32_t kind;
  uint64_t time_ns;
  uint64_t start;
  uint64_t size;
  uint64_t new_start;
  uint32_t function;
};
// One CodeEventBatch of `count` rows (none is written when count is 0).
void code_events(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const CodeFields* rows, size_t count);

struct FunctionFields {
  uint32_t name;
  uint32_t file;
  uint32_t module;
  uint32_t line;
  uint32_t column;
  uint32_t kind;
};

// StringTable: first_id(1), values(2)*.
void strings(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint32_t first_id, const std::string* values,
             size_t count);
// FunctionTable: first_id(1), functions(2)* {name(1), file(2), module(3), line(4), column(5), kind(6)}.
void functions(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint32_t first_id,
               const FunctionFields* values, size_t count);
// FrameResolution: frame(1), function(2), line(3), column(4), packed; line and column only when a frame has a
// position.
void resolution(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const uint32_t* frames,
                const uint32_t* functions, const uint32_t* lines, const uint32_t* columns, size_t count);

struct MemoryRow {
  uint64_t time_ns;
  uint64_t rss;
  uint64_t js_heap_used;
  uint64_t js_heap_total;
  uint64_t external;
  uint64_t array_buffers;
};
// MemorySamples: tid(1), time_ns(2), rss(3), js_heap_used(4), js_heap_total(5), external(6),
// array_buffers(7), packed. tid 0 rows carry rss only; an isolate's rows carry the heap figures only.
void memory(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint32_t tid, const MemoryRow* rows,
            size_t count);

// JS heap events of one thread, all at `time_ns` (memtrace_js_sample in agent_api.h; a freed sample's bytes,
// objects and stack are written as 0). EventBatch: tid(1), time_ns(2), kind(3), address_delta(5), size(6),
// stack(7), count(8), packed; no time_delta column (every delta is 0).
void js_samples(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint32_t tid, uint64_t time_ns,
                const memtrace_js_sample* samples, size_t count);

struct GcFields {
  uint32_t tid;
  uint64_t time_ns;
  uint64_t duration_ns;
  uint32_t kind;
  uint64_t heap_before;
  uint64_t heap_after;
};
// GcEvent: tid(1), time_ns(2), duration_ns(3), kind(4), heap_before(5), heap_after(6).
void gc(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const GcFields& g);

// Values of proto/memtrace.proto's ProcessEventKind that the recorder writes.
enum ProcessEventKind : uint32_t {
  kAppEnded = 5,
};
// ProcessEvent: kind(1), time_ns(2), tid(7).
void app_ended(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint32_t tid, uint64_t time_ns);

}  // namespace memtrace::records

#endif  // MEMTRACE_PRELOAD_RECORD_WRITER_H_
