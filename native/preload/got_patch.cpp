#include "got_patch.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace memtrace::got {

namespace {

#if defined(__x86_64__)
constexpr uint32_t kJumpSlot = R_X86_64_JUMP_SLOT;
constexpr uint32_t kGlobDat = R_X86_64_GLOB_DAT;
#elif defined(__aarch64__)
constexpr uint32_t kJumpSlot = R_AARCH64_JUMP_SLOT;
constexpr uint32_t kGlobDat = R_AARCH64_GLOB_DAT;
#else
#error "memtrace: GOT patching knows x86-64 and AArch64 relocations only"
#endif

using Sym = ElfW(Sym);
using Rela = ElfW(Rela);
using Half = ElfW(Half);
using Dyn = ElfW(Dyn);
using Phdr = ElfW(Phdr);

enum class Mode { kInstall, kRemove };

struct Pass {
  const Hook* hooks;
  size_t count;
  Mode mode;
  uintptr_t self_base;
  PatchCounts counts;
};

// The loader relocates some dynamic entries in place and not others (it depends on the libc): an address
// below the object's base is still the file's.
uintptr_t relocated(uintptr_t base, uintptr_t address) { return address < base ? base + address : address; }

struct Object {
  uintptr_t base = 0;
  const Sym* symbols = nullptr;
  const char* strings = nullptr;
  const uint32_t* gnu_hash = nullptr;
  const Half* versions = nullptr;
  const Rela* rela = nullptr;
  size_t rela_bytes = 0;
  const Rela* plt_rela = nullptr;
  size_t plt_rela_bytes = 0;
  // The object's loaded extent, to tell its own lazy-binding stubs, and its RELRO range (read-only once
  // relocated).
  uintptr_t low = UINTPTR_MAX, high = 0;
  uintptr_t relro_low = 0, relro_high = 0;
};

bool read_object(const dl_phdr_info* info, Object& o) {
  o.base = info->dlpi_addr;
  const Dyn* dynamic = nullptr;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const Phdr& ph = info->dlpi_phdr[i];
    uintptr_t start = o.base + ph.p_vaddr;
    if (ph.p_type == PT_DYNAMIC) dynamic = reinterpret_cast<const Dyn*>(start);
    if (ph.p_type == PT_LOAD) {
      if (start < o.low) o.low = start;
      if (start + ph.p_memsz > o.high) o.high = start + ph.p_memsz;
    }
    if (ph.p_type == PT_GNU_RELRO) {
      o.relro_low = start;
      o.relro_high = start + ph.p_memsz;
    }
  }
  if (!dynamic) return false;
  bool plt_is_rela = true;
  for (const Dyn* d = dynamic; d->d_tag != DT_NULL; d++) {
    switch (d->d_tag) {
      case DT_SYMTAB:
        o.symbols = reinterpret_cast<const Sym*>(relocated(o.base, d->d_un.d_ptr));
        break;
      case DT_STRTAB:
        o.strings = reinterpret_cast<const char*>(relocated(o.base, d->d_un.d_ptr));
        break;
      case DT_RELA:
        o.rela = reinterpret_cast<const Rela*>(relocated(o.base, d->d_un.d_ptr));
        break;
      case DT_RELASZ:
        o.rela_bytes = d->d_un.d_val;
        break;
      case DT_JMPREL:
        o.plt_rela = reinterpret_cast<const Rela*>(relocated(o.base, d->d_un.d_ptr));
        break;
      case DT_PLTRELSZ:
        o.plt_rela_bytes = d->d_un.d_val;
        break;
      case DT_PLTREL:
        plt_is_rela = d->d_un.d_val == DT_RELA;
        break;
      case DT_GNU_HASH:
        o.gnu_hash = reinterpret_cast<const uint32_t*>(relocated(o.base, d->d_un.d_ptr));
        break;
      case DT_VERSYM:
        o.versions = reinterpret_cast<const Half*>(relocated(o.base, d->d_un.d_ptr));
        break;
      default:
        break;
    }
  }
  // x86-64 and AArch64 objects use RELA throughout; an object with REL entries is not one we can read.
  if (!plt_is_rela) o.plt_rela = nullptr;
  return o.symbols && o.strings;
}

// Stores `value` in a slot, making its page writable for the store if the loader made it read-only: the
// RELRO range's whole pages (the loader leaves a last partial page writable, and so must we).
bool store(const Object& o, uintptr_t* slot, uintptr_t value) {
  static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  auto address = reinterpret_cast<uintptr_t>(slot);
  bool read_only = address >= (o.relro_low & ~(page - 1)) && address < (o.relro_high & ~(page - 1));
  void* start = reinterpret_cast<void*>(address & ~(page - 1));
  if (read_only && mprotect(start, page, PROT_READ | PROT_WRITE) != 0) return false;
  // Other threads call through the slot meanwhile: one aligned store, which they see whole.
  __atomic_store_n(slot, value, __ATOMIC_RELEASE);
  if (read_only) mprotect(start, page, PROT_READ);
  return true;
}

void patch_table(const Object& o, const Rela* table, size_t bytes, Pass& pass) {
  if (!table) return;
  for (size_t i = 0, n = bytes / sizeof(Rela); i < n; i++) {
    const Rela& r = table[i];
    uint32_t type = static_cast<uint32_t>(ELF64_R_TYPE(r.r_info));
    if (type != kJumpSlot && type != kGlobDat) continue;
    const char* name = o.strings + o.symbols[ELF64_R_SYM(r.r_info)].st_name;
    for (size_t h = 0; h < pass.count; h++) {
      const Hook& hook = pass.hooks[h];
      if (strcmp(name, hook.name) != 0) continue;
      auto* slot = reinterpret_cast<uintptr_t*>(o.base + r.r_offset);
      uintptr_t value = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
      auto hook_address = reinterpret_cast<uintptr_t>(hook.hook);
      auto original = reinterpret_cast<uintptr_t>(hook.original);
      uintptr_t wanted;
      if (pass.mode == Mode::kInstall) {
        if (value == hook_address) break;
        // A lazy-binding slot not yet resolved points into its own object's PLT.
        bool lazy = type == kJumpSlot && value >= o.low && value < o.high;
        if (value != original && !lazy) {
          pass.counts.foreign++;
          break;
        }
        wanted = hook_address;
      } else {
        if (value != hook_address) break;
        wanted = original;
      }
      if (store(o, slot, wanted)) {
        pass.counts.patched++;
      } else {
        pass.counts.failed++;
      }
      break;
    }
  }
}

// The symbol `name` as the object defines it (at its default version), through its GNU hash table; nullptr if
// it does not define it.
const Sym* defined_symbol(const Object& o, const char* name) {
  if (!o.gnu_hash) return nullptr;
  uint32_t h = 5381;
  for (const char* c = name; *c; c++) h = h * 33 + static_cast<unsigned char>(*c);
  uint32_t buckets = o.gnu_hash[0], first = o.gnu_hash[1], bloom_words = o.gnu_hash[2];
  if (buckets == 0) return nullptr;
  const uint32_t* bucket = o.gnu_hash + 4 + bloom_words * (sizeof(ElfW(Addr)) / 4);
  const uint32_t* chain = bucket + buckets;
  for (uint32_t i = bucket[h % buckets]; i >= first && i != 0; i++) {
    uint32_t entry = chain[i - first];
    const Sym& sym = o.symbols[i];
    bool hidden_version = o.versions && (o.versions[i] & 0x8000);
    if ((entry | 1) == (h | 1) && sym.st_shndx != SHN_UNDEF && !hidden_version &&
        ELF64_ST_TYPE(sym.st_info) == STT_FUNC && strcmp(o.strings + sym.st_name, name) == 0) {
      return &sym;
    }
    if (entry & 1) break;
  }
  return nullptr;
}

bool skipped(const dl_phdr_info* info, uintptr_t self) {
  const char* name = info->dlpi_name ? info->dlpi_name : "";
  return info->dlpi_addr == self || strstr(name, "linux-vdso") || strstr(name, "/ld-linux") ||
         strstr(name, "/ld-musl");
}

uintptr_t self_base();

int visit(dl_phdr_info* info, size_t, void* data) {
  auto* pass = static_cast<Pass*>(data);
  // The vDSO has no GOT worth the name; the dynamic loader must keep its own; this library calls the real
  // functions itself.
  if (skipped(info, pass->self_base)) return 0;
  Object o;
  if (!read_object(info, o)) return 0;
  patch_table(o, o.plt_rela, o.plt_rela_bytes, *pass);
  patch_table(o, o.rela, o.rela_bytes, *pass);
  return 0;
}

uintptr_t self_base() {
  Dl_info self;
  if (!dladdr(reinterpret_cast<void*>(&self_base), &self)) return 0;
  return reinterpret_cast<uintptr_t>(self.dli_fbase);
}

PatchCounts run(const Hook* hooks, size_t count, Mode mode) {
  Pass pass{hooks, count, mode, self_base(), {}};
  dl_iterate_phdr(visit, &pass);
  return pass.counts;
}

}  // namespace

void* find_definition(const char* name) {
  struct Search {
    const char* name;
    uintptr_t self;
    void* found;
  } search{name, self_base(), nullptr};
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* s = static_cast<Search*>(data);
        Object o;
        if (skipped(info, s->self) || !read_object(info, o)) return 0;
        const Sym* sym = defined_symbol(o, s->name);
        if (!sym) return 0;
        s->found = reinterpret_cast<void*>(o.base + sym->st_value);
        return 1;
      },
      &search);
  return search.found;
}

PatchCounts install(const Hook* hooks, size_t count) { return run(hooks, count, Mode::kInstall); }

PatchCounts remove(const Hook* hooks, size_t count) { return run(hooks, count, Mode::kRemove); }

}  // namespace memtrace::got
