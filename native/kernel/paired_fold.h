// fold of one process's paired batches (proto/memtrace.proto, PairedBatch) in C++: the per-event arithmetic
// of Folder.foldPaired (src/transforms/fold.ts), which stays the reference. A batch is read straight from its
// bytes into columns this object reuses, then folded into the caller's row columns (FoldRows, the temporary
// measure's sums, the size histogram) and the process's figures (the state array, layout below).
//
// The fold makes each row it meets first (a new thread, stack and allocator) itself: the next key
// (state[kRowCount]), its columns zeroed, its (thread, site) listed from state[kRows]. The caller adopts the
// listed rows, in order, at every stop (FoldRows, AppEnd and the measures' bookkeeping stay in TypeScript).
//
// The fold stops and returns to the caller where TypeScript must act, and resumes where it stopped:
//   NeedRoom  the list of new rows is full, or the row columns have no room for another: the caller
//             adopts the rows and grows the columns.
//   AppEnd    an event at or after state[kAppEndNext]: the caller freezes rows (AppEnd), moves the time on.
//   MapAlloc  an MMAP or MREMAP allocation, after its serial, tag and columns' cursors were taken: the
//             caller folds the mapping (LiveHeap pairs mappings by address).
//   MapFree   MUNMAP, after its deallocation was counted.
//   Error     the batch is corrupt: state[kOut] says which error, state[kOut + 1] the number it names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "timeline.h"

namespace memtrace::kernel {

enum class Stop : int { Done = 0, NeedRoom = 1, AppEnd = 2, MapAlloc = 3, MapFree = 4, Error = 5 };

// The state array: the process's figures, read at the start of Run and written back at every stop.
enum StateSlot : int {
  kLiveBytes = 0,
  kPeakBytes,
  kPeakTime,
  kEpoch,
  kAllocations,
  kAllocatedBytes,
  kDeallocations,
  kEndTime,
  kJsSamples,
  kAppEndNext,  // in: the next APP_ENDED time (Infinity: none)
  kStackCount,  // in: stacks defined in the scope
  kHeap,        // in: 0 all, 1 native, 2 JS (Heap)
  kUnmatched,   // out: the pairing's counts
  kOverwritten,
  kAwaited,
  kRowCount,         // in and out: the fold's rows (FoldRows.length); a row made here takes the next key
  kNewRows,          // out: how many rows this run made, listed from kRows
  kProcessRows,      // in: the process's rows (the timeline's `rows`)
  kOut,              // out, 8 numbers: what a stop names
  kRows = kOut + 8,  // out: (thread, site) of each row made, in the order of their keys
  kStateLength = kRows + 2048,
};

// Rows a run makes before it stops for the caller to adopt them: (kStateLength - kRows) / 2.
constexpr size_t kMaxNewRows = 1024;

// Errors, as Stop::Error names them (src/native/kernel.ts PairedFault; fold.ts words them for both paths).
enum class Fault : int {
  UndefinedSite = 1,
  UndefinedStack,
  EarlyNotEarly,
  EarlyWithoutFree,
  ExtraNotLive,
  FewerFreeKinds,
  LateWithoutAwaited,
  FreeNotLive,
  ColumnsMismatch,
};

// The caller's columns, by row key (FoldRows and the temporary measure's sums) and by size bucket.
struct Columns {
  double* cur;
  double* cur_count;
  double* snap;
  double* snap_count;
  double* snap_epoch;
  double* total;
  double* total_count;
  double* temp_bytes;  // null without the temporary measure
  double* temp_count;
  double* size_counts;  // 66 buckets (src/model/histogram.ts)
  double* size_sums;
  size_t capacity;  // rows every row column (all but the size histogram) has room for
};

class PairedFold {
 public:
  // threshold: the temporary measure's (freed within this many allocations of its thread); < 0: no such
  // measure.
  // timeline_budget: the timeline's entry budget (timeline.h); < 0: the fold keeps no timeline.
  PairedFold(double threshold, double timeline_budget)
      : threshold_(threshold),
        timeline_(timeline_budget < 0 ? nullptr : std::make_unique<Timeline>(timeline_budget)) {}

  void AddSites(const uint8_t* kind, const double* size, const uint32_t* stack, const double* count,
                size_t n);
  // Reads a PairedBatch body. False when it is not in the plain form this reader takes (one packed piece per
  // column, every value below 2^53, the columns' lengths and ranges as decodePaired checks them): the caller
  // then decodes it in TypeScript (which says what is wrong, if anything) and gives the columns to
  // LoadColumns. A STEP batch's frees (version 3) are read as ages, so Run reads ages only.
  bool LoadRaw(const uint8_t* body, size_t length);
  void LoadColumns(size_t rows, const double* op, const double* time, const uint32_t* tid,
                   const uint8_t* free_kind, size_t frees, const double* address, size_t addresses,
                   const double* unmap_length, size_t unmaps, const uint32_t* extra_row,
                   const double* extra_age, const uint8_t* extra_kind, size_t extras);
  Stop Run(double* state, const Columns& c);
  double AllocationsOf(uint32_t tid);
  // One more than the largest row key made: the row columns must be at least this long.
  size_t RowKeys() const { return row_thread_.size(); }
  // About how many bytes this holds (for the JavaScript heap's accounting of external memory).
  size_t Bytes() const;
  double NextAllocation(uint32_t tid);
  // The process's timeline, or null.
  Timeline* timeline() { return timeline_.get(); }

 private:
  bool StepsToAges();
  struct Thread {
    uint32_t tid = 0;
    double count = 0;
    // Rows by site: a cache, kept by the first kThreadsCached threads for sites below kSitesCached only, so
    // that a corrupt capture of many threads and sites cannot make it large.
    std::vector<int32_t> row_of_site;
    // Rows by stack * 128 + kind, as fold.ts keys them: sites that differ in size alone share a row, found
    // here without asking the caller.
    std::unordered_map<uint64_t, uint32_t> row_of_stack;
  };
  struct Block {
    uint32_t key;
    uint32_t here;  // the timeline's Here() at its allocation
    double tag;
    uint32_t site;
  };
  // The ring starts small (a fold may have many small processes) and doubles up to this.
  static constexpr size_t kRing = size_t{1} << 17;
  static constexpr size_t kThreadsCached = 256;
  static constexpr size_t kSitesCached = size_t{1} << 20;

  Thread& ThreadOf(uint32_t tid);
  // The row of (thread, site), from the rows made so far; -1 when the caller must make it.
  int32_t RowOf(Thread& t, size_t site);
  void Cache(Thread& t, size_t site, uint32_t key);
  // A new row of the thread for the site's stack and allocator.
  void AddRow(Thread& t, size_t site, uint32_t key);
  void Put(int64_t serial, uint32_t key, uint32_t here, double tag, uint32_t site);
  bool Take(double serial, Block* out);
  void Release(double* state, const Columns& c, uint32_t key, uint8_t kind, double bytes, double count,
               double tag, uint32_t here, bool overwritten);
  Stop Fail(double* state, Fault fault, double value);

  double threshold_;
  std::unique_ptr<Timeline> timeline_;
  // Sites from 1 (0 unused).
  std::vector<uint8_t> site_kind_{0};
  std::vector<double> site_size_{0};
  std::vector<uint32_t> site_stack_{0};
  std::vector<double> site_count_{0};
  std::vector<Thread> threads_;
  size_t last_thread_ = 0;
  std::vector<int32_t> row_thread_;  // by row key: its thread's index in threads_
  // Live blocks by serial: a ring, and the older ones still live (SerialBlocks in serial-blocks.ts).
  std::vector<int64_t> ring_serial_ = std::vector<int64_t>(256, -1);
  std::vector<Block> ring_ = std::vector<Block>(256);
  std::unordered_map<int64_t, Block> old_;
  double serials_ = 0;
  double unmatched_ = 0;
  double overwritten_ = 0;
  double awaited_ = 0;
  // The batch, and where its fold stands.
  std::vector<uint64_t> op_;
  std::vector<double> time_, address_, unmap_length_, extra_age_;
  std::vector<uint64_t> change_row_, change_;  // time_change_row and time_change, read into time_
  std::vector<uint32_t> tid_, extra_row_;
  std::vector<uint8_t> free_kind_, extra_kind_;
  size_t rows_ = 0;
  size_t row_ = 0, free_ = 0, mapping_ = 0, unmap_ = 0, extra_ = 0;
};

}  // namespace memtrace::kernel
