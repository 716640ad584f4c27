// See paired_fold.h. Every figure is a double and every sum is taken in the order fold.ts takes it, so that
// the folded output is the same to the byte with the kernel and without it.
#include "paired_fold.h"

#include <cmath>

#include "memtrace/paired_format.h"

namespace memtrace::kernel {
namespace {

namespace format = paired_format;
constexpr uint64_t kMaxSafe = (uint64_t{1} << 53) - 1;
constexpr double kTwoPow32 = 4294967296.0;

// A row's key in Thread::row_of_stack: its stack and kind as fold.ts's rowOf combines them.
uint64_t StackKey(uint32_t stack, uint8_t kind) { return uint64_t{stack} * 128 + kind; }

bool IsJsHeap(uint8_t kind) { return kind == format::kJsSample || kind == format::kJsSampleFreed; }

// sizeBucket of src/model/histogram.ts: 1 + floor(log2(size)), 0 below 1.
int Bucket(double size) {
  if (size < 1) return 0;
  int k = 0;
  double s = std::floor(size);
  while (s >= kTwoPow32) {
    s = std::floor(s / kTwoPow32);
    k += 32;
  }
  return k + 32 - __builtin_clz(static_cast<uint32_t>(s));
}

// A packed column's bytes within a body.
struct Piece {
  const uint8_t* from = nullptr;
  const uint8_t* to = nullptr;
  bool seen = false;
};

// Reads one varint of at most 53 bits; false when it runs past `end` or is larger.
bool Varint(const uint8_t*& p, const uint8_t* end, uint64_t* out) {
  uint64_t value = 0;
  for (int shift = 0; p < end && shift < 56; shift += 7) {
    const uint8_t b = *p++;
    value |= uint64_t{b & 0x7fu} << shift;
    if (b < 0x80) {
      *out = value;
      return value <= kMaxSafe;
    }
  }
  return false;
}

// Values in a packed piece: its bytes without the continuation bit.
size_t Count(const Piece& piece) {
  size_t n = 0;
  for (const uint8_t* p = piece.from; p < piece.to; p++) n += *p < 0x80;
  return n;
}

// Decodes a packed column into `out`, sized first (the columns are reused, so this seldom allocates); false
// when a value is out of range. `limit` is exclusive.
template <typename T>
bool Column(const Piece& piece, std::vector<T>* out, uint64_t limit) {
  if (!piece.seen) {
    out->clear();
    return true;
  }
  out->resize(Count(piece));
  T* to = out->data();
  const uint8_t* p = piece.from;
  while (p < piece.to) {
    if (*p < 0x80 && *p < limit) {
      *to++ = static_cast<T>(*p++);
      continue;
    }
    uint64_t v;
    if (!Varint(p, piece.to, &v) || v >= limit) return false;
    *to++ = static_cast<T>(v);
  }
  return true;
}

// late_age, where given, holds one age in [1, (2^53 - 4) / 2] per late free (op 3); false otherwise, leaving
// the error's words to the TypeScript decoder.
bool LateAgesFit(const Piece& ages, const std::vector<uint64_t>& ops) {
  if (!ages.seen || ages.from == ages.to) return true;
  size_t count = 0;
  const uint8_t* q = ages.from;
  while (q < ages.to) {
    uint64_t age;
    if (!Varint(q, ages.to, &age) || age < 1 || age > (kMaxSafe - 3) / 2) return false;
    count++;
  }
  size_t late = 0;
  for (const uint64_t op : ops) late += op == 3;
  return late == count;
}

// Times given as changes (time_change_row, time_change) as one delta per row in `time`, as the TypeScript
// decoder reads them; false when a change names a row past the batch or the columns differ in length.
bool TimesFromChanges(const Piece& rows, const Piece& changes, size_t n, std::vector<uint64_t>* row_scratch,
                      std::vector<uint64_t>* change_scratch, std::vector<double>* time) {
  const uint64_t any = kMaxSafe + 1;
  if (!Column(rows, row_scratch, any) || !Column(changes, change_scratch, any)) return false;
  if (row_scratch->size() != change_scratch->size()) return false;
  time->assign(n, 0.0);
  uint64_t row = 0;
  for (size_t i = 0; i < row_scratch->size(); i++) {
    row += (*row_scratch)[i];
    if (row >= n) return false;
    (*time)[row] += static_cast<double>((*change_scratch)[i]);
  }
  return true;
}

}  // namespace

void PairedFold::AddSites(const uint8_t* kind, const double* size, const uint32_t* stack, const double* count,
                          size_t n) {
  site_kind_.insert(site_kind_.end(), kind, kind + n);
  site_size_.insert(site_size_.end(), size, size + n);
  site_stack_.insert(site_stack_.end(), stack, stack + n);
  site_count_.insert(site_count_.end(), count, count + n);
}

PairedFold::Thread& PairedFold::ThreadOf(uint32_t tid) {
  if (last_thread_ < threads_.size() && threads_[last_thread_].tid == tid) return threads_[last_thread_];
  for (size_t i = 0; i < threads_.size(); i++) {
    if (threads_[i].tid == tid) {
      last_thread_ = i;
      return threads_[i];
    }
  }
  threads_.push_back(Thread{tid, 0, {}, {}});
  last_thread_ = threads_.size() - 1;
  return threads_.back();
}

void PairedFold::AddRow(Thread& t, size_t site, uint32_t key) {
  Cache(t, site, key);
  if (row_thread_.size() <= key) row_thread_.resize(key + 1, -1);
  row_thread_[key] = static_cast<int32_t>(&t - threads_.data());
  t.row_of_stack[StackKey(site_stack_[site], site_kind_[site])] = key;
}

int32_t PairedFold::RowOf(Thread& t, size_t site) {
  if (site < t.row_of_site.size() && t.row_of_site[site] >= 0) return t.row_of_site[site];
  auto it = t.row_of_stack.find(StackKey(site_stack_[site], site_kind_[site]));
  if (it == t.row_of_stack.end()) return -1;
  Cache(t, site, it->second);
  return static_cast<int32_t>(it->second);
}

void PairedFold::Cache(Thread& t, size_t site, uint32_t key) {
  if (site >= kSitesCached || static_cast<size_t>(&t - threads_.data()) >= kThreadsCached) return;
  if (t.row_of_site.size() <= site) t.row_of_site.resize(site + 1, -1);
  t.row_of_site[site] = static_cast<int32_t>(key);
}

double PairedFold::AllocationsOf(uint32_t tid) { return ThreadOf(tid).count; }

double PairedFold::NextAllocation(uint32_t tid) { return ++ThreadOf(tid).count; }

bool PairedFold::LoadRaw(const uint8_t* body, size_t length) {
  const uint8_t* p = body;
  const uint8_t* end = body + length;
  uint64_t base = 0;
  uint64_t free_reference = format::kFreeAge;
  // Field 14 (late_age) is filter's: checked as the TypeScript decoder checks it, otherwise unused.
  Piece pieces[15];
  while (p < end) {
    uint64_t tag;
    if (!Varint(p, end, &tag)) return false;
    const uint64_t field = tag >> 3;
    const uint64_t wire = tag & 7;
    if (field == 1 && wire == 0) {
      if (!Varint(p, end, &base)) return false;
    } else if (field == 11 && wire == 0) {
      if (!Varint(p, end, &free_reference)) return false;
    } else if (((field >= 2 && field <= 10) || (field >= 12 && field <= 14)) && wire == 2) {
      uint64_t len;
      if (!Varint(p, end, &len) || len > static_cast<uint64_t>(end - p)) return false;
      Piece& piece = pieces[field];
      if (piece.seen || (len > 0 && p[len - 1] >= 0x80)) return false;
      piece = Piece{p, p + len, true};
      p += len;
    } else {
      return false;
    }
  }
  const uint64_t any = kMaxSafe + 1;
  if (!Column(pieces[2], &op_, any) || !Column(pieces[3], &time_, any) ||
      !Column(pieces[5], &free_kind_, 256) || !Column(pieces[6], &address_, any) ||
      !Column(pieces[7], &unmap_length_, any) || !Column(pieces[9], &extra_age_, any) ||
      !Column(pieces[10], &extra_kind_, 256)) {
    return false;
  }
  const size_t n = op_.size();
  if (pieces[12].seen || pieces[13].seen) {
    if (pieces[3].seen || !TimesFromChanges(pieces[12], pieces[13], n, &change_row_, &change_, &time_))
      return false;
  }
  if (time_.size() != n || extra_age_.size() != extra_kind_.size()) return false;
  if (free_reference == format::kFreeStep) {
    if (!StepsToAges()) return false;
  } else if (free_reference != format::kFreeAge) {
    return false;
  }
  if (!LateAgesFit(pieces[14], op_)) return false;
  // Times: deltas from time_ns, never past 2^53 (given as changes, they are deltas too: time_ns is added
  // here).
  uint64_t t = base;
  for (size_t i = 0; i < n; i++) {
    t += static_cast<uint64_t>(time_[i]);
    if (t > kMaxSafe) return false;
    time_[i] = static_cast<double>(t);
  }
  // Threads: zigzag deltas from 0, each below 2^32.
  if (n > 0) {
    if (!pieces[4].seen) return false;
    if (Count(pieces[4]) != n) return false;
    tid_.resize(n);
    const uint8_t* q = pieces[4].from;
    int64_t tid = 0;
    for (size_t i = 0; i < n; i++) {
      uint64_t z;
      if (!Varint(q, pieces[4].to, &z)) return false;
      tid += (z & 1) ? -static_cast<int64_t>((z + 1) >> 1) : static_cast<int64_t>(z >> 1);
      if (tid < 0 || tid >= static_cast<int64_t>(kTwoPow32)) return false;
      tid_[i] = static_cast<uint32_t>(tid);
    }
  } else if (pieces[4].seen && pieces[4].from != pieces[4].to) {
    return false;
  } else {
    tid_.clear();
  }
  // Extra releases: delta-coded rows, each within the batch.
  extra_row_.clear();
  if (pieces[8].seen) {
    const uint8_t* q = pieces[8].from;
    uint64_t row = 0;
    while (q < pieces[8].to) {
      uint64_t d;
      if (!Varint(q, pieces[8].to, &d)) return false;
      row += d;
      if (row >= n) return false;
      extra_row_.push_back(static_cast<uint32_t>(row));
    }
  }
  if (extra_row_.size() != extra_age_.size()) return false;
  rows_ = n;
  row_ = free_ = mapping_ = unmap_ = extra_ = 0;
  return true;
}

// A STEP batch's frees as ages (proto/memtrace.proto, FreeReference), as the TypeScript decoder reads them:
// serials count from the batch's first allocation, the one released before the first release being -1. A free
// that names a block not allocated before it, or an op past 2^53, is left to the TypeScript decoder's error.
bool PairedFold::StepsToAges() {
  int64_t allocations = 0;
  int64_t released = -1;
  for (uint64_t& op : op_) {
    if ((op & 1) == 0) {
      allocations++;
      continue;
    }
    const uint64_t v = op >> 1;
    if (v < 2) continue;
    const uint64_t z = v - 2;
    // z < 2^53 (every op is below 2^53), so the step and the serial fit in 64 bits.
    const int64_t step = (z & 1) ? -static_cast<int64_t>((z + 1) >> 1) : static_cast<int64_t>(z >> 1);
    const int64_t serial = released + 1 + step;
    const int64_t age = allocations - serial;
    if (age < 1 || static_cast<uint64_t>(age) > (kMaxSafe - 3) / 2) return false;
    op = (static_cast<uint64_t>(age) + 1) * 2 + 1;
    released = serial;
  }
  return true;
}

void PairedFold::LoadColumns(size_t rows, const double* op, const double* time, const uint32_t* tid,
                             const uint8_t* free_kind, size_t frees, const double* address, size_t addresses,
                             const double* unmap_length, size_t unmaps, const uint32_t* extra_row,
                             const double* extra_age, const uint8_t* extra_kind, size_t extras) {
  op_.resize(rows);
  for (size_t i = 0; i < rows; i++) op_[i] = static_cast<uint64_t>(op[i]);
  time_.assign(time, time + rows);
  tid_.assign(tid, tid + rows);
  free_kind_.assign(free_kind, free_kind + frees);
  address_.assign(address, address + addresses);
  unmap_length_.assign(unmap_length, unmap_length + unmaps);
  extra_row_.assign(extra_row, extra_row + extras);
  extra_age_.assign(extra_age, extra_age + extras);
  extra_kind_.assign(extra_kind, extra_kind + extras);
  rows_ = rows;
  row_ = free_ = mapping_ = unmap_ = extra_ = 0;
}

size_t PairedFold::Bytes() const {
  size_t threads = 0;
  for (const Thread& t : threads_) threads += t.row_of_site.capacity() * 4 + t.row_of_stack.size() * 32;
  return ring_serial_.capacity() * sizeof(int64_t) + ring_.capacity() * sizeof(Block) + old_.size() * 48 +
         threads + row_thread_.capacity() * 4 + site_kind_.capacity() * 21 +
         (op_.capacity() + time_.capacity() + address_.capacity() + unmap_length_.capacity() +
          extra_age_.capacity()) *
             8 +
         (tid_.capacity() + extra_row_.capacity()) * 4 + free_kind_.capacity() + extra_kind_.capacity() +
         (change_row_.capacity() + change_.capacity()) * 8 + (timeline_ ? timeline_->Bytes() : 0);
}

void PairedFold::Put(int64_t serial, uint32_t key, uint32_t here, double tag, uint32_t site) {
  if (static_cast<size_t>(serial) >= ring_.size() && ring_.size() < kRing) {
    // Twice the ring: its live serials are distinct modulo the old size, so also modulo the new one.
    const size_t size = ring_.size() * 2;
    std::vector<int64_t> serials(size, -1);
    std::vector<Block> blocks(size);
    for (size_t i = 0; i < ring_.size(); i++) {
      if (ring_serial_[i] < 0) continue;
      const size_t to = static_cast<size_t>(ring_serial_[i]) & (size - 1);
      serials[to] = ring_serial_[i];
      blocks[to] = ring_[i];
    }
    ring_serial_.swap(serials);
    ring_.swap(blocks);
  }
  const size_t at = static_cast<size_t>(serial) & (ring_.size() - 1);
  if (ring_serial_[at] >= 0) old_[ring_serial_[at]] = ring_[at];
  ring_serial_[at] = serial;
  ring_[at] = Block{key, here, tag, site};
}

bool PairedFold::Take(double serial, Block* out) {
  if (!(serial >= 0) || serial != std::floor(serial)) return false;
  const int64_t s = static_cast<int64_t>(serial);
  const size_t at = static_cast<size_t>(s) & (ring_.size() - 1);
  if (ring_serial_[at] == s) {
    ring_serial_[at] = -1;
    *out = ring_[at];
    return true;
  }
  auto it = old_.find(s);
  if (it == old_.end()) return false;
  *out = it->second;
  old_.erase(it);
  return true;
}

namespace {

// The figures Run keeps in registers, loaded from and saved to the state array.
struct Figures {
  double live, peak, peak_time, epoch, allocations, allocated, deallocations, end_time, js_samples;

  explicit Figures(const double* s)
      : live(s[kLiveBytes]),
        peak(s[kPeakBytes]),
        peak_time(s[kPeakTime]),
        epoch(s[kEpoch]),
        allocations(s[kAllocations]),
        allocated(s[kAllocatedBytes]),
        deallocations(s[kDeallocations]),
        end_time(s[kEndTime]),
        js_samples(s[kJsSamples]) {}

  void Save(double* s) const {
    s[kLiveBytes] = live;
    s[kPeakBytes] = peak;
    s[kPeakTime] = peak_time;
    s[kEpoch] = epoch;
    s[kAllocations] = allocations;
    s[kAllocatedBytes] = allocated;
    s[kDeallocations] = deallocations;
    s[kEndTime] = end_time;
    s[kJsSamples] = js_samples;
  }
};

// FoldRows.touch: a row saves its value before its first change after the latest high-water mark.
inline void Touch(const Columns& c, uint32_t key, double epoch) {
  if (c.snap_epoch[key] != epoch) {
    c.snap[key] = c.cur[key];
    c.snap_count[key] = c.cur_count[key];
    c.snap_epoch[key] = epoch;
  }
}

}  // namespace

void PairedFold::Release(double* state, const Columns& c, uint32_t key, uint8_t kind, double bytes,
                         double count, double tag, uint32_t here, bool overwritten) {
  Touch(c, key, state[kEpoch]);
  c.cur[key] -= bytes;
  c.cur_count[key] -= count;
  state[kLiveBytes] -= bytes;
  if (timeline_)
    timeline_->ReleaseFrom(key, bytes, count, timeline_->BucketOf(here), kind == format::kJsSample);
  // The temporary measure (measures/temporary.ts).
  if (c.temp_bytes != nullptr && !overwritten && tag > 0 &&
      threads_[static_cast<size_t>(row_thread_[key])].count - tag < threshold_) {
    c.temp_bytes[key] += bytes;
    c.temp_count[key] += count;
  }
}

Stop PairedFold::Fail(double* state, Fault fault, double value) {
  state[kOut] = static_cast<double>(fault);
  state[kOut + 1] = value;
  return Stop::Error;
}

Stop PairedFold::Run(double* s, const Columns& c) {
  const double stacks = s[kStackCount];
  const int heap = static_cast<int>(s[kHeap]);
  const double app_end_next = s[kAppEndNext];
  const uint64_t sites = site_kind_.size();
  // Release works on the state array: the figures live there while this runs, and are saved at every stop.
  Figures f(s);
  double row_count = s[kRowCount];
  double process_rows = s[kProcessRows];
  Timeline* const tl = timeline_.get();
  size_t made = 0;
  auto stop = [&](Stop why) {
    s[kRowCount] = row_count;
    s[kNewRows] = static_cast<double>(made);
    const double live = s[kLiveBytes];
    f.Save(s);
    s[kLiveBytes] = live;
    s[kUnmatched] = unmatched_;
    s[kOverwritten] = overwritten_;
    s[kAwaited] = awaited_;
    return why;
  };
  s[kLiveBytes] = f.live;
  while (row_ < rows_) {
    const size_t i = row_;
    const uint64_t op = op_[i];
    const double t = time_[i];
    const uint32_t tid = tid_[i];
    if ((op & 1) == 0) {
      const uint64_t site = op >> 1;
      if (site == 0 || site >= sites) return stop(Fail(s, Fault::UndefinedSite, static_cast<double>(site)));
      const uint8_t kind = site_kind_[site];
      const bool is_mapping = kind == format::kMmap || kind == format::kMremap;
      if (is_mapping && mapping_ >= address_.size()) return stop(Fail(s, Fault::ColumnsMismatch, 0));
      const bool has_extra = extra_ < extra_row_.size() && extra_row_[extra_] == i;
      if (heap != 0 && IsJsHeap(kind) != (heap == 2)) {
        serials_++;
        if (is_mapping) mapping_++;
        if (has_extra) extra_++;
        row_++;
        continue;
      }
      if (t >= app_end_next) {
        s[kOut] = t;
        return stop(Stop::AppEnd);
      }
      if (tl) tl->Event(t, process_rows);
      const double stack = site_stack_[site];
      if (stack >= stacks) return stop(Fail(s, Fault::UndefinedStack, stack));
      const double size = site_size_[site];
      const double count = site_count_[site];
      if (is_mapping) {
        serials_++;
        double* out = s + kOut;
        out[0] = kind;
        out[1] = address_[mapping_++];
        out[2] = size;
        out[3] = stack;
        out[4] = count;
        out[5] = t;
        out[6] = tid;
        row_++;
        return stop(Stop::MapAlloc);
      }
      Thread& th = ThreadOf(tid);
      int32_t row = RowOf(th, site);
      if (row < 0) {
        // FoldRows.add, for the caller to adopt.
        if (made == kMaxNewRows || !(row_count < static_cast<double>(c.capacity)))
          return stop(Stop::NeedRoom);
        row = static_cast<int32_t>(row_count++);
        const size_t k = static_cast<size_t>(row);
        c.cur[k] = c.cur_count[k] = c.snap[k] = c.snap_count[k] = c.total[k] = c.total_count[k] = 0;
        c.snap_epoch[k] = -1;
        if (c.temp_bytes != nullptr) c.temp_bytes[k] = c.temp_count[k] = 0;
        s[kRows + 2 * made] = tid;
        s[kRows + 2 * made + 1] = static_cast<double>(site);
        made++;
        process_rows++;
        AddRow(th, site, static_cast<uint32_t>(row));
      }
      const uint32_t key = static_cast<uint32_t>(row);
      // Folder.allocate.
      Touch(c, key, f.epoch);
      c.cur[key] += size;
      c.cur_count[key] += count;
      c.total[key] += size;
      c.total_count[key] += count;
      s[kLiveBytes] += size;
      f.allocations++;
      f.allocated += size;
      if (kind == format::kJsSample) {
        f.js_samples++;
      } else {
        const int b = Bucket(size);
        c.size_counts[b]++;
        c.size_sums[b] += size;
      }
      const double tag = ++th.count;
      if (tl) tl->Allocate(key, size, count, tid, tag, kind == format::kJsSample);
      const uint32_t here = tl ? tl->Here() : 0;
      const int64_t serial = static_cast<int64_t>(serials_++);
      s[kEpoch] = f.epoch;
      if (!has_extra) {
        Put(serial, key, here, tag, static_cast<uint32_t>(site));
      } else {
        const uint8_t why = extra_kind_[extra_];
        const double age = extra_age_[extra_++];
        if (age == 0) {
          if (why != format::kEarly) return stop(Fail(s, Fault::EarlyNotEarly, 0));
          if (unmatched_ <= 0) return stop(Fail(s, Fault::EarlyWithoutFree, 0));
          Release(s, c, key, kind, size, count, tag, here, false);
          unmatched_--;
        } else {
          if (why == format::kAwaited) awaited_++;
          Put(serial, key, here, tag, static_cast<uint32_t>(site));
          Block b;
          if (!Take(static_cast<double>(serial) - age, &b)) return stop(Fail(s, Fault::ExtraNotLive, age));
          Release(s, c, b.key, site_kind_[b.site], site_size_[b.site], site_count_[b.site], b.tag, b.here,
                  why == format::kOverwritten);
          overwritten_++;
        }
      }
      if (tl) tl->Allocated();
      if (s[kLiveBytes] > f.peak) {
        f.peak = s[kLiveBytes];
        f.peak_time = t;
        f.epoch++;
        s[kEpoch] = f.epoch;
      }
    } else {
      if (free_ >= free_kind_.size()) return stop(Fail(s, Fault::FewerFreeKinds, 0));
      const uint8_t kind = free_kind_[free_];
      const bool is_unmap = kind == format::kMunmap;
      if (is_unmap && (mapping_ >= address_.size() || unmap_ >= unmap_length_.size()))
        return stop(Fail(s, Fault::ColumnsMismatch, 0));
      if (heap != 0 && IsJsHeap(kind) != (heap == 2)) {
        free_++;
        if (is_unmap) mapping_++, unmap_++;
        row_++;
        continue;
      }
      if (t >= app_end_next) {
        s[kOut] = t;
        return stop(Stop::AppEnd);
      }
      if (tl) tl->Event(t, process_rows);
      free_++;
      f.deallocations++;
      if (is_unmap) {
        double* out = s + kOut;
        out[0] = kind;
        out[1] = address_[mapping_++];
        out[2] = unmap_length_[unmap_++];
        out[5] = t;
        out[6] = tid;
        row_++;
        return stop(Stop::MapFree);
      }
      const double v = static_cast<double>(op >> 1);
      if (v == 0) {
        unmatched_++;
      } else if (v == 1) {
        if (awaited_ <= 0) return stop(Fail(s, Fault::LateWithoutAwaited, 0));
        awaited_--;
        overwritten_--;
      } else {
        Block b;
        if (!Take(serials_ - (v - 1), &b)) return stop(Fail(s, Fault::FreeNotLive, v - 1));
        Release(s, c, b.key, site_kind_[b.site], site_size_[b.site], site_count_[b.site], b.tag, b.here,
                false);
      }
    }
    row_++;
  }
  if (mapping_ > address_.size() || unmap_ > unmap_length_.size() || extra_ != extra_row_.size())
    return stop(Fail(s, Fault::ColumnsMismatch, 0));
  if (rows_ > 0) f.end_time = std::fmax(f.end_time, time_[rows_ - 1]);
  return stop(Stop::Done);
}

}  // namespace memtrace::kernel
