// Keeps JS heap polls going while an isolate's thread runs JavaScript without returning to its event loop (a
// long synchronous loop, a script's top level): without it the 10 Hz timer would not fire until the loop
// ends, and every object born and collected meanwhile would be missed. One thread for the process asks each
// registered isolate, at the poll interval, to run a callback at its next interrupt check (V8's
// RequestInterrupt, which the inspector uses the same way); there the isolate polls its own profile, on its
// own thread.
#ifndef MEMTRACE_ADDON_JS_POLLER_H_
#define MEMTRACE_ADDON_JS_POLLER_H_

#include <v8.h>

#include <cstdint>

#include "memtrace/agent_api.h"

namespace memtrace::js_poller {

// Registers an isolate: `callback(isolate, data)` will run on the isolate's thread about every `interval_ns`
// while it runs JavaScript. `data` must stay valid for the life of the process (an interrupt requested just
// before unregister() may still run later).
// The first call starts the poller's thread, which tells the recorder (`api`) that its work is not the app's.
void add(const memtrace_agent_api* api, v8::Isolate* isolate, v8::InterruptCallback callback, void* data,
         uint64_t interval_ns);
// No more interrupts are requested for `data` after this returns.
void remove(void* data);
// The process is exiting: no more interrupts for any isolate (some may be going away without their cleanup).
void stop_all();

}  // namespace memtrace::js_poller

#endif  // MEMTRACE_ADDON_JS_POLLER_H_
