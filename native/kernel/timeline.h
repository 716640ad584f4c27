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
  void Event(double t, double rows);
  void Allocate(uint32_t row, double size, double count, uint32_t tid, double tag, bool js);
  // After an allocation and what it released: a new high point of the bucket?
  void Allocated();
  void Release(uint32_t row, double bytes, double count, uint32_t tid, double tag, bool js);
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
  // A row's entries for the current bucket k, found once a bucket (the hash lookups were most of the
  // timeline's cost): lifetimes (row, k, never) and (row, k, k), changes (row, 2k). Valid while stamp equals
  // stamp_.
  struct RowCache {
    uint64_t stamp = 0;
    int64_t never = -1, same = -1, before = -1;
  };
  RowCache& CacheOf(uint32_t row);
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
  void OpenTo(int64_t index);
  void Halve();
  std::vector<double>& ThreadMarks(uint32_t tid);
  double BucketOfTag(uint32_t tid, double tag);
  void Tentative(uint32_t row, double bytes, double count);
  void Settle(uint64_t position);

  double budget_;
  // The grid (grid.ts): a bucket's width, and per bucket its moment's time and live bytes.
  double width_ = 1;
  double next_start_ = 0;
  std::vector<double> moment_time_, high_, high_js_;
  double live_ = 0, live_js_ = 0, time_ = 0;
  TimelineSums changes_, lifetimes_;
  std::vector<double> tent_bytes_, tent_count_;
  std::vector<uint8_t> tent_marked_;
  std::vector<uint32_t> touched_;
  std::vector<RowCache> row_cache_;
  uint64_t stamp_ = 1;
  std::vector<Marks> marks_;
  size_t last_marks_ = 0;
  int64_t max_buckets_ = kTimelineMaxBuckets;
};

}  // namespace memtrace::kernel
