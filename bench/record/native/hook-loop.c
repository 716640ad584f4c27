// The recorder's cost per hooked call, without node: malloc and free in a loop, called through a chain of
// `depth` frames (as node's stacks are ~25-30 frames deep), alternating between two leaf functions so that
// consecutive stacks differ in their innermost frames. Prints the nanoseconds per malloc+free pair.
//   hook-loop <depth> <pairs>
// Built by bench/record/hook-cost.ts with frame pointers, which the recorder's walk follows.
// With MEMTRACE_RUNTIME_LIB set to libmemtrace_preload.so, the loop records itself from inside (the
// interposer loaded with dlopen, its hooks written into the GOTs: native/preload/runtime.h) into /dev/null,
// as track() does.
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "memtrace/agent_api.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

void* volatile sink;

__attribute__((noinline)) void* leaf_a(size_t n) { return malloc(n); }
__attribute__((noinline)) void* leaf_b(size_t n) { return malloc(n + 8); }
__attribute__((noinline)) void* pick(size_t n, long i) { return (i & 1) ? leaf_a(n) : leaf_b(n); }

__attribute__((noinline)) void loop(long pairs) {
  double start = now();
  for (long i = 0; i < pairs; i++) {
    void* p = pick(64 + (i & 255), i);
    sink = p;
    free(p);
  }
  printf("%.2f\n", (now() - start) / pairs * 1e9);
}

// Not a tail call (the asm after it), so that every level keeps its frame.
__attribute__((noinline)) void chain(int depth, long pairs) {
  if (depth == 0) {
    loop(pairs);
  } else {
    chain(depth - 1, pairs);
  }
  __asm__ volatile("");
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: hook-loop <depth> <pairs>\n");
    return 2;
  }
  const char* runtime = getenv("MEMTRACE_RUNTIME_LIB");
  if (runtime) {
    void* lib = dlopen(runtime, RTLD_NOW | RTLD_LOCAL);
    memtrace_agent_api_fn get = lib ? (memtrace_agent_api_fn)dlsym(lib, MEMTRACE_AGENT_API_SYMBOL) : NULL;
    const struct memtrace_agent_api* api = get ? get() : NULL;
    struct memtrace_runtime_settings settings = {"/dev/null", 0, 128, 0, 64, 0, 0, 0, "", "", ""};
    char error[256];
    if (!api || api->version < 4 || api->runtime_start(&settings, error, sizeof(error)) != 0) {
      fprintf(stderr, "hook-loop: cannot record from inside: %s\n", api ? error : dlerror());
      return 1;
    }
    chain(atoi(argv[1]), atol(argv[2]));
    api->runtime_stop();
    return 0;
  }
  chain(atoi(argv[1]), atol(argv[2]));
  return 0;
}
