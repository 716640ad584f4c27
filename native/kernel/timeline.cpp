// See timeline.h. Each step is process.ts's, in its order and in doubles, so that every sum is the same to
// the bit.
#include "timeline.h"

#include <algorithm>
#include <cmath>

namespace memtrace::kernel {
namespace {

size_t Hash(uint64_t key) {
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdULL;
  key ^= key >> 33;
  return static_cast<size_t>(key);
}

size_t PowerOfTwoAbove(size_t n) {
  size_t size = 16;
  while (size < 2 * n) size *= 2;
  return size;
}

}  // namespace

TimelineSums::TimelineSums(size_t capacity) {
  entries_.reserve(capacity);
  slots_.assign(PowerOfTwoAbove(capacity), -1);
  mask_ = slots_.size() - 1;
}

size_t TimelineSums::Find(uint64_t key) const {
  size_t at = Hash(key) & mask_;
  while (slots_[at] >= 0 && entries_[static_cast<size_t>(slots_[at])].key != key) at = (at + 1) & mask_;
  return at;
}

size_t TimelineSums::IndexOf(uint64_t key) {
  size_t at = Find(key);
  int32_t i = slots_[at];
  if (i < 0) {
    if (2 * (entries_.size() + 1) > slots_.size()) {
      slots_.assign(slots_.size() * 2, -1);
      mask_ = slots_.size() - 1;
      for (size_t j = 0; j < entries_.size(); j++) {
        size_t to = Hash(entries_[j].key) & mask_;
        while (slots_[to] >= 0) to = (to + 1) & mask_;
        slots_[to] = static_cast<int32_t>(j);
      }
      at = Find(key);
    }
    i = static_cast<int32_t>(entries_.size());
    entries_.push_back(Entry{key, 0, 0});
    slots_[at] = i;
  }
  return static_cast<size_t>(i);
}

void TimelineSums::Sorted(std::vector<double>* keys, std::vector<double>* bytes,
                          std::vector<double>* count) const {
  std::vector<Entry> kept;
  for (const Entry& e : entries_) {
    if (e.bytes != 0 || e.count != 0) kept.push_back(e);
  }
  std::sort(kept.begin(), kept.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
  keys->resize(kept.size());
  bytes->resize(kept.size());
  count->resize(kept.size());
  for (size_t j = 0; j < kept.size(); j++) {
    (*keys)[j] = static_cast<double>(kept[j].key);
    (*bytes)[j] = kept[j].bytes;
    (*count)[j] = kept[j].count;
  }
}

int64_t Timeline::IndexOf(double t) const { return static_cast<int64_t>(std::floor(t / width_)); }

void Timeline::OpenTo(int64_t index) {
  while (Current() < index) {
    // Until an event of its own raises it, a bucket's high point is the state it starts with.
    moment_time_.push_back(static_cast<double>(high_.size()) * width_);
    high_.push_back(live_);
    high_js_.push_back(live_js_);
  }
  GridChanged();
}

void Timeline::NextBucket(double t, double rows) {
  int64_t index = IndexOf(t);
  // Threads merged without watermarks may go back in time a little: such events stay in the current bucket.
  if (index <= Current()) return;
  if (!high_.empty()) Settle(static_cast<uint64_t>(2 * Current() + 1));
  const double entries = static_cast<double>(Entries());
  const auto count = static_cast<int64_t>(high_.size());
  if (entries > budget_ && entries > 2 * rows && count >= 2 * kTimelineMinBuckets) {
    Halve();
    int64_t max = 2 * kTimelineMinBuckets;
    while (max < static_cast<int64_t>(high_.size())) max *= 2;
    max_buckets_ = std::min(max_buckets_, max);
    index = IndexOf(t);
  }
  while (index >= max_buckets_) {
    Halve();
    index = IndexOf(t);
  }
  OpenTo(index);
}

void Timeline::Raise() {
  // The changes in doubt, this allocation's included, happened at or before the new moment.
  const int64_t k = Current();
  Settle(static_cast<uint64_t>(2 * k));
  const auto at = static_cast<size_t>(k);
  moment_time_[at] = time_;
  high_[at] = live_;
  high_js_[at] = live_js_;
}

void Timeline::GrowRows(uint32_t row) { rows_.resize(std::max<size_t>(size_t{row} + 1, 2 * rows_.size())); }

std::vector<double>& Timeline::FindMarks(uint32_t tid) {
  for (size_t i = 0; i < marks_.size(); i++) {
    if (marks_[i].tid == tid) {
      last_marks_ = i;
      return marks_[i].pairs;
    }
  }
  marks_.push_back(Marks{tid, {}});
  last_marks_ = marks_.size() - 1;
  return marks_.back().pairs;
}

double Timeline::SearchMarks(const std::vector<double>& marks, double tag) {
  const size_t n = marks.size();
  if (n == 0) return 0;
  // Else most were made since the mark before the latest.
  if (n >= 4 && marks[n - 3] <= tag) return marks[n - 4];
  size_t lo = 0;
  size_t hi = n / 2 - 1;
  while (lo < hi) {
    const size_t mid = (lo + hi + 1) >> 1;
    if (marks[2 * mid + 1] <= tag) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return marks[2 * lo];
}

void Timeline::Settle(uint64_t position) {
  // Before a high point of the current bucket (position 2k), the row's cached entry serves.
  const bool before = Current() >= 0 && position == static_cast<uint64_t>(2 * Current());
  for (const uint32_t row : touched_) {
    Row& r = RowOf(row);
    if (before) {
      if (r.before < 0) r.before = Index(changes_.IndexOf(ChangeKey(row, position)));
      changes_.AddAt(static_cast<size_t>(r.before), r.tent_bytes, r.tent_count);
    } else {
      changes_.Add(ChangeKey(row, position), r.tent_bytes, r.tent_count);
    }
    r.tent_bytes = 0;
    r.tent_count = 0;
    r.touched = false;
  }
  touched_.clear();
}

void Timeline::Halve() {
  // grid.ts's halve: buckets 2j and 2j + 1 become bucket j, whose moment is the higher of theirs.
  const size_t n = high_.size();
  std::vector<int32_t> remap(2 * n);
  const size_t m = (n + 1) / 2;
  for (size_t j = 0; j < m; j++) {
    const size_t a = 2 * j;
    const size_t b = a + 1;
    const size_t winner = b < n && high_[b] > high_[a] ? b : a;
    for (size_t k = a; k <= (b < n ? b : a); k++) {
      // Events of the bucket before the winner are all at or before its moment; those after, after it.
      remap[2 * k] = static_cast<int32_t>(2 * j + (k <= winner ? 0 : 1));
      remap[2 * k + 1] = static_cast<int32_t>(2 * j + (k < winner ? 0 : 1));
    }
    moment_time_[j] = moment_time_[winner];
    high_[j] = high_[winner];
    high_js_[j] = high_js_[winner];
  }
  moment_time_.resize(m);
  high_.resize(m);
  high_js_.resize(m);
  width_ *= 2;
  halvings_++;
  GridChanged();
  changes_ = changes_.Rekey([&](uint64_t key) {
    const uint64_t position = key % kTimelinePositions;
    const uint64_t to = position < remap.size() ? static_cast<uint64_t>(remap[position]) : position;
    return ChangeKey(key / kTimelinePositions, to);
  });
  lifetimes_ = lifetimes_.Rekey([](uint64_t key) {
    const uint64_t freed = key % kTimelineBucketKeys;
    const uint64_t allocated = (key / kTimelineBucketKeys) % kTimelineBucketKeys;
    return LifetimeKey(key / (kTimelineBucketKeys * kTimelineBucketKeys), allocated >> 1,
                       freed == kTimelineNever ? kTimelineNever : freed >> 1);
  });
  for (Marks& t : marks_) {
    std::vector<double>& marks = t.pairs;
    size_t kept = 0;
    for (size_t i = 0; i < marks.size(); i += 2) {
      const double bucket = static_cast<double>(static_cast<int64_t>(marks[i]) >> 1);
      // Two marks in one merged bucket: the first (smaller tag) stands.
      if (kept > 0 && marks[kept - 2] == bucket) continue;
      marks[kept++] = bucket;
      marks[kept++] = marks[i + 1];
    }
    marks.resize(kept);
  }
}

void Timeline::Finish(double end, double rows) {
  Event(end, rows);
  if (!high_.empty()) Settle(static_cast<uint64_t>(2 * Current() + 1));
}

void Timeline::Widen(double width) {
  while (width_ < width) Halve();
}

size_t Timeline::Bytes() const {
  size_t marks = 0;
  for (const Marks& t : marks_) marks += t.pairs.capacity() * 8 + sizeof(Marks);
  return changes_.Bytes() + lifetimes_.Bytes() + high_.capacity() * 24 + rows_.capacity() * sizeof(Row) +
         touched_.capacity() * 4 + marks;
}

}  // namespace memtrace::kernel
