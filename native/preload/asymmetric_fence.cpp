#include "asymmetric_fence.h"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace memtrace::asymmetric_fence {

bool g_expedited = false;

namespace {

bool g_global = false;

long membarrier(int command) { return syscall(__NR_membarrier, command, 0, 0); }

}  // namespace

void init() {
  long supported = membarrier(MEMBARRIER_CMD_QUERY);
  if (supported < 0) supported = 0;
  g_global = supported & MEMBARRIER_CMD_GLOBAL;
  g_expedited = (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
                membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

void heavy() {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (!g_expedited) return;
  // Registered, the command does not fail; if it ever did, the global barrier (slower: it waits for every
  // CPU to pass a quiescent state) gives the same guarantee.
  if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0 && g_global) membarrier(MEMBARRIER_CMD_GLOBAL);
}

}  // namespace memtrace::asymmetric_fence
