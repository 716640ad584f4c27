#include "process_maps.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>

#include "elf_symbols.h"
#include "record_writer.h"
#include "recorder.h"
#include "spin_lock.h"

namespace memtrace {

namespace {

// File mappings noted by the mmap wrapper, waiting for the writer thread. Executable ones carry their
// path, read through /proc/self/fd while the descriptor is certainly the one mapped.
struct NotedMapping {
  uint64_t start, end, offset;
  char path[256];
};
constexpr size_t kNotedMax = 64;
SpinLock noted_lock;
NotedMapping noted[kNotedMax];
size_t noted_count = 0;
std::atomic<bool> maps_dirty{true};

}  // namespace

void recorder::note_file_mapping(const void* start, size_t length, int prot, int fd, uint64_t offset) {
  maps_dirty.store(true, std::memory_order_relaxed);
  if (!(prot & PROT_EXEC)) return;
  char link[64];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  NotedMapping m{};
  ssize_t n = readlink(link, m.path, sizeof(m.path) - 1);
  if (n <= 0) return;
  m.path[n] = 0;
  m.start = reinterpret_cast<uint64_t>(start);
  m.end = m.start + length;
  m.offset = offset;
  LockGuard<SpinLock> guard(noted_lock);
  if (noted_count < kNotedMax) noted[noted_count++] = m;
}

void ProcessMaps::forget_written() {
  entries_.clear();
  maps_dirty.store(true, std::memory_order_relaxed);
}

bool ProcessMaps::dirty() { return maps_dirty.load(std::memory_order_relaxed); }

void ProcessMaps::add(MappingEntry entry, ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint64_t now) {
  for (MappingEntry& e : entries_) {
    if (e.start == entry.start && e.end == entry.end && e.offset == entry.offset && e.path == entry.path &&
        !e.removed) {
      return;
    }
  }
  auto id = build_ids_.find(entry.path);
  if (id == build_ids_.end()) id = build_ids_.emplace(entry.path, read_build_id(entry.path)).first;
  records::mapping(
      out, scratch, pid,
      {entry.start, entry.end, entry.offset, entry.path.c_str(), id->second.c_str(), true, now, false});
  entries_.push_back(std::move(entry));
}

void ProcessMaps::refresh(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint64_t now) {
  maps_dirty.store(false, std::memory_order_relaxed);
  NotedMapping taken[kNotedMax];
  size_t taken_count;
  {
    LockGuard<SpinLock> guard(noted_lock);
    taken_count = noted_count;
    memcpy(taken, noted, sizeof(NotedMapping) * taken_count);
    noted_count = 0;
  }
  for (size_t i = 0; i < taken_count; i++) {
    add({taken[i].start, taken[i].end, taken[i].offset, taken[i].path, true, false}, out, scratch, pid, now);
  }

  FILE* f = fopen("/proc/self/maps", "re");
  if (!f) return;
  std::vector<bool> seen(entries_.size(), false);
  char line[4096];
  while (fgets(line, sizeof(line), f)) {
    unsigned long long start, end, offset;
    char perms[8];
    int path_at = 0;
    if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &start, &end, perms, &offset, &path_at) < 4) continue;
    if (perms[2] != 'x' || path_at == 0 || line[path_at] != '/') continue;
    std::string path(line + path_at);
    while (!path.empty() && path.back() == '\n') path.pop_back();
    bool known = false;
    for (size_t i = 0; i < entries_.size(); i++) {
      MappingEntry& e = entries_[i];
      if (!e.removed && e.start == start && e.end == end && e.offset == offset && e.path == path) {
        if (i < seen.size()) seen[i] = true;
        known = true;
        break;
      }
    }
    if (!known) add({start, end, offset, path, true, false}, out, scratch, pid, now);
  }
  fclose(f);
  for (size_t i = 0; i < seen.size(); i++) {
    MappingEntry& e = entries_[i];
    if (seen[i] || e.removed) continue;
    e.removed = true;
    records::mapping(out, scratch, pid, {e.start, e.end, e.offset, e.path.c_str(), nullptr, true, now, true});
  }
}

const MappingEntry* ProcessMaps::find(uint64_t address) const {
  const MappingEntry* removed = nullptr;
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (address < it->start || address >= it->end) continue;
    if (!it->removed) return &*it;
    if (!removed) removed = &*it;
  }
  return removed;
}

}  // namespace memtrace
