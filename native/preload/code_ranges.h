// V8's generated code as its code events describe it: ranges of addresses, each with the isolate thread that
// reported it and a value of the user's. V8 reports code it adds and moves, never code it collects (its
// CODE_REMOVED is not sent for JS code): code added or moved over older ranges takes their place, as in V8's
// own CPU profiler (CodeMap::AddCode). An isolate that ends takes its ranges with it.
#ifndef MEMTRACE_PRELOAD_CODE_RANGES_H_
#define MEMTRACE_PRELOAD_CODE_RANGES_H_

#include <stdint.h>

#include <iterator>
#include <map>
#include <utility>

namespace memtrace {

template <typename V>
class CodeRanges {
 public:
  struct Range {
    uint64_t end;
    uint32_t owner;  // the tid of the isolate's thread
    V value;
  };
  using Map = std::map<uint64_t, Range>;

  // Each of the calls below that drops ranges calls dropped(start, range) for each before it goes.

  template <typename Dropped>
  void add(uint64_t start, uint64_t size, uint32_t owner, V value, Dropped&& dropped) {
    remove(start, size, dropped);
    ranges_.emplace(start, Range{start + size, owner, std::move(value)});
  }

  // The code at `from` now starts at `to`; whatever `to` overlapped is gone. False if no range started at
  // `from` (the destination is cleared all the same).
  template <typename Dropped>
  bool move(uint64_t from, uint64_t to, uint64_t size, Dropped&& dropped) {
    auto it = ranges_.find(from);
    bool known = it != ranges_.end();
    Range moved{};
    if (known) {
      moved = std::move(it->second);
      ranges_.erase(it);
    }
    remove(to, size, dropped);
    if (known) {
      moved.end = to + size;
      ranges_.emplace(to, std::move(moved));
    }
    return known;
  }

  // Drops every range that overlaps [start, start + size).
  template <typename Dropped>
  void remove(uint64_t start, uint64_t size, Dropped&& dropped) {
    uint64_t end = start + size;
    auto it = ranges_.lower_bound(start);
    if (it != ranges_.begin() && std::prev(it)->second.end > start) --it;
    while (it != ranges_.end() && it->first < end) {
      dropped(it->first, it->second);
      it = ranges_.erase(it);
    }
  }

  // Drops the ranges of `owner` that `keep` does not keep.
  template <typename Keep, typename Dropped>
  void remove_owner(uint32_t owner, Keep&& keep, Dropped&& dropped) {
    for (auto it = ranges_.begin(); it != ranges_.end();) {
      if (it->second.owner != owner || keep(it->second)) {
        ++it;
        continue;
      }
      dropped(it->first, it->second);
      it = ranges_.erase(it);
    }
  }

  // The range holding `pc`, or nullptr; `start` is set to its start.
  const Range* find(uint64_t pc, uint64_t& start) const {
    auto it = ranges_.upper_bound(pc);
    if (it == ranges_.begin()) return nullptr;
    --it;
    if (pc >= it->second.end) return nullptr;
    start = it->first;
    return &it->second;
  }
  Range* find(uint64_t pc, uint64_t& start) {
    return const_cast<Range*>(static_cast<const CodeRanges*>(this)->find(pc, start));
  }

  size_t size() const { return ranges_.size(); }
  void clear() { ranges_.clear(); }

 private:
  Map ranges_;
};

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_CODE_RANGES_H_
