#include "agent_select.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

namespace memtrace::agent_select {
namespace {

constexpr const char* kAgentPathVariable = "MEMTRACE_AGENT_PATH";
constexpr const char* kWithout =
    ": JS frames are not named and the JS heap is not sampled; native allocations are recorded";

struct Line {
  unsigned major = 0;
  unsigned minor = 0;
  bool operator<(const Line& o) const { return major != o.major ? major < o.major : minor < o.minor; }
  bool operator==(const Line& o) const { return major == o.major && minor == o.minor; }
};

// "13.6.233.17-node.37" -> 13.6; false if it does not start with two numbers.
bool parse_line(const char* s, Line& out, const char** rest = nullptr) {
  char* end = nullptr;
  unsigned long major = strtoul(s, &end, 10);
  if (end == s || *end != '.') return false;
  const char* p = end + 1;
  unsigned long minor = strtoul(p, &end, 10);
  if (end == p || major > 10000 || minor > 10000) return false;
  out = {static_cast<unsigned>(major), static_cast<unsigned>(minor)};
  if (rest) *rest = end;
  return true;
}

// The lines of native/node-lines.json ("12.4,13.6,14.6", compiled in): which agents a complete install has.
bool known_line(const Line& line, Line& newest) {
  bool known = false;
  const char* p = MEMTRACE_V8_LINES;
  Line l;
  while (*p && parse_line(p, l, &p)) {
    if (l == line) known = true;
    if (newest < l) newest = l;
    if (*p == ',') p++;
  }
  return known;
}

// Symbols that only a V8 built with pointer compression defines: its cage's base, as V8 has named it from
// 11.x on (a node built with --experimental-enable-pointer-compression). The agents are built without it, as
// the official binaries are: on such a node their view of V8's objects would be wrong.
constexpr const char* kPointerCompressionSymbols[] = {
    "_ZN2v88internal23V8HeapCompressionScheme16base_non_inlinedEv",
    "_ZN2v88internal27V8HeapCompressionSchemeImplINS0_8MainCageEE16base_non_inlinedEv",
    "_ZN2v88internal8MainCage16base_non_inlinedEv",
    "_ZN2v88internal29ExternalCodeCompressionScheme16base_non_inlinedEv",
};

bool pointer_compression() {
  for (const char* symbol : kPointerCompressionSymbols) {
    if (dlsym(RTLD_DEFAULT, symbol)) return true;
  }
  return false;
}

// The folder this library was loaded from, where the agents are installed beside it.
bool own_folder(char* out, size_t size) {
  Dl_info self;
  if (!dladdr(reinterpret_cast<void*>(&own_folder), &self) || !self.dli_fname) return false;
  const char* slash = strrchr(self.dli_fname, '/');
  size_t n = slash ? static_cast<size_t>(slash - self.dli_fname) : 0;
  if (n == 0 || n + 1 > size) return false;
  memcpy(out, self.dli_fname, n);
  out[n] = 0;
  return true;
}

}  // namespace

void choose(bool wanted, Choice& out) {
  out = Choice{};
  unsetenv(kAgentPathVariable);
  auto get_version = reinterpret_cast<const char* (*)()>(dlsym(RTLD_DEFAULT, "_ZN2v82V810GetVersionEv"));
  if (!get_version) return;  // not a node: nothing names JS frames here, and nothing is missing
  const char* version = get_version();
  if (!version) return;
  snprintf(out.v8_version, sizeof(out.v8_version), "%s", version);
  if (!wanted) return;

  Line line;
  if (!parse_line(version, line)) {
    snprintf(out.note, sizeof(out.note), "memtrace cannot read this V8's version (\"%s\")%s", out.v8_version,
             kWithout);
    return;
  }
  if (pointer_compression()) {
    snprintf(out.note, sizeof(out.note),
             "this Node.js (V8 %u.%u) is built with pointer compression, which memtrace's agents are not%s",
             line.major, line.minor, kWithout);
    return;
  }
  char folder[4096];
  char path[4096 + 64];
  if (own_folder(folder, sizeof(folder))) {
    snprintf(path, sizeof(path), "%s/memtrace-agent-v8-%u.%u.node", folder, line.major, line.minor);
    if (access(path, R_OK) == 0) {
      setenv(kAgentPathVariable, path, 1);
      snprintf(out.agent, sizeof(out.agent), "memtrace-agent %s for V8 %u.%u", MEMTRACE_VERSION, line.major,
               line.minor);
      return;
    }
  } else {
    snprintf(folder, sizeof(folder), "%s", "memtrace's folder");
  }
  Line newest;
  bool known = known_line(line, newest);
  if (known) {
    snprintf(out.note, sizeof(out.note), "memtrace's agent for V8 %u.%u is not installed in %s%s", line.major,
             line.minor, folder, kWithout);
  } else if (newest < line) {
    snprintf(out.note, sizeof(out.note),
             "no memtrace agent for V8 %u.%u (this Node.js is newer than memtrace)%s", line.major, line.minor,
             kWithout);
  } else {
    snprintf(out.note, sizeof(out.note),
             "no memtrace agent for V8 %u.%u (not a Node.js release line memtrace supports)%s", line.major,
             line.minor, kWithout);
  }
}

void forget() { unsetenv(kAgentPathVariable); }

}  // namespace memtrace::agent_select
