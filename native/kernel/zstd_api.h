// The part of libzstd's API the kernel uses (zstd.h, https://github.com/facebook/zstd/blob/dev/lib/zstd.h),
// declared here rather than included: libzstd is opened with dlopen at first use (zstd_binding.cpp), so
// building the kernel needs no zstd headers or library, and a machine without libzstd1 still loads the
// kernel.
//
// Everything here is zstd's stable API as of 1.4.0 (the advanced streaming API, ZSTD_compressStream2 and the
// ZSTD_c_ / ZSTD_d_ parameters, became stable then; their numbers are fixed by zstd.h). The loader refuses a
// libzstd whose ZSTD_versionNumber() is below kMinVersion.
#pragma once

#include <cstddef>

namespace memtrace::kernel::zstd {

constexpr unsigned kMinVersion = 10400;  // 1.4.0
constexpr const char* kLibrary = "libzstd.so.1";

struct CCtx;  // ZSTD_CCtx
struct DCtx;  // ZSTD_DCtx, which is also ZSTD_DStream

struct InBuffer {  // ZSTD_inBuffer
  const void* src;
  size_t size;
  size_t pos;
};

struct OutBuffer {  // ZSTD_outBuffer
  void* dst;
  size_t size;
  size_t pos;
};

// ZSTD_cParameter and ZSTD_dParameter values used.
constexpr int kCompressionLevel = 100;  // ZSTD_c_compressionLevel
constexpr int kWindowLog = 101;         // ZSTD_c_windowLog
constexpr int kChecksumFlag = 201;      // ZSTD_c_checksumFlag
constexpr int kWindowLogMax = 100;      // ZSTD_d_windowLogMax

// ZSTD_EndDirective.
constexpr int kContinue = 0;  // ZSTD_e_continue
constexpr int kFlush = 1;     // ZSTD_e_flush
constexpr int kEnd = 2;       // ZSTD_e_end

// The functions, as pointers resolved by dlsym; one X line each: X(name in zstd.h, member, return type,
// (parameters)).
#define MEMTRACE_ZSTD_FUNCTIONS(X)                                                      \
  X(ZSTD_versionNumber, versionNumber, unsigned, ())                                    \
  X(ZSTD_isError, isError, unsigned, (size_t))                                          \
  X(ZSTD_getErrorName, getErrorName, const char*, (size_t))                             \
  X(ZSTD_createCCtx, createCCtx, CCtx*, ())                                             \
  X(ZSTD_freeCCtx, freeCCtx, size_t, (CCtx*))                                           \
  X(ZSTD_sizeof_CCtx, sizeofCCtx, size_t, (const CCtx*))                                \
  X(ZSTD_CCtx_setParameter, setCParameter, size_t, (CCtx*, int, int))                   \
  X(ZSTD_compressStream2, compressStream2, size_t, (CCtx*, OutBuffer*, InBuffer*, int)) \
  X(ZSTD_createDCtx, createDCtx, DCtx*, ())                                             \
  X(ZSTD_freeDCtx, freeDCtx, size_t, (DCtx*))                                           \
  X(ZSTD_sizeof_DCtx, sizeofDCtx, size_t, (const DCtx*))                                \
  X(ZSTD_DCtx_setParameter, setDParameter, size_t, (DCtx*, int, int))                   \
  X(ZSTD_decompressStream, decompressStream, size_t, (DCtx*, OutBuffer*, InBuffer*))

struct Api {
#define MEMTRACE_ZSTD_MEMBER(symbol, member, result, parameters) result(*member) parameters = nullptr;
  MEMTRACE_ZSTD_FUNCTIONS(MEMTRACE_ZSTD_MEMBER)
#undef MEMTRACE_ZSTD_MEMBER
};

}  // namespace memtrace::kernel::zstd
