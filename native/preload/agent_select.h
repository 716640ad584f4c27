// Which agent this process loads: the one decision, taken once at the interposer's constructor, before node's
// main runs. memtrace ships one agent per V8 line (memtrace-agent-v8-<major>.<minor>.node beside this
// library), since the agent's only dependency that is not stable across Node.js releases is V8's C++ API.
//
// In a node process, v8::V8::GetVersion() names the V8 it runs (its string is constant-initialised: safe to
// call before main). The agent for that line is published in MEMTRACE_AGENT_PATH, which src/record/agent.ts
// (loaded with --require) reads: it loads that file and no other. Without one (a V8 line memtrace has no
// agent for, a node built with pointer compression) the variable is removed, the app runs untouched and only
// its native heap is recorded; the Header says why, in a note the launcher prints.
#ifndef MEMTRACE_PRELOAD_AGENT_SELECT_H_
#define MEMTRACE_PRELOAD_AGENT_SELECT_H_

#include <stddef.h>

namespace memtrace::agent_select {

struct Choice {
  // V8's version string ("13.6.233.17-node.37"); empty in a process that is not a node.
  char v8_version[48];
  // The agent that names JS frames ("memtrace-agent 0.1.0 for V8 13.6"); empty when none loads.
  char agent[64];
  // What this recording cannot do, one sentence; empty when nothing.
  char note[4096 + 256];
};

// Decides for this process and publishes the decision in the environment. `wanted`: false under
// `record --native-only`, when no agent loads and there is nothing to say about it.
void choose(bool wanted, Choice& out);

// This process is not recorded (or its children will not be): no agent for it, nor for what it starts.
void forget();

}  // namespace memtrace::agent_select

#endif  // MEMTRACE_PRELOAD_AGENT_SELECT_H_
