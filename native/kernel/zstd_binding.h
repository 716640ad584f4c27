// zstd streaming for memtrace's captures, through the system's libzstd opened at first use (zstd_api.h). The
// exports it adds to the kernel, typed in src/native/kernel.ts:
//
//   zstdProblem() -> string | undefined      why zstd cannot be used here (no libzstd.so.1, too old, or
//                                             MEMTRACE_NO_ZSTD set); undefined when it can
//   new ZstdCompressor(level, windowLog, checksum)
//     .stream(out, input: Uint8Array, directive) -> [left, produced, consumed]   (ZSTD_compressStream2)
//   new ZstdDecompressor(windowLogMax)
//     .stream(out, input: Uint8Array) -> [left, produced, consumed]             (ZSTD_decompressStream)
//   .dispose() on both: frees the context now
//
// zstd's errors are thrown as Errors carrying ZSTD_getErrorName's words.
#pragma once

#include <node_api.h>

namespace memtrace::kernel {

// Adds the exports above; false when Node-API failed (an exception is then pending).
bool ZstdInit(napi_env env, napi_value exports);

}  // namespace memtrace::kernel
