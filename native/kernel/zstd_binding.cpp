// zstd_binding.h: the contexts as Node-API classes over libzstd's functions, resolved with dlopen/dlsym once.
#include "zstd_binding.h"

#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <string>

#include "zstd_api.h"

// glibc 2.34 moved dlopen and friends into libc under a new symbol version; linked here (glibc 2.36), they
// would keep the kernel from loading on an older glibc, where fold and the readers still run. The old
// versions, which glibc keeps, load everywhere.
#if defined(__x86_64__)
__asm__(".symver dlopen,dlopen@GLIBC_2.2.5");
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
__asm__(".symver dlerror,dlerror@GLIBC_2.2.5");
#elif defined(__aarch64__)
__asm__(".symver dlopen,dlopen@GLIBC_2.17");
__asm__(".symver dlsym,dlsym@GLIBC_2.17");
__asm__(".symver dlerror,dlerror@GLIBC_2.17");
#endif

namespace memtrace::kernel {
namespace {

zstd::Api api;
std::string load_problem;  // empty: api is complete
bool loaded = false;
std::mutex loading;  // not std::call_once: its pthread_once is another glibc 2.34 symbol

void Load() {
  // RTLD_DEEPBIND: libzstd's calls to its own exported functions stay inside it. Node.js 22.15 and later
  // export the zstd they are built with; without it those calls would land in Node's zstd, another version
  // with other struct layouts (compression then fails with nonsense errors, or worse).
  void* lib = dlopen(zstd::kLibrary, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (lib == nullptr) {
    const char* why = dlerror();
    load_problem = std::string(zstd::kLibrary) + " cannot be loaded (" + (why ? why : "not found") + ")";
    return;
  }
#define MEMTRACE_ZSTD_RESOLVE(symbol, member, result, parameters)                                 \
  api.member = reinterpret_cast<decltype(api.member)>(dlsym(lib, #symbol));                       \
  if (api.member == nullptr) {                                                                    \
    load_problem = std::string(zstd::kLibrary) + " lacks " #symbol " (zstd 1.4 or later has it)"; \
    return;                                                                                       \
  }
  MEMTRACE_ZSTD_FUNCTIONS(MEMTRACE_ZSTD_RESOLVE)
#undef MEMTRACE_ZSTD_RESOLVE
  const unsigned version = api.versionNumber();
  if (version < zstd::kMinVersion) {
    load_problem = std::string(zstd::kLibrary) + " is zstd " + std::to_string(version / 10000) + "." +
                   std::to_string(version / 100 % 100) + "." + std::to_string(version % 100) +
                   ", older than 1.4.0";
  }
}

// Why zstd cannot be used, or nullptr. MEMTRACE_NO_ZSTD pretends libzstd is missing (for the fallbacks'
// tests).
const char* Problem() {
  const char* no = std::getenv("MEMTRACE_NO_ZSTD");
  if (no != nullptr && *no != '\0') return "MEMTRACE_NO_ZSTD is set";
  {
    std::lock_guard<std::mutex> lock(loading);
    if (!loaded) Load();
    loaded = true;
  }
  return load_problem.empty() ? nullptr : load_problem.c_str();
}

napi_value Throw(napi_env env, const char* message) {
  napi_throw_error(env, nullptr, message);
  return nullptr;
}

napi_value ZstdProblem(napi_env env, napi_callback_info) {
  const char* problem = Problem();
  napi_value out;
  if (problem == nullptr) {
    napi_get_undefined(env, &out);
  } else {
    napi_create_string_utf8(env, problem, NAPI_AUTO_LENGTH, &out);
  }
  return out;
}

// One context, and the bytes of it the JavaScript heap was told of (a reader of many small captures, as the
// fuzz is, would otherwise keep many windows unreachable but alive).
struct Context {
  zstd::CCtx* c = nullptr;
  zstd::DCtx* d = nullptr;
  int64_t reported = 0;

  size_t Bytes() const { return c ? api.sizeofCCtx(c) : d ? api.sizeofDCtx(d) : 0; }
  void Report(napi_env env) {
    const int64_t now = static_cast<int64_t>(Bytes());
    if (now == reported) return;
    int64_t total;
    napi_adjust_external_memory(env, now - reported, &total);
    reported = now;
  }
  void Free(napi_env env) {
    if (c) api.freeCCtx(c);
    if (d) api.freeDCtx(d);
    c = nullptr;
    d = nullptr;
    Report(env);
  }
};

void Finalize(napi_env env, void* data, void*) {
  auto* context = static_cast<Context*>(data);
  context->Free(env);
  delete context;
}

// Reads the constructor's numeric arguments and wraps a new Context; nullptr with an exception pending.
Context* Construct(napi_env env, napi_callback_info info, size_t want, double* numbers, napi_value* self) {
  const char* problem = Problem();
  if (problem != nullptr) {
    Throw(env, (std::string("zstd is not available: ") + problem).c_str());
    return nullptr;
  }
  napi_value args[3];
  size_t argc = 3;
  napi_get_cb_info(env, info, &argc, args, self, nullptr);
  for (size_t i = 0; i < want; i++) {
    if (i >= argc || napi_get_value_double(env, args[i], &numbers[i]) != napi_ok) {
      Throw(env, "memtrace zstd: an argument is not a number");
      return nullptr;
    }
  }
  auto* context = new (std::nothrow) Context();
  if (context == nullptr) {
    Throw(env, "memtrace zstd: out of memory");
    return nullptr;
  }
  if (napi_wrap(env, *self, context, Finalize, nullptr, nullptr) != napi_ok) {
    delete context;
    Throw(env, "memtrace zstd: cannot wrap the context");
    return nullptr;
  }
  return context;
}

// True when `code` is a zstd error; it is then thrown.
bool Failed(napi_env env, size_t code) {
  if (!api.isError(code)) return false;
  Throw(env, api.getErrorName(code));
  return true;
}

napi_value NewCompressor(napi_env env, napi_callback_info info) {
  double n[3];
  napi_value self;
  Context* context = Construct(env, info, 3, n, &self);
  if (context == nullptr) return nullptr;
  context->c = api.createCCtx();
  if (context->c == nullptr) return Throw(env, "memtrace zstd: out of memory");
  if (Failed(env, api.setCParameter(context->c, zstd::kCompressionLevel, static_cast<int>(n[0]))) ||
      Failed(env, api.setCParameter(context->c, zstd::kWindowLog, static_cast<int>(n[1]))) ||
      Failed(env, api.setCParameter(context->c, zstd::kChecksumFlag, n[2] != 0 ? 1 : 0))) {
    return nullptr;
  }
  context->Report(env);
  return self;
}

napi_value NewDecompressor(napi_env env, napi_callback_info info) {
  double n[1];
  napi_value self;
  Context* context = Construct(env, info, 1, n, &self);
  if (context == nullptr) return nullptr;
  context->d = api.createDCtx();
  if (context->d == nullptr) return Throw(env, "memtrace zstd: out of memory");
  if (Failed(env, api.setDParameter(context->d, zstd::kWindowLogMax, static_cast<int>(n[0])))) return nullptr;
  context->Report(env);
  return self;
}

bool Bytes(napi_env env, napi_value value, uint8_t** data, size_t* length) {
  bool is = false;
  napi_typedarray_type type;
  void* raw = nullptr;
  if (napi_is_typedarray(env, value, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, value, &type, length, &raw, nullptr, nullptr) != napi_ok ||
      type != napi_uint8_array) {
    Throw(env, "memtrace zstd: a buffer is not a Uint8Array");
    return false;
  }
  *data = static_cast<uint8_t*>(raw);
  return true;
}

napi_value Triple(napi_env env, size_t left, size_t produced, size_t consumed) {
  napi_value out;
  napi_create_array_with_length(env, 3, &out);
  const size_t values[3] = {left, produced, consumed};
  for (uint32_t i = 0; i < 3; i++) {
    napi_value v;
    napi_create_double(env, static_cast<double>(values[i]), &v);
    napi_set_element(env, out, i, v);
  }
  return out;
}

// stream(out, input[, directive]): one call of the context's streaming function.
napi_value Stream(napi_env env, napi_callback_info info) {
  napi_value args[3];
  size_t argc = 3;
  napi_value self;
  napi_get_cb_info(env, info, &argc, args, &self, nullptr);
  void* data = nullptr;
  if (napi_unwrap(env, self, &data) != napi_ok || data == nullptr)
    return Throw(env, "memtrace zstd: no context");
  auto* context = static_cast<Context*>(data);
  if (context->c == nullptr && context->d == nullptr)
    return Throw(env, "memtrace zstd: used after dispose()");
  uint8_t *out, *in;
  size_t out_length, in_length;
  if (argc < 2 || !Bytes(env, args[0], &out, &out_length) || !Bytes(env, args[1], &in, &in_length)) {
    return argc < 2 ? Throw(env, "memtrace zstd: stream(out, input)") : nullptr;
  }
  zstd::OutBuffer output{out, out_length, 0};
  zstd::InBuffer input{in, in_length, 0};
  size_t left;
  if (context->c != nullptr) {
    double directive = 0;
    if (argc < 3 || napi_get_value_double(env, args[2], &directive) != napi_ok ||
        !(directive == zstd::kContinue || directive == zstd::kFlush || directive == zstd::kEnd)) {
      return Throw(env, "memtrace zstd: the directive is not 0, 1 or 2");
    }
    left = api.compressStream2(context->c, &output, &input, static_cast<int>(directive));
  } else {
    left = api.decompressStream(context->d, &output, &input);
  }
  context->Report(env);
  if (Failed(env, left)) return nullptr;
  return Triple(env, left, output.pos, input.pos);
}

napi_value Dispose(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  napi_value self;
  napi_get_cb_info(env, info, &argc, nullptr, &self, nullptr);
  void* data = nullptr;
  if (napi_unwrap(env, self, &data) == napi_ok && data != nullptr) static_cast<Context*>(data)->Free(env);
  return nullptr;
}

bool DefineClass(napi_env env, napi_value exports, const char* name, napi_callback construct) {
  const napi_property_descriptor methods[] = {
      {"stream", nullptr, Stream, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dispose", nullptr, Dispose, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_value cls;
  return napi_define_class(env, name, NAPI_AUTO_LENGTH, construct, nullptr, 2, methods, &cls) == napi_ok &&
         napi_set_named_property(env, exports, name, cls) == napi_ok;
}

}  // namespace

bool ZstdInit(napi_env env, napi_value exports) {
  napi_value problem;
  return napi_create_function(env, "zstdProblem", NAPI_AUTO_LENGTH, ZstdProblem, nullptr, &problem) ==
             napi_ok &&
         napi_set_named_property(env, exports, "zstdProblem", problem) == napi_ok &&
         DefineClass(env, exports, "ZstdCompressor", NewCompressor) &&
         DefineClass(env, exports, "ZstdDecompressor", NewDecompressor);
}

}  // namespace memtrace::kernel
