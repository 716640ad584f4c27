// Held bytes, per batch: a HeldHeader (tid, js, count, six column lengths, first time), then the columns
//
//   +------------+------+------------+---------+------+-------+---------+
//   | HeldHeader | kind | time_delta | address | size | stack | objects |
//   +------------+------+------------+---------+------+-------+---------+
//
// as an EventBatch has them (record_writer.cpp): kinds one byte each, the rest varints; addresses zigzag
// deltas from 0; objects only for JS samples (1 for every event otherwise).
#include "pairing.h"

#include <string.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include "memtrace/paired_format.h"
#include "record_writer.h"

namespace memtrace::pairing {

namespace {

using namespace paired_format;  // NOLINT: the format's values, by their own names
constexpr size_t kBatchRows = 64 * 1024;

struct HeldHeader {
  uint32_t tid;
  uint32_t js;
  uint32_t count;
  uint32_t lengths[6];
  uint64_t first_time;
};

uint64_t get_varint(const uint8_t*& p, const uint8_t* end) {
  uint64_t v = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    uint8_t b = *p++;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  return v;
}

// Open addressing with linear probing and backward-shift deletion, address -> serial (as the kernel of branch
// kernel-native-experiment).
class BlockMap {
 public:
  BlockMap() : entries_(2048, Entry{kEmpty, 0}), mask_(2047) {}

  // Sets address to serial; returns whether it replaced one (then *old holds its serial).
  bool put(uint64_t address, uint64_t serial, uint64_t* old) {
    if ((size_ + 1) * 2 > entries_.size()) grow();
    for (size_t i = slot(address);; i = (i + 1) & mask_) {
      Entry& e = entries_[i];
      if (e.key == address) {
        *old = e.serial;
        e.serial = serial;
        return true;
      }
      if (e.key == kEmpty) {
        e = {address, serial};
        size_++;
        return false;
      }
    }
  }

  bool remove(uint64_t address, uint64_t* serial) {
    size_t i = slot(address);
    for (;; i = (i + 1) & mask_) {
      if (entries_[i].key == kEmpty) return false;
      if (entries_[i].key == address) break;
    }
    *serial = entries_[i].serial;
    size_--;
    size_t hole = i;
    for (size_t j = (i + 1) & mask_; entries_[j].key != kEmpty; j = (j + 1) & mask_) {
      const size_t home = slot(entries_[j].key);
      const bool in_range = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!in_range) {
        entries_[hole] = entries_[j];
        hole = j;
      }
    }
    entries_[hole].key = kEmpty;
    return true;
  }

  // Asks for the cache line of address's slot, ahead of a put or remove.
  void prefetch(uint64_t address) const { __builtin_prefetch(&entries_[slot(address)]); }

  void clear() {
    entries_.assign(2048, Entry{kEmpty, 0});
    mask_ = 2047;
    size_ = 0;
  }

 private:
  // No block has this address: the last byte of the address space.
  static constexpr uint64_t kEmpty = ~0ull;
  struct Entry {
    uint64_t key;
    uint64_t serial;
  };

  size_t slot(uint64_t x) const {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x & mask_;
  }

  void grow() {
    std::vector<Entry> old(entries_.size() * 2, Entry{kEmpty, 0});
    old.swap(entries_);
    mask_ = entries_.size() - 1;
    for (const Entry& e : old) {
      if (e.key == kEmpty) continue;
      size_t j = slot(e.key);
      while (entries_[j].key != kEmpty) j = (j + 1) & mask_;
      entries_[j] = e;
    }
  }

  std::vector<Entry> entries_;
  size_t mask_;
  size_t size_ = 0;
};

// One held batch being read event by event, decoded a few events ahead of the one being paired so that their
// table slots can be fetched while it is paired (the slots of a dense run's live blocks miss the caches).
struct Batch {
  static constexpr uint32_t kAhead = 8;
  struct Event {
    uint8_t kind;
    uint64_t time, address, size, stack, objects;
  };

  uint64_t seq;
  uint32_t tid;
  bool js;
  uint32_t count;
  uint32_t decoded = 0;
  std::vector<uint8_t> bytes;
  const uint8_t* at[6];
  const uint8_t* end[6];
  uint64_t last_time = 0;
  uint64_t last_address = 0;
  Event ahead[kAhead];
  uint32_t head = 0;
  uint32_t filled = 0;
  // The current event.
  uint8_t kind = 0;
  uint64_t time = 0;
  uint64_t address = 0;
  uint64_t size = 0;
  uint64_t stack = 0;
  uint64_t objects = 1;

  // Moves to the next event; false when there is none. `table` (the heap blocks'), if given, is told of the
  // addresses decoded ahead.
  bool advance(const BlockMap* table) {
    while (filled < kAhead && decoded < count) {
      Event& e = ahead[(head + filled) % kAhead];
      e.kind = *at[0]++;
      e.time = last_time += get_varint(at[1], end[1]);
      uint64_t z = get_varint(at[2], end[2]);
      e.address = last_address += (z >> 1) ^ (~(z & 1) + 1);
      e.size = get_varint(at[3], end[3]);
      e.stack = get_varint(at[4], end[4]);
      e.objects = js ? get_varint(at[5], end[5]) : 1;
      if (table && !js) table->prefetch(e.address);
      decoded++;
      filled++;
    }
    if (filled == 0) return false;
    const Event& e = ahead[head];
    kind = e.kind;
    time = e.time;
    address = e.address;
    size = e.size;
    stack = e.stack;
    objects = e.objects;
    head = (head + 1) % kAhead;
    filled--;
    return true;
  }
};

struct Stream {
  // tid for a thread's native events, and the tid with the top bit for its JS heap samples.
  uint64_t key;
  std::deque<std::unique_ptr<Batch>> batches;
};

struct SiteKey {
  uint64_t kind, size, stack, count;
  bool operator==(const SiteKey& o) const {
    return kind == o.kind && size == o.size && stack == o.stack && count == o.count;
  }
};
struct SiteHash {
  size_t operator()(const SiteKey& k) const {
    uint64_t h = k.size * 0x9e3779b97f4a7c15ULL ^ (k.stack << 8) ^ k.kind ^ (k.count << 40);
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

// What a free of the awaited address means (LiveHeap's awaited, src/transforms/live.ts).
struct Awaited {
  uint64_t time;
  uint32_t tid;
  // The serial of the block released, which its late free names (late_age).
  uint64_t serial;
};
struct EarlyFree {
  uint64_t time;
  uint32_t tid;
};

struct State {
  uint64_t lead = 0;
  uint64_t free_lead = 0;
  uint64_t seq = 0;
  std::vector<std::unique_ptr<Stream>> streams;
  size_t waiting = 0;
  uint64_t last_time = 0;
  uint64_t serials = 0;

  std::unordered_map<SiteKey, uint64_t, SiteHash> sites;
  uint64_t first_new_site = 1;
  size_t new_sites = 0;
  PackedColumn site_kind, site_size, site_stack, site_count;
  // The stack of the site table's row before (stack_delta counts from it).
  uint64_t prev_site_stack = 0;

  size_t rows = 0;
  uint64_t base_time = 0;
  uint64_t prev_time = 0;
  uint32_t prev_tid = 0;
  uint64_t prev_extra_row = 0;
  // The serial the batch's latest free released (FreeReference STEP): at its first row, the serial before it.
  int64_t released = -1;
  // Times where they change (the threads read the clock once every few events): the row, delta-coded, and by
  // how much.
  size_t prev_change_row = 0;
  PackedColumn op, time_change_row, time_change, tid_delta, free_kind, address, unmap_length, extra_row,
      extra_age, extra_kind, late_age;

  BlockMap heap;
  BlockMap samples;
  std::unordered_map<uint64_t, Awaited> awaited;
  std::unordered_map<uint64_t, EarlyFree> early;
  size_t early_prune_at = 1024;
  uint64_t early_latest = 0;
};

State& state() {
  static State* s = new State();
  return *s;
}

uint64_t site_of(State& s, uint64_t kind, uint64_t size, uint64_t stack, uint64_t count) {
  auto it = s.sites.find({kind, size, stack, count});
  if (it != s.sites.end()) return it->second;
  uint64_t id = s.first_new_site + s.new_sites++;
  s.sites.emplace(SiteKey{kind, size, stack, count}, id);
  s.site_kind.add(kind);
  s.site_size.add(size);
  s.site_stack.add_signed(static_cast<int64_t>(stack - s.prev_site_stack));
  s.prev_site_stack = stack;
  s.site_count.add(count);
  return id;
}

void extra(State& s, size_t row, uint64_t age, uint64_t why) {
  s.extra_row.add(row - s.prev_extra_row);
  s.prev_extra_row = row;
  s.extra_age.add(age);
  s.extra_kind.add(why);
}

// LiveHeap.takeEarlyFree: whether a held free is this new block's.
bool take_early_free(State& s, uint64_t address, uint64_t time, uint32_t tid) {
  if (time > s.early_latest + s.free_lead) {
    s.early.clear();
    return false;
  }
  auto it = s.early.find(address);
  if (it == s.early.end()) return false;
  EarlyFree free = it->second;
  s.early.erase(it);
  return free.tid != tid && time <= free.time + s.free_lead;
}

void hold_early_free(State& s, uint64_t address, uint64_t time, uint32_t tid) {
  s.early[address] = {time, tid};
  s.early_latest = std::max(s.early_latest, time);
  if (s.early.size() < s.early_prune_at) return;
  for (auto it = s.early.begin(); it != s.early.end();) {
    if (it->second.time + s.free_lead < time) {
      it = s.early.erase(it);
    } else {
      ++it;
    }
  }
  s.early_prune_at = std::max<size_t>(1024, 2 * s.early.size());
}

// One event, in the merged order: a row.
void pair_event(State& s, const Batch& b, uint64_t time) {
  const size_t row = s.rows++;
  if (row == 0) {
    s.base_time = s.prev_time = time;
    s.released = static_cast<int64_t>(s.serials) - 1;
  }
  if (time != s.prev_time) {
    s.time_change_row.add(row - s.prev_change_row);
    s.time_change.add(time - s.prev_time);
    s.prev_change_row = row;
  }
  s.prev_time = time;
  s.tid_delta.add_signed(static_cast<int64_t>(b.tid) - static_cast<int64_t>(s.prev_tid));
  s.prev_tid = b.tid;
  const uint8_t kind = b.kind;
  if (kind >= 1 && kind < 64) {
    const uint64_t serial = s.serials++;
    s.op.add(site_of(s, kind, b.size, b.stack, b.objects) * 2);
    if (kind == kMmap || kind == kMremap) {
      s.address.add(b.address);
      return;
    }
    const bool heap = kind != kJsSample;
    if (heap && !s.early.empty() && take_early_free(s, b.address, time, b.tid)) {
      extra(s, row, 0, kEarly);
      return;
    }
    uint64_t old;
    if (!(heap ? s.heap : s.samples).put(b.address, serial, &old)) return;
    if (s.lead > 0 && heap) {
      s.awaited[b.address] = {time, b.tid, old};
      extra(s, row, serial - old, kAwaited);
      return;
    }
    extra(s, row, serial - old, kOverwritten);
    return;
  }
  // A deallocation (64-127; the recorder writes no other kinds).
  s.free_kind.add(kind);
  if (kind == kMunmap) {
    s.address.add(b.address);
    s.unmap_length.add(b.size);
    s.op.add(1);
    return;
  }
  const bool heap = kind != kJsSampleFreed;
  if (heap && !s.awaited.empty()) {
    auto it = s.awaited.find(b.address);
    if (it != s.awaited.end()) {
      Awaited a = it->second;
      s.awaited.erase(it);
      if (b.tid != a.tid && time <= a.time + s.lead) {
        s.op.add(3);  // a late free
        s.late_age.add(s.serials - a.serial);
        return;
      }
    }
  }
  uint64_t serial;
  if ((heap ? s.heap : s.samples).remove(b.address, &serial)) {
    // The step from the block the batch's free before released: blocks are mostly freed in the order they
    // were allocated, so mostly 0 (proto/memtrace.proto, FreeReference).
    const int64_t step = static_cast<int64_t>(serial) - s.released - 1;
    const uint64_t z = step < 0 ? static_cast<uint64_t>(-step) * 2 - 1 : static_cast<uint64_t>(step) * 2;
    s.op.add((z + 2) * 2 + 1);
    s.released = static_cast<int64_t>(serial);
    return;
  }
  if (heap && s.free_lead > 0) hold_early_free(s, b.address, time, b.tid);
  s.op.add(1);
}

// The layouts (test/codec/field-numbers.test.ts holds them to the .proto):
// SiteTable: first_id(1), kind(2), size(3), count(5), stack_delta(6) (version 4: no stack(4)).
// PairedBatch: time_ns(1), op(2), tid_delta(4), free_kind(5), address(6), unmap_length(7), extra_row(8),
// extra_age(9), extra_kind(10), free_reference(11) STEP, time_change_row(12), time_change(13), late_age(14)
// (version 3: no time_delta(3)).
void write_batch(State& s, ByteBuffer& out, ByteBuffer& scratch, uint32_t pid) {
  if (s.new_sites) {
    scratch.clear();
    scratch.uint_field(1, s.first_new_site);
    s.site_kind.write(2, scratch);
    s.site_size.write(3, scratch);
    s.site_count.write(5, scratch);
    s.site_stack.write(6, scratch);
    records::append(out, pid, records::kSites, scratch);
    s.first_new_site += s.new_sites;
    s.new_sites = 0;
    s.prev_site_stack = 0;
    for (PackedColumn* c : {&s.site_kind, &s.site_size, &s.site_stack, &s.site_count}) c->clear();
  }
  if (!s.rows) return;
  scratch.clear();
  scratch.uint_field(1, s.base_time);
  s.op.write(2, scratch);
  s.tid_delta.write(4, scratch);
  s.free_kind.write(5, scratch);
  s.address.write(6, scratch);
  s.unmap_length.write(7, scratch);
  s.extra_row.write(8, scratch);
  s.extra_age.write(9, scratch);
  s.extra_kind.write(10, scratch);
  scratch.uint_field(11, kFreeStep);
  s.time_change_row.write(12, scratch);
  s.time_change.write(13, scratch);
  s.late_age.write(14, scratch);
  records::append(out, pid, records::kPaired, scratch);
  for (PackedColumn* c : {&s.op, &s.time_change_row, &s.time_change, &s.tid_delta, &s.free_kind, &s.address,
                          &s.unmap_length, &s.extra_row, &s.extra_age, &s.extra_kind, &s.late_age}) {
    c->clear();
  }
  s.rows = 0;
  s.prev_change_row = 0;
  s.prev_tid = 0;
  s.prev_extra_row = 0;
}

// Moves the held bytes into batches of their streams, in arrival order.
void take(State& s, const ByteBuffer& held) {
  const uint8_t* p = held.data();
  const uint8_t* end = p + held.size();
  while (static_cast<size_t>(end - p) >= sizeof(HeldHeader)) {
    HeldHeader h;
    memcpy(&h, p, sizeof h);
    p += sizeof h;
    size_t total = 0;
    for (uint32_t n : h.lengths) total += n;
    if (static_cast<size_t>(end - p) < total) break;  // cannot happen: the held bytes are whole batches
    auto b = std::make_unique<Batch>();
    b->seq = s.seq++;
    b->tid = h.tid;
    b->js = h.js != 0;
    b->count = h.count;
    b->last_time = h.first_time;
    b->bytes.assign(p, p + total);
    p += total;
    const uint8_t* at = b->bytes.data();
    for (int i = 0; i < 6; i++) {
      b->at[i] = at;
      at += h.lengths[i];
      b->end[i] = at;
    }
    if (!b->advance(&s.heap)) continue;
    s.waiting += total;
    uint64_t key = h.tid | (b->js ? 1ull << 63 : 0);
    Stream* stream = nullptr;
    for (auto& x : s.streams) {
      if (x->key == key) stream = x.get();
    }
    if (!stream) {
      s.streams.push_back(std::make_unique<Stream>());
      stream = s.streams.back().get();
      stream->key = key;
    }
    stream->batches.push_back(std::move(b));
  }
}

void append_held(ByteBuffer& held, const HeldHeader& h, const uint8_t* const columns[6]) {
  held.bytes(&h, sizeof h);
  for (int i = 0; i < 6; i++) held.bytes(columns[i], h.lengths[i]);
}

}  // namespace

void hold_events(ByteBuffer& held, uint32_t tid, const EventBuffer& e) {
  HeldHeader h{tid,
               0,
               e.count,
               {e.count, static_cast<uint32_t>(e.time_bytes), static_cast<uint32_t>(e.address_bytes),
                static_cast<uint32_t>(e.size_bytes), static_cast<uint32_t>(e.stack_bytes), 0},
               e.first_time};
  const uint8_t* columns[6] = {e.kind, e.time_delta, e.address_delta, e.size, e.stack, nullptr};
  append_held(held, h, columns);
}

void hold_js_samples(ByteBuffer& held, uint32_t tid, uint64_t time_ns, const memtrace_js_sample* samples,
                     size_t count) {
  // JS_SAMPLE and JS_SAMPLE_FREED, written as record_writer.cpp's js_samples writes them.
  ByteBuffer kind, time, address, size, stack, objects;
  uint64_t last = 0;
  for (size_t i = 0; i < count; i++) {
    const memtrace_js_sample& s = samples[i];
    uint8_t k = s.freed ? kJsSampleFreed : kJsSample;
    kind.bytes(&k, 1);
    time.varint(0);
    address.varint(zigzag(static_cast<int64_t>(s.id - last)));
    last = s.id;
    size.varint(s.freed ? 0 : s.bytes);
    stack.varint(s.freed ? 0 : s.stack);
    objects.varint(s.freed ? 0 : s.objects);
  }
  HeldHeader h{tid,
               1,
               static_cast<uint32_t>(count),
               {static_cast<uint32_t>(kind.size()), static_cast<uint32_t>(time.size()),
                static_cast<uint32_t>(address.size()), static_cast<uint32_t>(size.size()),
                static_cast<uint32_t>(stack.size()), static_cast<uint32_t>(objects.size())},
               time_ns};
  const uint8_t* columns[6] = {kind.data(), time.data(),  address.data(),
                               size.data(), stack.data(), objects.data()};
  append_held(held, h, columns);
}

void start_scope(uint64_t allocation_lead_ns, uint64_t deallocation_lead_ns) {
  State& s = state();
  s.~State();
  new (&s) State();
  s.lead = allocation_lead_ns;
  s.free_lead = deallocation_lead_ns;
}

void pair_until(ByteBuffer& held, uint64_t limit, ByteBuffer& out, ByteBuffer& scratch, uint32_t pid) {
  State& s = state();
  take(s, held);
  held.clear();
  for (;;) {
    // The stream whose next event is earliest (ties: the batch that arrived first), and the earliest next
    // event of any other stream, as src/transforms/order.ts: the run of the first that comes before the
    // second is paired without looking at the streams again.
    Stream* best = nullptr;
    const Batch* next = nullptr;
    auto before = [](const Batch& a, const Batch& b) {
      return a.time < b.time || (a.time == b.time && a.seq < b.seq);
    };
    for (auto& x : s.streams) {
      if (x->batches.empty()) continue;
      const Batch& b = *x->batches.front();
      if (!best || before(b, *best->batches.front())) {
        if (best) next = best->batches.front().get();
        best = x.get();
      } else if (!next || before(b, *next)) {
        next = &b;
      }
    }
    if (!best) break;
    Batch& b = *best->batches.front();
    if (b.time >= limit) break;
    const uint64_t next_time = next ? next->time : UINT64_MAX;
    const uint64_t next_seq = next ? next->seq : UINT64_MAX;
    const uint64_t stop = std::min(limit, next_time);
    bool more;
    do {
      // An event that comes after a watermark it is earlier than is taken at the last time released.
      const uint64_t time = std::max(b.time, s.last_time);
      s.last_time = time;
      pair_event(s, b, time);
      if (s.rows >= kBatchRows) write_batch(s, out, scratch, pid);
      more = b.advance(&s.heap);
    } while (more && (b.time < stop || (b.time == next_time && b.time < limit && b.seq < next_seq)));
    if (!more) {
      s.waiting -= b.bytes.size();
      best->batches.pop_front();
    }
  }
  write_batch(s, out, scratch, pid);
}

size_t waiting_bytes() { return state().waiting; }

}  // namespace memtrace::pairing
