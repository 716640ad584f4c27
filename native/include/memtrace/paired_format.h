// The values of proto/memtrace.proto that the paired encoding (PairedBatch) turns on, for its writer
// (preload/pairing.cpp) and its native reader (kernel/paired_fold.cpp). test/codec/field-numbers.test.ts
// holds them to the .proto.
#pragma once

#include <cstdint>

namespace memtrace::paired_format {

// EventKind: the mappings (paired by their addresses) and V8's heap samples (the JS heap).
constexpr uint8_t kMmap = 11;
constexpr uint8_t kMremap = 12;
constexpr uint8_t kJsSample = 13;
constexpr uint8_t kMunmap = 68;
constexpr uint8_t kJsSampleFreed = 69;
// ExtraRelease.
constexpr uint8_t kEarly = 0;
constexpr uint8_t kOverwritten = 1;
constexpr uint8_t kAwaited = 2;
// FreeReference.
constexpr uint8_t kFreeAge = 0;
constexpr uint8_t kFreeStep = 1;

}  // namespace memtrace::paired_format
