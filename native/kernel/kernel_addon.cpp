// memtrace-kernel.node: fold of paired batches in C++ (paired_fold.h), as a Node-API class. Node-API alone,
// so that one build loads in every Node.js line. src/native/kernel.ts is its only door and states the
// interface:
//
//   new PairedFold(temporaryThreshold, timelineBudget?)  (< 0: no temporary measure; no timeline)
//   addSites(kind: Uint8Array, size: Float64Array, stack: Uint32Array, count: Float64Array)
//   loadRaw(body: Uint8Array) -> boolean
//   loadColumns(op, time: Float64Array, tid: Uint32Array, freeKind: Uint8Array, address, unmapLength:
//   Float64Array,
//               extraRow: Uint32Array, extraAge: Float64Array, extraKind: Uint8Array)
//   run(state, cur, curCount, snap, snapCount, snapEpoch, total, totalCount, tempBytes, tempCount,
//   sizeCounts,
//       sizeSums: Float64Array) -> Stop          (tempBytes and tempCount may be null)
//   allocationsOf(tid), nextAllocation(tid) -> number
//   timelineEvent(t, rows), timelineAllocate(row, size, count, tid, tag, js), timelineAllocated(),
//   timelineRelease(row, bytes, count, tid, tag, js), timelineFinish(end, rows), timelineWiden(width)
//       the timeline's hooks (timeline.h), for the events folded outside the kernel, and its end
//   timelineInfo() -> [width, buckets, entries]
//   timelineExport() -> { high, highJs, momentNs, changes, lifetimes }: Float64Arrays, each table as
//       { keys, bytes, count }, the entries that hold anything, by key
//   dispose()                                 frees it now, rather than when the garbage collector finalizes
//   it
//                                             (Node.js runs finalizers between turns of the event loop only)
//
// A column too short for the rows it is given throws, as does a wrong type: never a write out of bounds.
#include <node_api.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

#include "paired_fold.h"
#include "zstd_binding.h"

namespace memtrace::kernel {
namespace {

napi_value Throw(napi_env env, const char* message) {
  napi_throw_type_error(env, nullptr, message);
  return nullptr;
}

template <typename T>
bool Array(napi_env env, napi_value value, napi_typedarray_type want, T** data, size_t* length) {
  bool is = false;
  napi_is_typedarray(env, value, &is);
  napi_typedarray_type type;
  void* raw = nullptr;
  if (!is || napi_get_typedarray_info(env, value, &type, length, &raw, nullptr, nullptr) != napi_ok ||
      type != want) {
    Throw(env, "memtrace kernel: a column has the wrong type");
    return false;
  }
  *data = static_cast<T*>(raw);
  return true;
}

// A PairedFold, and the bytes of it the JavaScript heap was told of (so that its garbage collector counts
// them: a fold of many small captures, as the fuzz does, would otherwise hold gigabytes of unreachable
// folds).
struct Instance {
  PairedFold fold;
  int64_t reported = 0;
};

// The call's arguments and its PairedFold; tells the heap how the fold's size changed when it ends.
struct Call {
  napi_env env = nullptr;
  napi_value args[12];
  size_t argc = 12;
  PairedFold* fold = nullptr;
  Instance* instance = nullptr;

  ~Call() {
    if (instance == nullptr) return;
    const int64_t now = static_cast<int64_t>(instance->fold.Bytes());
    if (now == instance->reported) return;
    int64_t total;
    napi_adjust_external_memory(env, now - instance->reported, &total);
    instance->reported = now;
  }

  bool Get(napi_env env, napi_callback_info info, size_t want) {
    napi_value self;
    napi_get_cb_info(env, info, &argc, args, &self, nullptr);
    if (argc < want) {
      Throw(env, "memtrace kernel: too few arguments");
      return false;
    }
    void* data = nullptr;
    if (napi_unwrap(env, self, &data) != napi_ok || data == nullptr) {
      Throw(env, "memtrace kernel: not a PairedFold");
      return false;
    }
    this->env = env;
    instance = static_cast<Instance*>(data);
    fold = &instance->fold;
    return true;
  }

  bool Number(napi_env env, size_t i, double* out) {
    if (napi_get_value_double(env, args[i], out) != napi_ok) {
      Throw(env, "memtrace kernel: an argument is not a number");
      return false;
    }
    return true;
  }
};

napi_value Result(napi_env env, double value) {
  napi_value out;
  napi_create_double(env, value, &out);
  return out;
}

void Finalize(napi_env env, void* data, void*) {
  auto* instance = static_cast<Instance*>(data);
  int64_t total;
  napi_adjust_external_memory(env, -instance->reported, &total);
  delete instance;
}

napi_value Construct(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  napi_value self;
  napi_get_cb_info(env, info, &argc, args, &self, nullptr);
  double threshold = -1;
  double budget = -1;
  if (argc < 1 || napi_get_value_double(env, args[0], &threshold) != napi_ok ||
      (argc > 1 && napi_get_value_double(env, args[1], &budget) != napi_ok))
    return Throw(env, "memtrace kernel: PairedFold(temporaryThreshold, timelineBudget)");
  auto* fold = new (std::nothrow) Instance{PairedFold(threshold, budget), 0};
  if (fold == nullptr) return Throw(env, "memtrace kernel: out of memory");
  if (napi_wrap(env, self, fold, Finalize, nullptr, nullptr) != napi_ok) {
    delete fold;
    return Throw(env, "memtrace kernel: cannot wrap the instance");
  }
  return self;
}

napi_value AddSites(napi_env env, napi_callback_info info) {
  Call call;
  if (!call.Get(env, info, 4)) return nullptr;
  uint8_t* kind;
  double* size;
  uint32_t* stack;
  double* count;
  size_t n, n2, n3, n4;
  if (!Array(env, call.args[0], napi_uint8_array, &kind, &n) ||
      !Array(env, call.args[1], napi_float64_array, &size, &n2) ||
      !Array(env, call.args[2], napi_uint32_array, &stack, &n3) ||
      !Array(env, call.args[3], napi_float64_array, &count, &n4)) {
    return nullptr;
  }
  if (n2 != n || n3 != n || n4 != n) return Throw(env, "memtrace kernel: the site columns differ in length");
  call.fold->AddSites(kind, size, stack, count, n);
  return nullptr;
}

napi_value LoadRaw(napi_env env, napi_callback_info info) {
  Call call;
  uint8_t* body;
  size_t n;
  if (!call.Get(env, info, 1) || !Array(env, call.args[0], napi_uint8_array, &body, &n)) return nullptr;
  napi_value out;
  napi_get_boolean(env, call.fold->LoadRaw(body, n), &out);
  return out;
}

napi_value LoadColumns(napi_env env, napi_callback_info info) {
  Call call;
  if (!call.Get(env, info, 9)) return nullptr;
  double *op, *time, *address, *unmap_length, *extra_age;
  uint32_t *tid, *extra_row;
  uint8_t *free_kind, *extra_kind;
  size_t rows, n_time, n_tid, frees, addresses, unmaps, extras, n_age, n_kind;
  if (!Array(env, call.args[0], napi_float64_array, &op, &rows) ||
      !Array(env, call.args[1], napi_float64_array, &time, &n_time) ||
      !Array(env, call.args[2], napi_uint32_array, &tid, &n_tid) ||
      !Array(env, call.args[3], napi_uint8_array, &free_kind, &frees) ||
      !Array(env, call.args[4], napi_float64_array, &address, &addresses) ||
      !Array(env, call.args[5], napi_float64_array, &unmap_length, &unmaps) ||
      !Array(env, call.args[6], napi_uint32_array, &extra_row, &extras) ||
      !Array(env, call.args[7], napi_float64_array, &extra_age, &n_age) ||
      !Array(env, call.args[8], napi_uint8_array, &extra_kind, &n_kind)) {
    return nullptr;
  }
  if (n_time != rows || n_tid != rows || n_age != extras || n_kind != extras)
    return Throw(env, "memtrace kernel: the batch's columns differ in length");
  for (size_t i = 0; i < rows; i++) {
    if (!(op[i] >= 0 && op[i] <= 9007199254740991.0 &&
          op[i] == static_cast<double>(static_cast<uint64_t>(op[i]))))
      return Throw(env, "memtrace kernel: an op is not an integer below 2^53");
  }
  call.fold->LoadColumns(rows, op, time, tid, free_kind, frees, address, addresses, unmap_length, unmaps,
                         extra_row, extra_age, extra_kind, extras);
  return nullptr;
}

napi_value Run(napi_env env, napi_callback_info info) {
  Call call;
  if (!call.Get(env, info, 12)) return nullptr;
  double* state;
  size_t state_length;
  if (!Array(env, call.args[0], napi_float64_array, &state, &state_length)) return nullptr;
  if (state_length < kStateLength) return Throw(env, "memtrace kernel: the state array is too short");
  double* columns[11];
  size_t lengths[11];
  for (size_t i = 0; i < 11; i++) {
    napi_valuetype type;
    napi_typeof(env, call.args[i + 1], &type);
    if ((i == 7 || i == 8) && type == napi_null) {
      columns[i] = nullptr;
      lengths[i] = SIZE_MAX;
      continue;
    }
    if (!Array(env, call.args[i + 1], napi_float64_array, &columns[i], &lengths[i])) return nullptr;
  }
  const size_t rows = call.fold->RowKeys();
  size_t capacity = 2147483647;
  for (size_t i = 0; i < 9; i++) {
    if (lengths[i] < rows) return Throw(env, "memtrace kernel: a row column is shorter than the rows");
    if (lengths[i] < capacity) capacity = lengths[i];
  }
  const double row_count = state[kRowCount];
  if (!(row_count >= static_cast<double>(rows) && row_count <= 2147483647.0 &&
        row_count == static_cast<double>(static_cast<int64_t>(row_count))))
    return Throw(env, "memtrace kernel: the row count is not a row key");
  if (lengths[9] < 66 || lengths[10] < 66)
    return Throw(env, "memtrace kernel: the size histogram is too short");
  const Columns c{columns[0], columns[1], columns[2], columns[3], columns[4],  columns[5],
                  columns[6], columns[7], columns[8], columns[9], columns[10], capacity};
  return Result(env, static_cast<double>(call.fold->Run(state, c)));
}

napi_value AllocationsOf(napi_env env, napi_callback_info info) {
  Call call;
  double tid;
  if (!call.Get(env, info, 1) || !call.Number(env, 0, &tid)) return nullptr;
  return Result(env, call.fold->AllocationsOf(static_cast<uint32_t>(tid)));
}

napi_value NextAllocation(napi_env env, napi_callback_info info) {
  Call call;
  double tid;
  if (!call.Get(env, info, 1) || !call.Number(env, 0, &tid)) return nullptr;
  return Result(env, call.fold->NextAllocation(static_cast<uint32_t>(tid)));
}

// The call's timeline and its first `n` arguments as numbers; null (having thrown) without them.
Timeline* TimelineCall(napi_env env, napi_callback_info info, Call* call, size_t n, double* numbers) {
  if (!call->Get(env, info, n)) return nullptr;
  for (size_t i = 0; i < n; i++) {
    if (!call->Number(env, i, &numbers[i])) return nullptr;
  }
  Timeline* tl = call->fold->timeline();
  if (tl == nullptr) Throw(env, "memtrace kernel: this fold keeps no timeline");
  return tl;
}

// A row key or thread id: an integer below 2^32.
bool U32(double v) {
  return v >= 0 && v < 4294967296.0 && v == static_cast<double>(static_cast<uint32_t>(v));
}

napi_value TimelineEvent(napi_env env, napi_callback_info info) {
  Call call;
  double a[2];
  Timeline* tl = TimelineCall(env, info, &call, 2, a);
  if (tl != nullptr) tl->Event(a[0], a[1]);
  return nullptr;
}

napi_value TimelineChange(napi_env env, napi_callback_info info, bool allocate) {
  Call call;
  double a[6];
  Timeline* tl = TimelineCall(env, info, &call, 6, a);
  if (tl == nullptr) return nullptr;
  if (!U32(a[0]) || !U32(a[3])) return Throw(env, "memtrace kernel: a row or thread is not an integer");
  if (tl->Buckets() == 0) return Throw(env, "memtrace kernel: a timeline change before its first event");
  const auto row = static_cast<uint32_t>(a[0]);
  const auto tid = static_cast<uint32_t>(a[3]);
  if (allocate) {
    tl->Allocate(row, a[1], a[2], tid, a[4], a[5] != 0);
  } else {
    tl->Release(row, a[1], a[2], tid, a[4], a[5] != 0);
  }
  return nullptr;
}

napi_value TimelineAllocate(napi_env env, napi_callback_info info) { return TimelineChange(env, info, true); }
napi_value TimelineRelease(napi_env env, napi_callback_info info) { return TimelineChange(env, info, false); }

napi_value TimelineAllocated(napi_env env, napi_callback_info info) {
  Call call;
  Timeline* tl = TimelineCall(env, info, &call, 0, nullptr);
  if (tl != nullptr) tl->Allocated();
  return nullptr;
}

napi_value TimelineFinish(napi_env env, napi_callback_info info) {
  Call call;
  double a[2];
  Timeline* tl = TimelineCall(env, info, &call, 2, a);
  if (tl != nullptr) tl->Finish(a[0], a[1]);
  return nullptr;
}

napi_value TimelineWiden(napi_env env, napi_callback_info info) {
  Call call;
  double a[1];
  Timeline* tl = TimelineCall(env, info, &call, 1, a);
  // A width past 2^60 would halve forever: no capture's times go there.
  if (tl != nullptr && a[0] <= 1152921504606846976.0) tl->Widen(a[0]);
  return nullptr;
}

napi_value Float64s(napi_env env, const std::vector<double>& values) {
  napi_value buffer;
  void* data = nullptr;
  napi_value out;
  napi_create_arraybuffer(env, values.size() * sizeof(double), &data, &buffer);
  if (!values.empty()) std::memcpy(data, values.data(), values.size() * sizeof(double));
  napi_create_typedarray(env, napi_float64_array, values.size(), buffer, 0, &out);
  return out;
}

napi_value TimelineInfo(napi_env env, napi_callback_info info) {
  Call call;
  Timeline* tl = TimelineCall(env, info, &call, 0, nullptr);
  if (tl == nullptr) return nullptr;
  return Float64s(env, {tl->Width(), static_cast<double>(tl->Buckets()), static_cast<double>(tl->Entries())});
}

napi_value Table(napi_env env, const TimelineSums& sums) {
  std::vector<double> keys, bytes, count;
  sums.Sorted(&keys, &bytes, &count);
  napi_value out;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "keys", Float64s(env, keys));
  napi_set_named_property(env, out, "bytes", Float64s(env, bytes));
  napi_set_named_property(env, out, "count", Float64s(env, count));
  return out;
}

napi_value TimelineExport(napi_env env, napi_callback_info info) {
  Call call;
  Timeline* tl = TimelineCall(env, info, &call, 0, nullptr);
  if (tl == nullptr) return nullptr;
  napi_value out;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "high", Float64s(env, tl->High()));
  napi_set_named_property(env, out, "highJs", Float64s(env, tl->HighJs()));
  napi_set_named_property(env, out, "momentNs", Float64s(env, tl->MomentTime()));
  napi_set_named_property(env, out, "changes", Table(env, tl->Changes()));
  napi_set_named_property(env, out, "lifetimes", Table(env, tl->Lifetimes()));
  return out;
}

napi_value Dispose(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  napi_value self;
  napi_get_cb_info(env, info, &argc, nullptr, &self, nullptr);
  void* data = nullptr;
  if (napi_remove_wrap(env, self, &data) == napi_ok && data != nullptr) Finalize(env, data, nullptr);
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"addSites", nullptr, AddSites, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"loadRaw", nullptr, LoadRaw, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"loadColumns", nullptr, LoadColumns, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"run", nullptr, Run, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"allocationsOf", nullptr, AllocationsOf, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"nextAllocation", nullptr, NextAllocation, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"timelineEvent", nullptr, TimelineEvent, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"timelineAllocate", nullptr, TimelineAllocate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"timelineAllocated", nullptr, TimelineAllocated, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"timelineRelease", nullptr, TimelineRelease, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"timelineFinish", nullptr, TimelineFinish, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"timelineWiden", nullptr, TimelineWiden, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"timelineInfo", nullptr, TimelineInfo, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"timelineExport", nullptr, TimelineExport, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dispose", nullptr, Dispose, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_value cls;
  if (napi_define_class(env, "PairedFold", NAPI_AUTO_LENGTH, Construct, nullptr,
                        sizeof(methods) / sizeof(methods[0]), methods, &cls) != napi_ok ||
      napi_set_named_property(env, exports, "PairedFold", cls) != napi_ok || !ZstdInit(env, exports)) {
    return nullptr;
  }
  return exports;
}

}  // namespace
}  // namespace memtrace::kernel

NAPI_MODULE(memtrace_kernel, memtrace::kernel::Init)
