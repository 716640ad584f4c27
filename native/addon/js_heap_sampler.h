// V8's sampling heap profiler in one isolate, turned into the capture's JS_SAMPLE and JS_SAMPLE_FREED events.
//
// V8 samples an allocation about every `interval` bytes and keeps each sample while its object lives. Polling
// the profile and diffing the sample ids of two polls gives the events: an id not seen before is an
// allocation (at the poll's time), an id gone is a collected object. Objects born and collected between two
// polls are not seen at all: the live view is exact at each poll, the total view undercounts short-lived
// objects (--js-all keeps collected samples instead, and then there are no frees).
//
// Everything here runs on the isolate's own thread (its event loop's timer, its cleanup hook).
#ifndef MEMTRACE_ADDON_JS_HEAP_SAMPLER_H_
#define MEMTRACE_ADDON_JS_HEAP_SAMPLER_H_

#include <v8-profiler.h>
#include <v8.h>

#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "memtrace/agent_api.h"

namespace memtrace {

class JsHeapSampler {
 public:
  JsHeapSampler(v8::Isolate* isolate, const memtrace_agent_api* api, const memtrace_js_settings& settings);
  // Starts V8's profiler; false if it would not start (another sampling heap profiler runs, e.g. the
  // inspector's).
  bool Start();
  // Writes the events since the last poll. Both the event loop's timer and the poller's interrupts
  // (js_poller.h) call it: a call within half a poll interval of the last one does nothing, unless forced.
  void Poll(bool force = false);
  // A last poll, then stops V8's profiler. The isolate is going away and takes its objects with it, so every
  // live sample is freed.
  void Stop();

 private:
  void Restart();
  void Diff(v8::AllocationProfile& profile);
  void Write(const std::vector<memtrace_js_sample>& rows);
  // The capture's stack id of a profile node (its path from the root), interned on first use.
  uint32_t StackOf(uint32_t node_id, v8::AllocationProfile& profile);
  void InternPaths(v8::AllocationProfile::Node* node, std::vector<uint64_t>& path);
  uint64_t FrameOf(const v8::AllocationProfile::Node& node);
  // V8's estimate of the bytes a sample of `size` stands for (its own ScaleSample, unrounded).
  uint64_t EstimatedBytes(size_t size) const;

  v8::Isolate* isolate_;
  const memtrace_agent_api* api_;
  memtrace_js_settings settings_;
  bool running_ = false;
  uint64_t last_poll_ns_ = 0;
  // Makes V8's per-profiler sample ids unique in the process: each profiler run gets its own high bits.
  uint64_t id_base_ = 0;
  // Sample ids (with id_base_) alive at the last poll, sorted.
  std::vector<uint64_t> live_;
  // Per profiler run: node id -> stack id, node id -> frame key. Node ids are stable within a run.
  std::unordered_map<uint32_t, uint32_t> stacks_;
  std::unordered_map<uint32_t, uint64_t> frames_;
  // Node ids whose stacks the current poll needs (filled before InternPaths walks the tree).
  std::unordered_set<uint32_t> wanted_;
};

}  // namespace memtrace

#endif  // MEMTRACE_ADDON_JS_HEAP_SAMPLER_H_
