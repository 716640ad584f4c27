// One process's memory over time in C++: ProcessTimeline (src/transforms/timeline/process.ts, the reference,
// with grid.ts and sums.ts) step for step, so that a fold keeps its timeline in the kernel and writes the
// same Timeline Records to the byte. PairedFold calls the hooks at the events it folds; the caller calls them
// through the binding at the events it folds itself (mappings), then finishes, widens and exports the tables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace memtrace::kernel {

// grid.ts, process.ts and keys.ts's constants.
constexpr int64_t kTimelineMaxBuckets = 256;
constexpr int64_t kTimelineMinBuckets = 16;
// keys.ts's keys, as integers (below 2^53, so the same numbers).
constexpr uint64_t kTimelineNever = 511;
constexpr uint64_t kTimelinePositions = 1024;
constexpr uint64_t kTimelineBucketKeys = 512;
inline uint64_t ChangeKey(uint64_t row, uint64_t position) { return row * kTimelinePositions + position; }
inline uint64_t LifetimeKey(uint64_t row, uint64_t allocated, uint64_t freed) {
  return (row * kTimelineBucketKeys + allocated) * kTimelineBucketKeys + freed;
}

// Sums of bytes and counts by key (sums.ts): entries in the order they were made, found through an open
// addressing index, so that a re-keying adds them in the order the TypeScript one does.
class TimelineSums {
 public:
  explicit TimelineSums(size_t capacity = 1024);
  void Add(uint64_t key, double bytes, double count) { AddAt(IndexOf(key), bytes, count); }
  // The entry of a key, made if new: it stays the key's until the next Rekey.
  size_t IndexOf(uint64_t key);
  void AddAt(size_t i, double bytes, double count) {
    entries_[i].bytes += bytes;
    entries_[i].count += count;
  }
  size_t Size() const { return entries_.size(); }
  // The same sums under new keys (entries whose keys become equal are added together, in order).
  template <typename F>
  TimelineSums Rekey(F key) const {
    TimelineSums out(entries_.size() > 1024 ? entries_.size() : 1024);
    for (const Entry& e : entries_) out.Add(key(e.key), e.bytes, e.count);
    return out;
  }
  // The entries that hold anything, by increasing key.
  void Sorted(std::vector<double>* keys, std::vector<double>* bytes, std::vector<double>* count) const;
  size_t Bytes() const { return entries_.capacity() * sizeof(Entry) + slots_.capacity() * 4; }

 private:
  // An entry's key and sums side by side: an event's Add touches one cache line of them.
  struct Entry {
    uint64_t key;
    double bytes, count;
  };
  size_t Find(uint64_t key) const;
  std::vector<Entry> entries_;
  std::vector<int32_t> slots_;  // entry index, -1 empty
  size_t mask_;
};

class Timeline {
 public:
  explicit Timeline(double budget) : budget_(budget) {}
  // Before every event of the process (at time t, `rows` rows of the process so far): moves to its bucket.
  void Event(double t, double rows) {
    time_ = t;
    if (t >= next_start_) NextBucket(t, rows);
  }
  inline void Allocate(uint32_t row, double size, double count, uint32_t tid, double tag, bool js);
  // After an allocation and what it released: a new high point of the bucket?
  void Allocated() {
    if (high_.empty()) return;
    if (live_ > high_.back()) Raise();
  }
  void Release(uint32_t row, double bytes, double count, uint32_t tid, double tag, bool js) {
    ReleaseFrom(row, bytes, count, static_cast<int64_t>(BucketOfTag(tid, tag)), js);
  }
  // Where an allocation made now stands: its bucket and the grid's halvings so far, for BucketOf.
  uint32_t Here() const { return halvings_ << 16 | static_cast<uint32_t>(Current()); }
  // The bucket now of an allocation made at `here` (a halving makes buckets 2j and 2j + 1 bucket j): the
  // bucket BucketOfTag finds for it, without the search.
  int64_t BucketOf(uint32_t here) const {
    const uint32_t shift = halvings_ - (here >> 16);
    return shift >= 16 ? 0 : static_cast<int64_t>((here & 0xffff) >> shift);
  }
  // Bytes of row `row` released, allocated in bucket `allocated`.
  inline void ReleaseFrom(uint32_t row, double bytes, double count, int64_t allocated, bool js);
  // Ends the last bucket; the grid reaches at least `end`.
  void Finish(double end, double rows);
  // Merges buckets until they are `width` ns wide.
  void Widen(double width);
  double Width() const { return width_; }
  size_t Buckets() const { return high_.size(); }
  size_t Entries() const { return changes_.Size() + lifetimes_.Size(); }
  const std::vector<double>& High() const { return high_; }
  const std::vector<double>& HighJs() const { return high_js_; }
  const std::vector<double>& MomentTime() const { return moment_time_; }
  const TimelineSums& Changes() const { return changes_; }
  const TimelineSums& Lifetimes() const { return lifetimes_; }
  size_t Bytes() const;

 private:
  // What the timeline keeps per row, side by side (an event touches one cache line of it):
  // - its entries for the current bucket k, found once a bucket (the hash lookups were most of the timeline's
  //   cost): lifetimes (row, k, never) and (row, k, k), changes (row, 2k); and for the latest earlier bucket
  //   `older` whose blocks it released in k, lifetimes (row, older, never) and (row, older, k). Valid while
  //   stamp equals stamp_ (entry indices hold until the buckets halve);
  // - its changes in doubt (Tentative), and whether it is listed in touched_.
  struct Row {
    uint64_t stamp = 0;
    int32_t never = -1, same = -1, before = -1;
    int32_t older = -1, older_never = -1, older_freed = -1;
    double tent_bytes = 0, tent_count = 0;
    bool touched = false;
  };
  struct Marks {
    uint32_t tid;
    std::vector<double> pairs;  // (bucket, first tag), increasing
  };
  int64_t Current() const { return static_cast<int64_t>(high_.size()) - 1; }
  // The start of the bucket after the current one: an event before it stays in the current bucket (the width
  // is a power of two, so this is exactly IndexOf(t) <= Current()).
  void GridChanged() {
    next_start_ = static_cast<double>(high_.size()) * width_;
    stamp_++;
  }
  int64_t IndexOf(double t) const;
  void NextBucket(double t, double rows);
  void Raise();
  void OpenTo(int64_t index);
  void Halve();
  // The row's state, its cached entries valid for the current bucket.
  Row& RowOf(uint32_t row) {
    if (row >= rows_.size()) GrowRows(row);
    Row& r = rows_[row];
    if (r.stamp != stamp_) {
      r.stamp = stamp_;
      r.never = r.same = r.before = r.older = r.older_never = r.older_freed = -1;
    }
    return r;
  }
  void GrowRows(uint32_t row);
  std::vector<double>& ThreadMarks(uint32_t tid) {
    if (last_marks_ < marks_.size() && marks_[last_marks_].tid == tid) return marks_[last_marks_].pairs;
    return FindMarks(tid);
  }
  std::vector<double>& FindMarks(uint32_t tid);
  // The bucket of the thread's allocation `tag`. Most blocks are freed soon: made since the thread's latest
  // mark.
  double BucketOfTag(uint32_t tid, double tag) {
    const std::vector<double>& marks = ThreadMarks(tid);
    const size_t n = marks.size();
    if (n != 0 && marks[n - 1] <= tag) return marks[n - 2];
    return SearchMarks(marks, tag);
  }
  static double SearchMarks(const std::vector<double>& marks, double tag);
  void Tentative(Row& r, uint32_t row, double bytes, double count) {
    if (!r.touched) {
      r.touched = true;
      touched_.push_back(row);
    }
    r.tent_bytes += bytes;
    r.tent_count += count;
  }
  void Settle(uint64_t position);
  static int32_t Index(size_t i) { return static_cast<int32_t>(i); }

  double budget_;
  // The grid (grid.ts): a bucket's width, and per bucket its moment's time and live bytes.
  double width_ = 1;
  double next_start_ = 0;
  std::vector<double> moment_time_, high_, high_js_;
  double live_ = 0, live_js_ = 0, time_ = 0;
  TimelineSums changes_, lifetimes_;
  std::vector<Row> rows_;
  std::vector<uint32_t> touched_;
  uint64_t stamp_ = 1;
  std::vector<Marks> marks_;
  size_t last_marks_ = 0;
  int64_t max_buckets_ = kTimelineMaxBuckets;
  uint32_t halvings_ = 0;
};

// Where every event of a fold goes: inline, so that PairedFold::Run calls nothing for most events.
void Timeline::Allocate(uint32_t row, double size, double count, uint32_t tid, double tag, bool js) {
  const int64_t k = Current();
  live_ += size;
  if (js) live_js_ += size;
  Row& r = RowOf(row);
  if (r.never < 0)
    r.never = Index(lifetimes_.IndexOf(LifetimeKey(row, static_cast<uint64_t>(k), kTimelineNever)));
  lifetimes_.AddAt(static_cast<size_t>(r.never), size, count);
  std::vector<double>& marks = ThreadMarks(tid);
  if (marks.empty() || marks[marks.size() - 2] < static_cast<double>(k)) {
    marks.push_back(static_cast<double>(k));
    marks.push_back(tag);
  }
  Tentative(r, row, size, count);
}

void Timeline::ReleaseFrom(uint32_t row, double bytes, double count, int64_t allocated, bool js) {
  live_ -= bytes;
  if (js) live_js_ -= bytes;
  // A release is never a high point: it waits with the other changes after the latest one.
  Row& r = RowOf(row);
  Tentative(r, row, -bytes, -count);
  const int64_t k = Current();
  // The entries are the row's cached ones (made, if new, in the order the lookups made them), added to in
  // the same order.
  if (allocated != k) {
    if (r.older != allocated) {
      r.older = static_cast<int32_t>(allocated);
      const auto a = static_cast<uint64_t>(allocated);
      r.older_never = Index(lifetimes_.IndexOf(LifetimeKey(row, a, kTimelineNever)));
      r.older_freed = Index(lifetimes_.IndexOf(LifetimeKey(row, a, static_cast<uint64_t>(k))));
    }
    lifetimes_.AddAt(static_cast<size_t>(r.older_never), -bytes, -count);
    lifetimes_.AddAt(static_cast<size_t>(r.older_freed), bytes, count);
    return;
  }
  const auto kk = static_cast<uint64_t>(k);
  if (r.never < 0) r.never = Index(lifetimes_.IndexOf(LifetimeKey(row, kk, kTimelineNever)));
  lifetimes_.AddAt(static_cast<size_t>(r.never), -bytes, -count);
  if (r.same < 0) r.same = Index(lifetimes_.IndexOf(LifetimeKey(row, kk, kk)));
  lifetimes_.AddAt(static_cast<size_t>(r.same), bytes, count);
}

}  // namespace memtrace::kernel
