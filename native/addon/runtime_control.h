// The addon's `runtime` object: starts and stops a recording from inside the process (runtime_control.cpp).
#ifndef MEMTRACE_ADDON_RUNTIME_CONTROL_H_
#define MEMTRACE_ADDON_RUNTIME_CONTROL_H_

#include <node_api.h>

#include "memtrace/agent_api.h"

namespace memtrace::runtime_control {

// Adds `runtime: { start, stop, state }` to the addon's exports.
void Register(napi_env env, napi_value exports);

// The table of the interposer this addon loaded, or nullptr.
const memtrace_agent_api* Api();

}  // namespace memtrace::runtime_control

#endif  // MEMTRACE_ADDON_RUNTIME_CONTROL_H_
