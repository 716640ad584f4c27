#include "thread_state.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <new>

#include "guard.h"
#include "hooks.h"

namespace memtrace {

__thread uint8_t t_busy __attribute__((tls_model("initial-exec"))) = kIdle;

__thread ThreadState* t_state __attribute__((tls_model("initial-exec"))) = nullptr;
__thread bool t_no_state __attribute__((tls_model("initial-exec"))) = false;

namespace {

pthread_mutex_t registry_mutex = PTHREAD_MUTEX_INITIALIZER;
ThreadState* registry_head = nullptr;

pthread_key_t exit_key;
pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

// Runs when the thread exits (pthread key destructor). The state stays registered: the thread may still
// free memory in later destructors, and the writer flushes what is left once the thread is gone.
void on_thread_exit(void* p) {
  auto* state = static_cast<ThreadState*>(p);
  state->ended.store(true, std::memory_order_release);
}

void make_exit_key() { pthread_key_create(&exit_key, on_thread_exit); }

void stack_bounds(ThreadState* state) {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* low = nullptr;
  size_t size = 0;
  if (pthread_attr_getstack(&attr, &low, &size) == 0) {
    state->stack_low = reinterpret_cast<uintptr_t>(low);
    state->stack_high = state->stack_low + size;
  }
  pthread_attr_destroy(&attr);
}

}  // namespace

ThreadState* current_thread_if_any() { return t_state; }

ThreadState* make_current_thread() {
  t_no_state = true;  // until it is made: a failure below must not make every later call retry
  void* memory = hooks::raw_map(sizeof(ThreadState));
  if (!memory) return nullptr;
  // Default-initialized, not value-initialized: the event columns and the stack cache (200 KiB) are left as
  // mmap gave them, zero, so that a thread touches only the pages it uses. Value-initialization would write
  // every page of them, and a process has a dozen threads that record a few events each.
  auto* state = new (memory) ThreadState;
  state->tid = static_cast<uint32_t>(syscall(SYS_gettid));
  // pthread_getattr_np allocates (and for the main thread reads /proc/self/maps): once per thread, and
  // under the caller's BusyScope so that those allocations are not recorded.
  stack_bounds(state);
  pthread_once(&exit_key_once, make_exit_key);
  pthread_setspecific(exit_key, state);
  pthread_mutex_lock(&registry_mutex);
  state->next = registry_head;
  registry_head = state;
  pthread_mutex_unlock(&registry_mutex);
  t_state = state;
  t_no_state = false;
  return state;
}

namespace registry {

void lock() { pthread_mutex_lock(&registry_mutex); }
void unlock() { pthread_mutex_unlock(&registry_mutex); }
ThreadState* head() { return registry_head; }

void remove_locked(ThreadState* state, ThreadState* previous) {
  if (previous) {
    previous->next = state->next;
  } else {
    registry_head = state->next;
  }
  state->~ThreadState();
  hooks::raw_unmap(state, sizeof(ThreadState));
}

void start_new_scope() {
  lock();
  ThreadState* previous = nullptr;
  for (ThreadState* t = registry_head; t;) {
    ThreadState* next = t->next;
    // A thread that ended may still run its last destructors, with t_state set, until it is gone.
    bool gone = syscall(SYS_tgkill, getpid(), t->tid, 0) != 0 && errno == ESRCH;
    if (t->ended.load(std::memory_order_acquire) && gone) {
      remove_locked(t, previous);
      t = next;
      continue;
    }
    {
      ClaimedBuffer claim(t);
      t->events.reset();
      t->closed = false;
      t->clock_countdown = 0;
      // Only a thread that recorded has entries: the others' pages stay untouched.
      if (t->counters.allocations.load(std::memory_order_relaxed) != 0) {
        memset(static_cast<void*>(&t->stacks), 0, sizeof(t->stacks));
      }
      t->walk.forget();
      t->last_interned.depth = 0;
      new (&t->counters) ThreadCounters();
    }
    t->role.store(0, std::memory_order_relaxed);
    t->worker_id.store(0, std::memory_order_relaxed);
    t->app_named.store(false, std::memory_order_relaxed);
    t->info_written = false;
    t->written_name[0] = 0;
    t->written_role = 0;
    previous = t;
    t = next;
  }
  unlock();
}

void after_fork_in_child() {
  // Other threads' states are left as they are: their memory is harmless, and freeing it could race with
  // nothing but is not worth the code.
  pthread_mutex_init(&registry_mutex, nullptr);
  registry_head = nullptr;
  ThreadState* self = t_state;
  if (!self) return;
  self->lock.reset();
  self->appending.store(false, std::memory_order_relaxed);
  self->claimed.store(false, std::memory_order_relaxed);
  self->events.reset();
  self->closed = false;
  memset(static_cast<void*>(&self->stacks), 0, sizeof(self->stacks));
  self->walk.forget();
  self->last_interned.depth = 0;
  self->tid = static_cast<uint32_t>(syscall(SYS_gettid));
  self->role.store(0, std::memory_order_relaxed);
  self->worker_id.store(0, std::memory_order_relaxed);
  self->app_named.store(false, std::memory_order_relaxed);
  self->info_written = false;
  self->written_name[0] = 0;
  self->written_role = 0;
  new (&self->counters) ThreadCounters();
  self->next = nullptr;
  registry_head = self;
}

}  // namespace registry

}  // namespace memtrace
