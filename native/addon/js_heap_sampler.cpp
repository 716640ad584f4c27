#include "js_heap_sampler.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <string>

namespace memtrace {
namespace {

// Sample ids are V8's (counting from 1 in each profiler run) below this bit, the run's number above it.
constexpr int kRunShift = 40;
std::atomic<uint64_t> g_runs{0};

// --js-all keeps every sample V8 takes; past this many the profiler restarts, so that its memory and the cost
// of a poll stay bounded. (No frees are written in that mode, so a restart loses nothing of the output.)
constexpr size_t kMaxKeptSamples = 100'000;

std::string Utf8(v8::Isolate* isolate, v8::Local<v8::String> s) {
  if (s.IsEmpty()) return std::string();
  v8::String::Utf8Value value(isolate, s);
  return *value ? std::string(*value, value.length()) : std::string();
}

// RAII for the agent API's enter/leave: V8's allocations while it builds a profile are memtrace's, not the
// app's.
class RecorderScope {
 public:
  explicit RecorderScope(const memtrace_agent_api* api) : api_(api), token_(api->enter()) {}
  ~RecorderScope() { api_->leave(token_); }
  RecorderScope(const RecorderScope&) = delete;
  RecorderScope& operator=(const RecorderScope&) = delete;

 private:
  const memtrace_agent_api* api_;
  uint32_t token_;
};

}  // namespace

JsHeapSampler::JsHeapSampler(v8::Isolate* isolate, const memtrace_agent_api* api,
                             const memtrace_js_settings& settings)
    : isolate_(isolate), api_(api), settings_(settings) {}

bool JsHeapSampler::Start() {
  RecorderScope recorder(api_);
  auto flags = v8::HeapProfiler::kSamplingNoFlags;
  if (settings_.keep_collected) {
    flags = static_cast<v8::HeapProfiler::SamplingFlags>(
        v8::HeapProfiler::kSamplingIncludeObjectsCollectedByMajorGC |
        v8::HeapProfiler::kSamplingIncludeObjectsCollectedByMinorGC);
  }
  int depth = static_cast<int>(std::max<uint32_t>(1, settings_.stack_depth));
  running_ = isolate_->GetHeapProfiler()->StartSamplingHeapProfiler(settings_.interval_bytes, depth, flags);
  id_base_ = (g_runs.fetch_add(1, std::memory_order_relaxed) + 1) << kRunShift;
  return running_;
}

void JsHeapSampler::Restart() {
  isolate_->GetHeapProfiler()->StopSamplingHeapProfiler();
  running_ = false;
  live_.clear();
  stacks_.clear();
  frames_.clear();
  Start();
}

void JsHeapSampler::Poll(bool force) {
  if (!running_) return;
  uint64_t now = api_->now_ns();
  if (!force && now - last_poll_ns_ < settings_.poll_interval_ns / 2) return;
  last_poll_ns_ = now;
  RecorderScope recorder(api_);
  v8::HandleScope handles(isolate_);
  std::unique_ptr<v8::AllocationProfile> profile(isolate_->GetHeapProfiler()->GetAllocationProfile());
  if (!profile) return;
  Diff(*profile);
  if (settings_.keep_collected && live_.size() > kMaxKeptSamples) Restart();
}

void JsHeapSampler::Stop() {
  if (!running_) return;
  Poll(true);
  RecorderScope recorder(api_);
  isolate_->GetHeapProfiler()->StopSamplingHeapProfiler();
  running_ = false;
  if (!settings_.keep_collected) {
    std::vector<memtrace_js_sample> rows;
    rows.reserve(live_.size());
    for (uint64_t id : live_) rows.push_back({id, 0, 0, 0, 1});
    Write(rows);
  }
  live_.clear();
}

void JsHeapSampler::Diff(v8::AllocationProfile& profile) {
  const std::vector<v8::AllocationProfile::Sample>& samples = profile.GetSamples();
  std::vector<std::pair<uint64_t, size_t>> current;  // (id, index in samples), sorted by id
  current.reserve(samples.size());
  for (size_t i = 0; i < samples.size(); i++) current.emplace_back(id_base_ | samples[i].sample_id, i);
  std::sort(current.begin(), current.end());

  // One merge of two sorted lists: ids only in live_ were collected, ids only in current are new.
  std::vector<memtrace_js_sample> rows;
  std::vector<size_t> added;
  size_t a = 0, b = 0;
  while (a < live_.size() || b < current.size()) {
    if (b == current.size() || (a < live_.size() && live_[a] < current[b].first)) {
      rows.push_back({live_[a++], 0, 0, 0, 1});
    } else if (a == live_.size() || current[b].first < live_[a]) {
      added.push_back(current[b++].second);
    } else {
      a++, b++;
    }
  }
  if (rows.empty() && added.empty()) return;

  for (size_t i : added) {
    uint32_t node = samples[i].node_id;
    if (stacks_.find(node) == stacks_.end()) wanted_.insert(node);
  }
  if (!wanted_.empty()) {
    std::vector<uint64_t> path;
    InternPaths(profile.GetRootNode(), path);
    wanted_.clear();
  }
  for (size_t i : added) {
    const v8::AllocationProfile::Sample& s = samples[i];
    auto stack = stacks_.find(s.node_id);
    rows.push_back({id_base_ | s.sample_id, EstimatedBytes(s.size), s.count,
                    stack == stacks_.end() ? 0 : stack->second, 0});
  }
  Write(rows);

  live_.clear();
  for (const auto& entry : current) live_.push_back(entry.first);
}

void JsHeapSampler::Write(const std::vector<memtrace_js_sample>& rows) {
  if (!rows.empty()) api_->js_samples(rows.data(), rows.size());
}

void JsHeapSampler::InternPaths(v8::AllocationProfile::Node* node, std::vector<uint64_t>& path) {
  // Called with the root node ("(root)"), which is V8's, not a frame: its children are the outermost frames.
  for (v8::AllocationProfile::Node* child : node->children) {
    path.push_back(FrameOf(*child));
    if (wanted_.count(child->node_id)) {
      std::vector<uint64_t> innermost_first(path.rbegin(), path.rend());
      stacks_[child->node_id] =
          api_->js_stack(innermost_first.data(), static_cast<uint32_t>(innermost_first.size()));
    }
    InternPaths(child, path);
    path.pop_back();
  }
}

uint64_t JsHeapSampler::FrameOf(const v8::AllocationProfile::Node& node) {
  auto it = frames_.find(node.node_id);
  if (it != frames_.end()) return it->second;
  std::string name = Utf8(isolate_, node.name);
  std::string script = Utf8(isolate_, node.script_name);
  // V8 names states without a JS frame in parentheses: "(V8 API)", "(GC)", "(EXTERNAL)", "(PROGRAM)".
  memtrace_function_kind kind = MEMTRACE_KIND_JS;
  if (script.empty()) kind = !name.empty() && name[0] == '(' ? MEMTRACE_KIND_OTHER : MEMTRACE_KIND_BUILTIN;
  if (name.empty()) name = "(anonymous)";
  uint32_t line = node.line_number > 0 ? static_cast<uint32_t>(node.line_number) : 0;
  uint32_t column = node.column_number > 0 ? static_cast<uint32_t>(node.column_number) : 0;
  uint64_t key = api_->js_frame(name.data(), name.size(), script.data(), script.size(), line, column, kind);
  frames_[node.node_id] = key;
  return key;
}

uint64_t JsHeapSampler::EstimatedBytes(size_t size) const {
  if (size == 0) return 0;  // 0 / (1 - exp(0)) is not a number
  double rate = static_cast<double>(settings_.interval_bytes);
  double scale = 1.0 / (1.0 - std::exp(-static_cast<double>(size) / rate));
  return static_cast<uint64_t>(std::llround(static_cast<double>(size) * scale));
}

}  // namespace memtrace
