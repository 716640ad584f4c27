// This process's own channel to `memtrace record`: a Unix socket connection, so that the streams of several
// processes never interleave inside a Record (the launcher merges them Record by Record). A recording started
// from inside the process (runtime.h) writes to a file instead, or to `memtrace attach`'s socket, which may
// also ask it to stop.
//
// Records are appended to a pending buffer under a short lock and sent in order under a second lock, so a
// thread that appends never waits for a send to finish. When the reader goes away (EPIPE, ECONNRESET) or a
// send fails for any other reason the channel closes for good and the recorder stops: the app runs on.
#ifndef MEMTRACE_PRELOAD_CHANNEL_H_
#define MEMTRACE_PRELOAD_CHANNEL_H_

#include <pthread.h>
#include <sys/types.h>

#include <atomic>

#include "byte_buffer.h"

namespace memtrace {

class Channel {
 public:
  // Connects to the socket at `path`. Returns false (and stays closed) on failure.
  bool connect(const char* path);
  // Creates (or truncates) the file at `path` and writes to it. Returns false with errno set on failure.
  bool open_file(const char* path);
  // The reader wrote to the socket (memtrace attach asks the recording to stop) or went away.
  bool peer_spoke();
  bool open() const { return fd_.load(std::memory_order_acquire) >= 0; }
  bool failed() const { return failed_.load(std::memory_order_acquire); }

  // Appending: call with the append lock held (lock_append), then write into pending().
  void lock_append() { pthread_mutex_lock(&append_mutex_); }
  void unlock_append() { pthread_mutex_unlock(&append_mutex_); }
  ByteBuffer& pending() { return pending_; }
  size_t pending_bytes() const { return pending_size_.load(std::memory_order_relaxed); }
  void note_pending() { pending_size_.store(pending_.size(), std::memory_order_relaxed); }

  // Sends everything appended so far. Returns false if the channel is (now) closed.
  bool send_pending();
  void close();

  // fork(): hold both locks across it; the child starts with no connection and an empty buffer.
  void lock_all() {
    pthread_mutex_lock(&send_mutex_);
    pthread_mutex_lock(&append_mutex_);
  }
  void unlock_all() {
    pthread_mutex_unlock(&append_mutex_);
    pthread_mutex_unlock(&send_mutex_);
  }
  void reset_in_child();
  // A new scope in this process (runtime.h): the last one's channel is closed; start with an empty buffer.
  void reset();

 private:
  bool send_all(const uint8_t* data, size_t size);
  // Takes `fd` as the channel, above the descriptors programs use by number.
  void adopt(int fd);

  std::atomic<int> fd_{-1};
  // The socket's identity: an app that closes every descriptor and opens a file that lands on the same
  // number must never receive capture bytes.
  dev_t device_ = 0;
  ino_t inode_ = 0;
  std::atomic<bool> failed_{false};
  // A file is written with write(); a socket with send(), which must not raise SIGPIPE.
  bool file_ = false;
  pthread_mutex_t append_mutex_ = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_t send_mutex_ = PTHREAD_MUTEX_INITIALIZER;
  ByteBuffer pending_;
  std::atomic<size_t> pending_size_{0};
  // Owned by the sender (send_mutex_): the bytes being sent, swapped with pending_.
  ByteBuffer sending_;
};

}  // namespace memtrace

#endif  // MEMTRACE_PRELOAD_CHANNEL_H_
