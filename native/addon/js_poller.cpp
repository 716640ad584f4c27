#include "js_poller.h"

#include <stdlib.h>
#include <time.h>

#include <algorithm>
#include <mutex>
#include <thread>
#include <vector>

namespace memtrace::js_poller {
namespace {

struct Entry {
  v8::Isolate* isolate;
  v8::InterruptCallback callback;
  void* data;
};

std::mutex g_mutex;  // trivially destroyed
// Made by the first add() and never destroyed: the thread is detached, and may wake while exit() runs the
// static destructors.
std::vector<Entry>* g_entries = nullptr;
uint64_t g_interval_ns = 0;
bool g_started = false;
bool g_stopped = false;

void run(const memtrace_agent_api* api) {
  // Never left: everything this thread allocates (V8's queue of interrupt requests) is the recorder's.
  api->enter();
  while (true) {
    uint64_t interval;
    {
      std::lock_guard<std::mutex> lock(g_mutex);
      interval = g_interval_ns;
    }
    timespec pause{static_cast<time_t>(interval / 1'000'000'000),
                   static_cast<long>(interval % 1'000'000'000)};
    nanosleep(&pause, nullptr);
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_stopped) return;
    for (const Entry& e : *g_entries) e.isolate->RequestInterrupt(e.callback, e.data);
  }
}

}  // namespace

void add(const memtrace_agent_api* api, v8::Isolate* isolate, v8::InterruptCallback callback, void* data,
         uint64_t interval_ns) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_stopped) return;
  if (!g_entries) g_entries = new std::vector<Entry>;
  g_entries->push_back({isolate, callback, data});
  g_interval_ns = g_interval_ns ? std::min(g_interval_ns, interval_ns) : interval_ns;
  if (!g_started) {
    g_started = true;
    // process.exit() ends in exit() without the environments' cleanup (which removes their isolates): the
    // exit handlers, static destructors and the libraries' destructors (the recorder's last round) would
    // run while this thread goes on asking. It stops first: registered after node's handlers, run before.
    atexit(stop_all);
    // Detached: it holds nothing at exit but this mutex, and never runs JavaScript.
    std::thread(run, api).detach();
  }
}

void remove(void* data) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_entries) return;
  g_entries->erase(
      std::remove_if(g_entries->begin(), g_entries->end(), [&](const Entry& e) { return e.data == data; }),
      g_entries->end());
}

void stop_all() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_stopped = true;
  if (g_entries) g_entries->clear();
}

}  // namespace memtrace::js_poller
