// The writer thread: every flush interval it moves every thread's events to the channel, names the frames
// that appeared (off the allocation path), reports threads, memory samples and code events, and writes a
// Watermark (a round; also when an app thread asks it to send while the channel holds more than 4 MB);
// between rounds it samples the process's RSS.
#ifndef MEMTRACE_PRELOAD_WRITER_THREAD_H_
#define MEMTRACE_PRELOAD_WRITER_THREAD_H_

#include <stdint.h>

#include "memtrace/agent_api.h"

namespace memtrace::writer {

// Starts the thread (once per process; again in a fork child).
void start();
// Asks the thread to send what the channel holds now. False if there is no writer thread (yet).
bool request_send();
// How often the thread wakes between rounds (the memory interval, or the flush interval if that is shorter or
// memory is not sampled).
uint64_t tick_ns();
// Stops the thread and runs the last round on the caller's thread, with the Trailer.
void finish();
// A new scope in this process (runtime.h), with the thread stopped: forgets the last one's queues and ids.
void start_new_scope();

// Queues for what the agent reports from isolate threads.
void queue_code_event(memtrace_code_event_kind kind, uint64_t start, uint64_t size, uint64_t new_start,
                      const char* name, size_t name_length, const memtrace_code_position* positions,
                      size_t count, bool existing);
void queue_heap_figures(uint32_t tid, uint64_t time_ns, const memtrace_heap_figures& figures);

// fork(): the writer's state is held still across fork() and started afresh in the child.
void before_fork();
void after_fork_in_parent();
void after_fork_in_child();

}  // namespace memtrace::writer

#endif  // MEMTRACE_PRELOAD_WRITER_THREAD_H_
