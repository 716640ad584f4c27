#include "stack_tables.h"

#include <new>

#include "clock.h"
#include "js_functions.h"

namespace memtrace {

namespace {
constexpr unsigned kPageShift = 12;
}  // namespace

bool StackTables::index_frame(uint64_t address, uint32_t id) {
  // Entry 0 of the per-id vectors stands for "no frame".
  if (frame_address_.empty() && !(frame_address_.push(0) && previous_in_page_.push(0))) return false;
  if (frame_address_.size() != id) return false;
  uint32_t previous = 0;
  uint64_t page = (address >> kPageShift) + 1;
  if (!is_js_frame_key(address)) {
    previous = page_newest_.find(page);
    if (!page_newest_.set(page, id)) return false;
  }
  return frame_address_.push(address) && previous_in_page_.push(previous);
}

uint32_t StackTables::frame_id(uint64_t address) {
  uint32_t id = frames_.find(address);
  if (id) return id;
  id = next_frame_;
  if (!index_frame(address, id) || !frames_.insert(address, id)) return 0;
  if (pending_.frame_address.empty()) pending_.first_frame = id;
  pending_.frame_address.push(address);
  pending_.frame_time.push(clock::now_ns());
  next_frame_++;
  return id;
}

uint32_t StackTables::intern(const uintptr_t* addresses, uint32_t depth, LastInterned* last) {
  // From the root (outermost frame) inwards: each step is one (parent, frame) pair. The steps this stack
  // shares with the thread's last one are known already.
  uint32_t stack = 0;
  uint32_t shared = 0;
  if (last) {
    while (shared < depth && shared < last->depth && last->address[shared] == addresses[depth - 1 - shared]) {
      stack = last->stack[shared++];
    }
    if (shared == depth) return stack;
    last->depth = shared;
  }
  pthread_mutex_lock(&mutex_);
  for (uint32_t step = shared; step < depth; step++) {
    uintptr_t address = addresses[depth - 1 - step];
    uint32_t frame = frame_id(address);
    if (!frame) {
      stack = 0;
      break;
    }
    uint64_t key = (static_cast<uint64_t>(stack) << 32) | frame;
    uint32_t child = stacks_.find(key);
    if (!child) {
      child = next_stack_;
      if (!stacks_.insert(key, child)) {
        stack = 0;
        break;
      }
      if (pending_.stack_parent.empty()) pending_.first_stack = child;
      pending_.stack_parent.push(stack);
      pending_.stack_frame.push(frame);
      next_stack_++;
    }
    stack = child;
    if (last) {
      last->address[step] = address;
      last->stack[step] = child;
      last->depth = step + 1;
    }
  }
  pthread_mutex_unlock(&mutex_);
  return stack;
}

uint32_t StackTables::retire_frames(uint64_t low, uint64_t high) {
  if (high <= low) return 0;
  uint32_t retired = 0;
  pthread_mutex_lock(&mutex_);
  // A return address is the instruction after a call: the call is in [low, high) when it is in (low, high].
  for (uint64_t page = ((low + 1) >> kPageShift) + 1, last = (high >> kPageShift) + 1; page <= last; page++) {
    uint32_t id = page_newest_.find(page);
    uint32_t kept = 0;  // the newest frame kept in the chain so far
    while (id) {
      uint64_t address = frame_address_[id];
      uint32_t previous = previous_in_page_[id];
      bool current = frames_.find(address) == id;
      bool retire = current && address > low && address <= high;
      if (retire) {
        frames_.erase(address);
        retired++;
      }
      if (current && !retire) {
        kept = id;
      } else if (kept) {
        previous_in_page_[kept] = previous;  // unlinked: retired now, or earlier
      } else if (previous) {
        page_newest_.set(page, previous);
      } else {
        page_newest_.erase(page);
      }
      id = previous;
    }
  }
  if (retired) epoch_.fetch_add(1, std::memory_order_acq_rel);
  pthread_mutex_unlock(&mutex_);
  return retired;
}

void StackTables::take_pending(PendingTables& out) {
  pthread_mutex_lock(&mutex_);
  out.first_frame = pending_.first_frame;
  out.first_stack = pending_.first_stack;
  out.frame_address.swap(pending_.frame_address);
  out.frame_time.swap(pending_.frame_time);
  out.stack_parent.swap(pending_.stack_parent);
  out.stack_frame.swap(pending_.stack_frame);
  pthread_mutex_unlock(&mutex_);
}

void StackTables::clear() {
  frames_.clear();
  stacks_.clear();
  page_newest_.clear();
  previous_in_page_.clear();
  frame_address_.clear();
  next_frame_ = next_stack_ = 1;
  pending_.frame_address.clear();
  pending_.frame_time.clear();
  pending_.stack_parent.clear();
  pending_.stack_frame.clear();
}

void StackTables::start_new_scope() {
  lock();
  clear();
  unlock();
}

void StackTables::reset_in_child() {
  pthread_mutex_init(&mutex_, nullptr);
  clear();
}

StackTables& stack_tables() {
  // Never destroyed: allocations are recorded until the very end of exit(), after static destructors ran.
  alignas(StackTables) static unsigned char storage[sizeof(StackTables)];
  static StackTables* tables = new (storage) StackTables();
  return *tables;
}

}  // namespace memtrace
