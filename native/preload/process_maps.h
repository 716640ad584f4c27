// The process's file mappings (from /proc/self/maps and from the mmap wrapper), for naming native frames and
// for the capture's Mapping records. Mappings made and removed between two reads of /proc/self/maps (V8's
// copy of its builtins in a short-lived worker) are caught by the mmap wrapper as they happen.
#ifndef MEMTRACE_PRELOAD_PROCESS_MAPS_H_
#define MEMTRACE_PRELOAD_PROCESS_MAPS_H_

#include <stddef.h>
#include <stdint.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "byte_buffer.h"

namespace memtrace {

struct MappingEntry {
  uint64_t start;
  uint64_t end;
  uint64_t offset;
  std::string path;
  bool executable;
  bool removed;
};

class ProcessMaps {
 public:
  // Reads /proc/self/maps and what the mmap wrapper noted; appends a Mapping record for each executable
  // file mapping that appeared or went away since the last refresh.
  void refresh(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint64_t now);
  // Whether the mmap wrapper saw a file mapping since the last refresh.
  static bool dirty();
  // The executable file mapping that holds `address`, preferring one that still exists.
  const MappingEntry* find(uint64_t address) const;
  // A fork child starts a new scope: every mapping is written again.
  void forget_written();

 private:
  void add(MappingEntry entry, ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint64_t now);
  std::vector<MappingEntry> entries_;
  std::unordered_map<std::string, std::string> build_ids_;
};

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_PROCESS_MAPS_H_
