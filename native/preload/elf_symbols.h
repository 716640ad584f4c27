// Function symbols of one ELF file (an executable or shared object), from .symtab when it has one, else
// .dynsym, for naming native frames. Loaded once per file, on the writer thread.
#ifndef MEMTRACE_PRELOAD_ELF_SYMBOLS_H_
#define MEMTRACE_PRELOAD_ELF_SYMBOLS_H_

#include <stdint.h>

#include <string>
#include <vector>

namespace memtrace {

class ElfSymbols {
 public:
  // nullptr when the file cannot be read or is not a 64-bit ELF file.
  static ElfSymbols* load(const std::string& path);
  ~ElfSymbols();

  // 16 bytes: node has ~150,000 of them, and every page of the table is a page fault.
  struct Symbol {
    uint64_t start;
    uint32_t size;  // a function's size fits: ELF's 64-bit field is clamped
    uint32_t name;  // offset in the string table
  };

  // The function symbol containing `vaddr` (an address in the file's own address space), or nullptr.
  const Symbol* find(uint64_t vaddr) const;
  const char* name(const Symbol& s) const { return strings_ + s.name; }
  // The file's address of the byte at `offset` in the file, through its loadable segments.
  bool vaddr_of_offset(uint64_t offset, uint64_t& vaddr) const;

 private:
  ElfSymbols() = default;
  bool parse();

  const unsigned char* file_ = nullptr;
  size_t file_size_ = 0;
  const char* strings_ = nullptr;
  std::vector<Symbol> symbols_;  // sorted by start
  struct Segment {
    uint64_t offset, vaddr, size;
  };
  std::vector<Segment> segments_;
};

// The GNU build id of the ELF file at `path`, in hex ("" if it has none): read from its notes alone.
std::string read_build_id(const std::string& path);

// "_ZN4node10ZlibContext4InitEv" -> "node::ZlibContext::Init()"; the name itself if it is not mangled.
std::string demangle(const char* name);

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_ELF_SYMBOLS_H_
