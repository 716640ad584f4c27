// Byte layouts, as written. Every Record goes out framed by its length:
//
//   +----------------+------+-----+-----------------+----------------+------------------+
//   | varint len(R)  | 0x08 | pid | tag(body field) | varint len(B)  | body B ...       |
//   +----------------+------+-----+-----------------+----------------+------------------+
//                    '------------------------- Record R --------------------------------'
//
// A tag is (field number << 3 | wire type): 0 for varints, 2 for length-delimited fields (strings,
// messages, packed columns). Scalar fields that are 0 are left out, as proto3 readers expect.
#include "record_writer.h"

#include <string.h>

#include "js_functions.h"

namespace memtrace::records {

void append(ByteBuffer& out, uint32_t pid, RecordField field, const ByteBuffer& body) {
  uint64_t body_tag = tag(field, kLengthDelimited);
  size_t record = 1 + varint_size(pid) + varint_size(body_tag) + varint_size(body.size()) + body.size();
  out.reserve(10 + record);
  out.varint(record);
  out.varint(tag(1, kVarint));
  out.varint(pid);
  out.varint(body_tag);
  out.varint(body.size());
  out.bytes(body.data(), body.size());
}

// Header: format(1) "memtrace", version(2) 1 or 3 (paired), content(3) RAW=1, writer(4), ppid(5), argv(6)*,
// node_version(8), hostname(9), platform(10), arch(11), start_time_unix_ns(12), settings(13)
// {max_stack_depth(1), js_sample_interval_bytes(2), js_poll_interval_ns(3), memory_interval_ns(4), native(5),
// children(6), clock_resolution_ns(7), js_keep_collected(8), allocation_time_lead_ns(9),
// deallocation_time_lead_ns(10)},
// event_order(14) ORDER_PER_THREAD=0, v8_version(16), agent(17), notes(18)*.
void header(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const HeaderFields& h) {
  ByteBuffer settings;
  settings.uint_field(1, h.max_stack_depth);
  settings.uint_field(2, h.js_sample_interval_bytes);
  settings.uint_field(3, h.js_poll_interval_ns);
  settings.uint_field(4, h.memory_interval_ns);
  settings.bool_field(5, true);
  settings.bool_field(6, h.children);
  settings.uint_field(7, h.clock_resolution_ns);
  settings.bool_field(8, h.js_keep_collected);
  settings.uint_field(9, h.allocation_time_lead_ns);
  settings.uint_field(10, h.deallocation_time_lead_ns);

  scratch.clear();
  scratch.string_field(1, "memtrace");
  scratch.uint_field(2, h.version);
  scratch.uint_field(3, 1);
  scratch.string_field(4, "memtrace-recorder " MEMTRACE_VERSION);
  scratch.uint_field(5, h.ppid);
  for (size_t i = 0; i < h.argc; i++) scratch.repeated_string(6, h.argv[i], strlen(h.argv[i]));
  scratch.string_field(8, h.node_version);
  scratch.string_field(9, h.hostname);
  scratch.string_field(10, "linux");
  scratch.string_field(11, h.arch);
  scratch.uint_field(12, h.start_time_unix_ns);
  scratch.message_field(13, settings);
  scratch.string_field(16, h.v8_version);
  scratch.string_field(17, h.agent);
  if (h.note && *h.note) scratch.repeated_string(18, h.note, strlen(h.note));
  append(out, pid, kHeader, scratch);
}

// FrameTable: first_id(1), function(2) packed (all 0: unresolved), address(3) packed (0 for JS frame keys).
// StackTable: first_id(1), parent(2) packed or parent_distance(4) packed, frame(3) packed.
void tables(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const PendingTables& t,
            bool parent_distance) {
  if (!t.frame_address.empty()) {
    PackedColumn function, address;
    for (size_t i = 0; i < t.frame_address.size(); i++) {
      function.add(0);
      address.add(is_js_frame_key(t.frame_address[i]) ? 0 : t.frame_address[i]);
    }
    scratch.clear();
    scratch.uint_field(1, t.first_frame);
    function.write(2, scratch);
    address.write(3, scratch);
    append(out, pid, kFrames, scratch);
  }
  if (!t.stack_parent.empty()) {
    PackedColumn parent, frame;
    for (size_t i = 0; i < t.stack_parent.size(); i++) {
      // A stack's parent is mostly one defined just before it: a small distance, where the id grows.
      parent.add(parent_distance ? t.first_stack + i - t.stack_parent[i] : t.stack_parent[i]);
      frame.add(t.stack_frame[i]);
    }
    scratch.clear();
    scratch.uint_field(1, t.first_stack);
    parent.write(parent_distance ? 4 : 2, scratch);
    frame.write(3, scratch);
    append(out, pid, kStacks, scratch);
  }
}

// EventBatch: tid(1), time_ns(2), kind(3), time_delta(4), address_delta(5) zigzag, size(6), stack(7), the
// last five packed. The columns are already encoded in the thread's buffer, so the body is assembled by
// size, without a scratch copy.
void events(ByteBuffer& out, uint32_t pid, uint32_t tid, const EventBuffer& e) {
  struct Column {
    uint32_t field;
    const uint8_t* data;
    size_t size;
  } columns[] = {
      {3, e.kind, e.count},      {4, e.time_delta, e.time_bytes}, {5, e.address_delta, e.address_bytes},
      {6, e.size, e.size_bytes}, {7, e.stack, e.stack_bytes},
  };
  size_t body = 1 + varint_size(tid) + (e.first_time ? 1 + varint_size(e.first_time) : 0);
  for (const Column& c : columns) body += 1 + varint_size(c.size) + c.size;
  uint64_t body_tag = tag(kEvents, kLengthDelimited);
  size_t record = 1 + varint_size(pid) + varint_size(body_tag) + varint_size(body) + body;
  out.reserve(10 + record);
  out.varint(record);
  out.varint(tag(1, kVarint));
  out.varint(pid);
  out.varint(body_tag);
  out.varint(body);
  out.varint(tag(1, kVarint));
  out.varint(tid);
  out.uint_field(2, e.first_time);
  for (const Column& c : columns) out.bytes_field(c.field, c.data, c.size);
}

// Watermark: time_ns(1).
void watermark(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint64_t time_ns) {
  scratch.clear();
  scratch.uint_field(1, time_ns);
  append(out, pid, kWatermark, scratch);
}

// Trailer: time_ns(1), allocations(2), deallocations(3), allocated_bytes(4), lost_events(5),
// truncated_stacks(6), broken_stacks(7), unresolved_frames(8), reentrant_calls(9).
void trailer(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const TrailerFields& t) {
  scratch.clear();
  scratch.uint_field(1, t.time_ns);
  scratch.uint_field(2, t.allocations);
  scratch.uint_field(3, t.deallocations);
  scratch.uint_field(4, t.allocated_bytes);
  scratch.uint_field(5, t.lost_events);
  scratch.uint_field(6, t.truncated_stacks);
  scratch.uint_field(7, t.broken_stacks);
  scratch.uint_field(8, t.unresolved_frames);
  scratch.uint_field(9, t.reentrant_calls);
  append(out, pid, kTrailer, scratch);
}

// ThreadInfo: tid(1), name(2), role(3), worker_id(4), time_ns(5), ended(6).
void thread(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const ThreadFields& t) {
  scratch.clear();
  scratch.uint_field(1, t.tid);
  scratch.string_field(2, t.name);
  scratch.uint_field(3, t.role);
  scratch.uint_field(4, t.worker_id);
  scratch.uint_field(5, t.time_ns);
  scratch.bool_field(6, t.ended);
  append(out, pid, kThread, scratch);
}

// Mapping: start(1), end(2), file_offset(3), path(4), build_id(5), executable(6), time_ns(7), removed(8).
void mapping(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const MappingFields& m) {
  scratch.clear();
  scratch.uint_field(1, m.start);
  scratch.uint_field(2, m.end);
  scratch.uint_field(3, m.file_offset);
  scratch.string_field(4, m.path);
  scratch.string_field(5, m.build_id);
  scratch.bool_field(6, m.executable);
  scratch.uint_field(7, m.time_ns);
  scratch.bool_field(8, m.removed);
  append(out, pid, kMapping, scratch);
}

// CodeEventBatch: kind(1), time_ns(2), time_delta(3, zigzag), start_delta(4, zigzag, from the row before's
// end), size(5), new_start_delta(6, zigzag, MOVED rows), function_delta(7, zigzag, from the last non-zero
// function).
void code_events(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const CodeFields* rows, size_t count) {
  if (count == 0) return;
  PackedColumn kind, time, start, size, new_start, function;
  uint64_t last_time = rows[0].time_ns, last_end = 0;
  uint32_t last_function = 0;
  bool moved = false;
  for (size_t i = 0; i < count; i++) {
    const CodeFields& c = rows[i];
    kind.add(c.kind);
    time.add_signed(static_cast<int64_t>(c.time_ns - last_time));
    start.add_signed(static_cast<int64_t>(c.start - last_end));
    size.add(c.size);
    new_start.add_signed(c.new_start ? static_cast<int64_t>(c.new_start - c.start) : 0);
    function.add_signed(c.function ? static_cast<int64_t>(c.function) - last_function : 0);
    moved = moved || c.new_start != 0;
    last_time = c.time_ns;
    last_end = c.start + c.size;
    if (c.function) last_function = c.function;
  }
  scratch.clear();
  kind.write(1, scratch);
  scratch.uint_field(2, rows[0].time_ns);
  time.write(3, scratch);
  start.write(4, scratch);
  size.write(5, scratch);
  if (moved) new_start.write(6, scratch);
  function.write(7, scratch);
  append(out, pid, kCodeEvents, scratch);
}

void strings(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint32_t first_id, const std::string* values,
             size_t count) {
  scratch.clear();
  scratch.uint_field(1, first_id);
  for (size_t i = 0; i < count; i++) scratch.repeated_string(2, values[i].data(), values[i].size());
  append(out, pid, kStrings, scratch);
}

void functions(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint32_t first_id,
               const FunctionFields* values, size_t count) {
  scratch.clear();
  scratch.uint_field(1, first_id);
  ByteBuffer f;
  for (size_t i = 0; i < count; i++) {
    f.clear();
    f.uint_field(1, values[i].name);
    f.uint_field(2, values[i].file);
    f.uint_field(3, values[i].module);
    f.uint_field(4, values[i].line);
    f.uint_field(5, values[i].column);
    f.uint_field(6, values[i].kind);
    scratch.message_field(2, f);
  }
  append(out, pid, kFunctions, scratch);
}

void resolution(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const uint32_t* frames,
                const uint32_t* functions, const uint32_t* lines, const uint32_t* columns, size_t count) {
  PackedColumn frame, function, line, column;
  bool positioned = false;
  for (size_t i = 0; i < count; i++) {
    frame.add(frames[i]);
    function.add(functions[i]);
    positioned = positioned || lines[i] != 0;
  }
  scratch.clear();
  frame.write(1, scratch);
  function.write(2, scratch);
  // Line and column only when some frame has one: most rounds name native frames alone.
  if (positioned) {
    for (size_t i = 0; i < count; i++) {
      line.add(lines[i]);
      column.add(columns[i]);
    }
    line.write(3, scratch);
    column.write(4, scratch);
  }
  append(out, pid, kResolution, scratch);
}

void memory(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint32_t tid, const MemoryRow* rows,
            size_t count) {
  PackedColumn time, rss, used, total, external, array_buffers;
  for (size_t i = 0; i < count; i++) {
    time.add(rows[i].time_ns);
    if (tid == 0) {
      rss.add(rows[i].rss);
    } else {
      used.add(rows[i].js_heap_used);
      total.add(rows[i].js_heap_total);
      external.add(rows[i].external);
      array_buffers.add(rows[i].array_buffers);
    }
  }
  scratch.clear();
  scratch.uint_field(1, tid);
  time.write(2, scratch);
  rss.write(3, scratch);
  used.write(4, scratch);
  total.write(5, scratch);
  external.write(6, scratch);
  array_buffers.write(7, scratch);
  append(out, pid, kMemory, scratch);
}

void js_samples(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint32_t tid, uint64_t time_ns,
                const memtrace_js_sample* samples, size_t count) {
  // JS_SAMPLE and JS_SAMPLE_FREED of proto/memtrace.proto's EventKind.
  constexpr uint64_t kJsSample = 13, kJsSampleFreed = 69;
  PackedColumn kind, address, size, stack, objects;
  uint64_t last = 0;
  for (size_t i = 0; i < count; i++) {
    const memtrace_js_sample& s = samples[i];
    kind.add(s.freed ? kJsSampleFreed : kJsSample);
    address.add_signed(static_cast<int64_t>(s.id - last));
    last = s.id;
    size.add(s.freed ? 0 : s.bytes);
    stack.add(s.freed ? 0 : s.stack);
    objects.add(s.freed ? 0 : s.objects);
  }
  scratch.clear();
  scratch.uint_field(1, tid);
  scratch.uint_field(2, time_ns);
  kind.write(3, scratch);
  address.write(5, scratch);
  size.write(6, scratch);
  stack.write(7, scratch);
  objects.write(8, scratch);
  append(out, pid, kEvents, scratch);
}

void gc(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, const GcFields& g) {
  scratch.clear();
  scratch.uint_field(1, g.tid);
  scratch.uint_field(2, g.time_ns);
  scratch.uint_field(3, g.duration_ns);
  scratch.uint_field(4, g.kind);
  scratch.uint_field(5, g.heap_before);
  scratch.uint_field(6, g.heap_after);
  append(out, pid, kGc, scratch);
}

void app_ended(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint32_t tid, uint64_t time_ns) {
  scratch.clear();
  scratch.uint_field(1, kAppEnded);
  scratch.uint_field(2, time_ns);
  scratch.uint_field(7, tid);
  append(out, pid, kProcess, scratch);
}

}  // namespace memtrace::records
