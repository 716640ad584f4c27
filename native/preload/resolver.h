// Names for frames, on the writer thread: each new frame's address is looked up once, in V8's code ranges
// (reported by the agent) and then in the ELF symbols of the file mapped there. The names become the
// scope's strings and functions; FrameResolution records attach them to the frames.
#ifndef MEMTRACE_PRELOAD_RESOLVER_H_
#define MEMTRACE_PRELOAD_RESOLVER_H_

#include <stdint.h>

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "byte_buffer.h"
#include "code_ranges.h"
#include "elf_symbols.h"
#include "hash_map.h"
#include "memtrace/agent_api.h"
#include "process_maps.h"
#include "record_writer.h"
#include "stack_tables.h"

namespace memtrace {

// A name as V8 reports generated code: "JS:~compressAll /app/z.js:12:20", "Builtin:ArrayPrototypePush".
struct V8CodeName {
  std::string name;
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t kind = 0;  // FunctionKind
};
V8CodeName parse_v8_code_name(const char* raw, size_t length);

struct CodeEventIn {
  uint32_t kind;
  uint64_t time_ns;
  uint64_t start;
  uint64_t size;
  uint64_t new_start;
  std::string name;
  // ADDED: the lines of the code's instructions, by offset (agent_api.h).
  std::vector<memtrace_code_position> positions;
  // ADDED: code that existed when the isolate's agent started, reported then.
  bool existing = false;
};

class Resolver {
 public:
  // Appends, in this order, the strings and functions defined, then Mapping and CodeEvent records, then the
  // FrameResolution of `frames`. Code events and frames are taken in time order, so that a frame is named by
  // the code at its address when it was first seen (V8 reuses the addresses of code it collected; the
  // recorder retires frames where new code goes, so a frame is never seen after its code was replaced), with
  // the line and column of the call where the code says. A frame that no code or file held when it was seen
  // (seen before its isolate's agent started) waits, for a few rounds, for the code the agent reports as
  // existing; `last` ends the waiting.
  void round(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint64_t now, std::vector<CodeEventIn>& code,
             const FramesToResolve& frames, bool last);
  uint64_t unresolved_frames() const { return unresolved_; }
  // A fork child's scope has its own ids: forget them, keep what is known about files and code.
  void start_new_scope();

  // A function for a frame whose thread entry routine is sought: the demangled name, or "".
  std::string symbol_name(uint64_t address);

  // Loads the symbol table of the process's executable ahead of need (node's takes ~14 ms).
  void load_executable_symbols();

 private:
  struct Code {
    uint32_t function;
    std::vector<memtrace_code_position> positions;
  };
  struct Resolved {
    uint32_t function = 0;
    uint32_t line = 0;
    uint32_t column = 0;
  };

  uint32_t string_id(const std::string& s);
  uint32_t function_id(const std::string& key, const records::FunctionFields& f);
  uint32_t code_function(const std::string& raw);
  // Follows the code event in the code ranges and queues it for the round's CodeEventBatch.
  void apply(const CodeEventIn& e);
  // The function of a JS frame key (js_functions.h), or 0.
  uint32_t js_function(uint64_t key);
  // The function (0 if none) and position of the frame at return address `address`.
  Resolved resolve_frame(uint64_t address, ByteBuffer& body, ByteBuffer& scratch, uint32_t pid, uint64_t now,
                         bool& refreshed);
  // The function of the native code at `pc`, or 0.
  uint32_t resolve_native(uint64_t pc, ByteBuffer& body, ByteBuffer& scratch, uint32_t pid, uint64_t now,
                          bool& refreshed);
  ElfSymbols* symbols_for(const std::string& path);

  // Scope state: ids given out, and those not yet written.
  std::unordered_map<std::string, uint32_t> strings_;
  std::vector<std::string> new_strings_;
  uint32_t first_new_string_ = 1;
  std::unordered_map<std::string, uint32_t> functions_;
  std::vector<records::FunctionFields> new_functions_;
  // This round's code events, written as CodeEventBatch Records of at most kCodeBatchRows rows.
  static constexpr size_t kCodeBatchRows = 8192;
  std::vector<records::CodeFields> code_rows_;
  uint32_t first_new_function_ = 1;
  uint64_t unresolved_ = 0;
  // Frames waiting for the code that existed when their agent started, by return address. Only that code may
  // name them: code added later over the address may be anything's.
  struct Waiting {
    uint32_t frame;
    uint64_t round;
  };
  static constexpr uint64_t kWaitRounds = 20;
  std::multimap<uint64_t, Waiting> waiting_;
  uint64_t rounds_ = 0;

  // Process state, kept across fork.
  CodeRanges<Code> code_;
  ProcessMaps maps_;
  std::unordered_map<std::string, std::unique_ptr<ElfSymbols>> files_;
};

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_RESOLVER_H_
