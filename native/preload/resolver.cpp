#include "resolver.h"

#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <map>

#include "js_functions.h"
#include "memtrace/agent_api.h"

namespace memtrace {

namespace {

enum FunctionKind : uint32_t { kKindOther = 0, kKindJs = 1, kKindNative = 2, kKindBuiltin = 3 };

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The first word of a script part: a path, a URL or node's own module, or a name ending in :line:column.
bool looks_like_script(const std::string& word) {
  if (word[0] == '/' || word.compare(0, 5, "node:") == 0 || word.compare(0, 5, "file:") == 0) return true;
  size_t c2 = word.rfind(':');
  if (c2 == std::string::npos || c2 == 0) return false;
  size_t c1 = word.rfind(':', c2 - 1);
  return c1 != std::string::npos && all_digits(word.substr(c1 + 1, c2 - c1 - 1)) &&
         all_digits(word.substr(c2 + 1));
}

}  // namespace

// V8 names code "<tag>:<marker><name> <script>:<line>:<column>", where the tag says what the code is
// (JS, Builtin, BytecodeHandler, Stub, RegExp, ...), the marker its tier (~ interpreted or baseline,
// ^ Sparkplug, + Maglev, * TurboFan, then ' for code specialised to a context), and the script part exists
// for JS functions. The script may contain
// ':' itself (node:internal/..., file URLs), so line and column are taken from the end.
V8CodeName parse_v8_code_name(const char* raw, size_t length) {
  std::string s(raw, length);
  V8CodeName out;
  size_t colon = s.find(':');
  size_t space = s.find(' ');
  std::string tag;
  if (colon != std::string::npos && (space == std::string::npos || colon < space)) {
    tag = s.substr(0, colon);
    s = s.substr(colon + 1);
    space = s.find(' ');
  }
  if (!s.empty() && strchr("~*^+-", s[0])) {
    s = s.substr(1);
    // V8 13 and later mark code specialised to its function's context with a ' after the tier.
    if (!s.empty() && s[0] == '\'') s = s.substr(1);
  }
  // An accessor's name has a space of its own ("get size", "set size"): its script starts after the next one,
  // unless that token already looks like a script (a function named get in "/my dir/app.js").
  size_t name_from = 0;
  if (s.compare(0, 4, "get ") == 0 || s.compare(0, 4, "set ") == 0) {
    size_t next = s.find(' ', 4);
    if (next != std::string::npos && next > 4 && !looks_like_script(s.substr(4, next - 4))) name_from = next;
  }
  space = s.find(' ', name_from);
  out.name = s.substr(0, space);
  if (space != std::string::npos) {
    std::string where = s.substr(space + 1);
    size_t c2 = where.rfind(':');
    size_t c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : where.rfind(':', c2 - 1);
    if (c1 != std::string::npos && all_digits(where.substr(c1 + 1, c2 - c1 - 1)) &&
        all_digits(where.substr(c2 + 1))) {
      out.line = static_cast<uint32_t>(strtoul(where.c_str() + c1 + 1, nullptr, 10));
      out.column = static_cast<uint32_t>(strtoul(where.c_str() + c2 + 1, nullptr, 10));
      out.file = where.substr(0, c1);
    } else {
      out.file = where;
    }
  }
  bool js = tag == "JS" || tag == "LazyCompile" || tag == "Function" || tag == "InterpretedFunction" ||
            tag == "Script" || tag == "Eval";
  if (js) {
    out.kind = out.file.compare(0, 5, "node:") == 0 ? kKindBuiltin : kKindJs;
  } else {
    out.kind = kKindBuiltin;
  }
  return out;
}

uint32_t Resolver::string_id(const std::string& s) {
  if (s.empty()) return 0;
  auto it = strings_.find(s);
  if (it != strings_.end()) return it->second;
  uint32_t id = first_new_string_ + static_cast<uint32_t>(new_strings_.size());
  strings_.emplace(s, id);
  new_strings_.push_back(s);
  return id;
}

uint32_t Resolver::function_id(const std::string& key, const records::FunctionFields& f) {
  auto it = functions_.find(key);
  if (it != functions_.end()) return it->second;
  uint32_t id = first_new_function_ + static_cast<uint32_t>(new_functions_.size());
  functions_.emplace(key, id);
  new_functions_.push_back(f);
  return id;
}

uint32_t Resolver::code_function(const std::string& raw) {
  auto it = functions_.find(raw);
  if (it != functions_.end()) return it->second;
  V8CodeName n = parse_v8_code_name(raw.data(), raw.size());
  records::FunctionFields f{string_id(n.name), string_id(n.file), 0, n.line, n.column, n.kind};
  return function_id(raw, f);
}

ElfSymbols* Resolver::symbols_for(const std::string& path) {
  auto it = files_.find(path);
  if (it != files_.end()) return it->second.get();
  ElfSymbols* elf = ElfSymbols::load(path);
  files_.emplace(path, std::unique_ptr<ElfSymbols>(elf));
  return elf;
}

void Resolver::load_executable_symbols() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return;
  path[n] = 0;
  symbols_for(path);
}

uint32_t Resolver::js_function(uint64_t key) {
  JsFunction js;
  if (!js_functions().find(key, js)) return 0;
  // Keyed apart from code names ("JS:~name file:line:column"), which name the same functions in native
  // stacks.
  std::string id = "js-sample";
  id += '\0';
  id += std::to_string(key);
  auto it = functions_.find(id);
  if (it != functions_.end()) return it->second;
  records::FunctionFields f{string_id(js.name), string_id(js.script), 0, js.line, js.column, js.kind};
  return function_id(id, f);
}

Resolver::Resolved Resolver::resolve_frame(uint64_t address, ByteBuffer& body, ByteBuffer& scratch,
                                           uint32_t pid, uint64_t now, bool& refreshed) {
  Resolved r;
  if (is_js_frame_key(address)) {
    r.function = js_function(address);
    return r;
  }
  // A return address points after the call: look up the call instruction itself.
  uint64_t pc = address - 1;
  uint64_t start = 0;
  if (const CodeRanges<Code>::Range* code = code_.find(pc, start)) {
    r.function = code->value.function;
    const std::vector<memtrace_code_position>& p = code->value.positions;
    uint64_t offset = pc - start;
    auto after = std::upper_bound(p.begin(), p.end(), offset,
                                  [](uint64_t o, const memtrace_code_position& q) { return o < q.offset; });
    if (after != p.begin()) {
      r.line = std::prev(after)->line;
      r.column = std::prev(after)->column;
    }
    return r;
  }
  r.function = resolve_native(pc, body, scratch, pid, now, refreshed);
  return r;
}

uint32_t Resolver::resolve_native(uint64_t pc, ByteBuffer& body, ByteBuffer& scratch, uint32_t pid,
                                  uint64_t now, bool& refreshed) {
  const MappingEntry* m = maps_.find(pc);
  if (!m && !refreshed) {
    // A library loaded since the last look (dlopen maps files without calling mmap through us).
    maps_.refresh(body, scratch, pid, now);
    refreshed = true;
    m = maps_.find(pc);
  }
  if (!m) return 0;
  ElfSymbols* elf = symbols_for(m->path);
  uint64_t vaddr;
  if (!elf || !elf->vaddr_of_offset(pc - m->start + m->offset, vaddr)) return 0;
  const ElfSymbols::Symbol* sym = elf->find(vaddr);
  if (!sym) return 0;
  std::string key = m->path;
  key += '\0';
  key += std::to_string(sym->start);
  auto it = functions_.find(key);
  if (it != functions_.end()) return it->second;
  const char* name = elf->name(*sym);
  uint32_t kind = kKindNative;
  // V8's embedded builtins are symbols of the node binary named Builtins_<name>.
  if (strncmp(name, "Builtins_", 9) == 0) {
    name += 9;
    kind = kKindBuiltin;
  }
  records::FunctionFields f{string_id(demangle(name)), 0, string_id(m->path), 0, 0, kind};
  return function_id(key, f);
}

std::string Resolver::symbol_name(uint64_t address) {
  const MappingEntry* m = maps_.find(address);
  if (!m) return "";
  ElfSymbols* elf = symbols_for(m->path);
  uint64_t vaddr;
  if (!elf || !elf->vaddr_of_offset(address - m->start + m->offset, vaddr)) return "";
  const ElfSymbols::Symbol* sym = elf->find(vaddr);
  return sym ? demangle(elf->name(*sym)) : "";
}

void Resolver::apply(const CodeEventIn& e) {
  auto gone = [](uint64_t, const CodeRanges<Code>::Range&) {};
  uint32_t function = 0;
  if (e.kind == MEMTRACE_CODE_ADDED) {
    function = code_function(e.name);
    code_.add(e.start, e.size, 0, Code{function, e.positions}, gone);
  } else if (e.kind == MEMTRACE_CODE_MOVED) {
    code_.move(e.start, e.new_start, e.size, gone);
  } else if (e.kind == MEMTRACE_CODE_REMOVED) {
    code_.remove(e.start, e.size, gone);
  }
  code_rows_.push_back({e.kind, e.time_ns, e.start, e.size, e.new_start, function});
}

void Resolver::round(ByteBuffer& out, ByteBuffer& scratch, uint32_t pid, uint64_t now,
                     std::vector<CodeEventIn>& code, const FramesToResolve& frames, bool last) {
  ByteBuffer body;
  bool refreshed = false;
  if (ProcessMaps::dirty()) {
    maps_.refresh(body, scratch, pid, now);
    refreshed = true;
  }

  std::vector<uint32_t> ids, functions, lines, columns;
  auto name = [&](uint32_t frame, const Resolved& r) {
    ids.push_back(frame);
    functions.push_back(r.function);
    lines.push_back(r.line);
    columns.push_back(r.column);
  };
  auto apply_next = [&](const CodeEventIn& e) {
    apply(e);
    // Code that existed when an agent started: the code the frames waiting for it were seen in.
    if (e.kind != MEMTRACE_CODE_ADDED || !e.existing || waiting_.empty()) return;
    auto it = waiting_.upper_bound(e.start);  // return addresses in (start, start + size]
    while (it != waiting_.end() && it->first <= e.start + e.size) {
      name(it->second.frame, resolve_frame(it->first, body, scratch, pid, now, refreshed));
      it = waiting_.erase(it);
    }
  };
  size_t next_code = 0;
  for (size_t i = 0; i < frames.address.size(); i++) {
    while (next_code < code.size() && code[next_code].time_ns <= frames.time[i])
      apply_next(code[next_code++]);
    uint32_t frame = frames.first_id + static_cast<uint32_t>(i);
    Resolved r = resolve_frame(frames.address[i], body, scratch, pid, now, refreshed);
    if (r.function) {
      name(frame, r);
    } else if (is_js_frame_key(frames.address[i])) {
      unresolved_++;
    } else {
      waiting_.emplace(frames.address[i], Waiting{frame, rounds_});
    }
  }
  while (next_code < code.size()) apply_next(code[next_code++]);
  // The round's code events in batches: one Record each cost ~22 bytes that compression hardly shrinks.
  for (size_t at = 0; at < code_rows_.size(); at += kCodeBatchRows) {
    records::code_events(body, scratch, pid, code_rows_.data() + at,
                         std::min(kCodeBatchRows, code_rows_.size() - at));
  }
  code_rows_.clear();
  // A library mapped since names a frame that waits; one that waited for kWaitRounds rounds stays unnamed.
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    uint32_t function = resolve_native(it->first - 1, body, scratch, pid, now, refreshed);
    bool given_up = rounds_ - it->second.round >= kWaitRounds || last;
    if (function) name(it->second.frame, Resolved{function, 0, 0});
    if (!function && given_up) unresolved_++;
    it = function || given_up ? waiting_.erase(it) : std::next(it);
  }
  rounds_++;

  if (!new_strings_.empty()) {
    records::strings(out, scratch, pid, first_new_string_, new_strings_.data(), new_strings_.size());
    first_new_string_ += static_cast<uint32_t>(new_strings_.size());
    new_strings_.clear();
  }
  if (!new_functions_.empty()) {
    records::functions(out, scratch, pid, first_new_function_, new_functions_.data(), new_functions_.size());
    first_new_function_ += static_cast<uint32_t>(new_functions_.size());
    new_functions_.clear();
  }
  out.bytes(body.data(), body.size());
  if (!ids.empty()) {
    records::resolution(out, scratch, pid, ids.data(), functions.data(), lines.data(), columns.data(),
                        ids.size());
  }
}

void Resolver::start_new_scope() {
  strings_.clear();
  new_strings_.clear();
  first_new_string_ = 1;
  functions_.clear();
  new_functions_.clear();
  first_new_function_ = 1;
  code_rows_.clear();
  unresolved_ = 0;
  maps_.forget_written();
  waiting_.clear();
  // Code ranges keep their place but their function ids belonged to the parent's scope: the child
  // re-reads nothing from V8, so it names JIT frames only through code reported after the fork.
  code_.clear();
}

}  // namespace memtrace
