#include "channel.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace memtrace {

namespace {
// The channel's descriptor is moved above the ones programs use by number: fd 3 is node's IPC channel in a
// child_process.fork() child, and shells and daemons dup2 onto small numbers.
constexpr int kFirstPrivateFd = 200;
}  // namespace

bool Channel::connect(const char* path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof(address.sun_path)) {
    ::close(fd);
    return false;
  }
  strcpy(address.sun_path, path);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    failed_.store(true, std::memory_order_release);
    return false;
  }
  file_ = false;
  adopt(fd);
  return true;
}

bool Channel::open_file(const char* path) {
  int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    failed_.store(true, std::memory_order_release);
    return false;
  }
  file_ = true;
  adopt(fd);
  return true;
}

void Channel::adopt(int fd) {
  int high = fcntl(fd, F_DUPFD_CLOEXEC, kFirstPrivateFd);
  if (high >= 0) {
    ::close(fd);
    fd = high;
  }
  struct stat st;
  if (fstat(fd, &st) == 0) {
    device_ = st.st_dev;
    inode_ = st.st_ino;
  }
  fd_.store(fd, std::memory_order_release);
}

bool Channel::peer_spoke() {
  int fd = fd_.load(std::memory_order_acquire);
  if (fd < 0 || file_) return false;
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR));
}

bool Channel::send_all(const uint8_t* data, size_t size) {
  int fd = fd_.load(std::memory_order_acquire);
  struct stat st;
  if (fd >= 0 && (fstat(fd, &st) != 0 || st.st_dev != device_ || st.st_ino != inode_)) {
    // The descriptor was closed by the app, and perhaps reused: it is not ours to write to, nor to close.
    fd_.store(-1, std::memory_order_release);
    failed_.store(true, std::memory_order_release);
    return false;
  }
  while (size > 0) {
    if (fd < 0) return false;
    // MSG_NOSIGNAL: a reader that went away must not raise SIGPIPE in the app.
    ssize_t n = file_ ? write(fd, data, size) : send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      close();
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool Channel::send_pending() {
  pthread_mutex_lock(&send_mutex_);
  pthread_mutex_lock(&append_mutex_);
  // Swap rather than copy: the sender owns these bytes while appenders fill the other buffer.
  sending_.clear();
  sending_.swap(pending_);
  pending_size_.store(0, std::memory_order_relaxed);
  pthread_mutex_unlock(&append_mutex_);
  bool ok = sending_.empty() || send_all(sending_.data(), sending_.size());
  sending_.clear();
  pthread_mutex_unlock(&send_mutex_);
  return ok && open();
}

void Channel::close() {
  int fd = fd_.exchange(-1, std::memory_order_acq_rel);
  if (fd >= 0) {
    ::close(fd);
    failed_.store(true, std::memory_order_release);
  }
}

void Channel::reset() {
  lock_all();
  close();
  failed_.store(false, std::memory_order_release);
  pending_.clear();
  sending_.clear();
  pending_size_.store(0, std::memory_order_relaxed);
  unlock_all();
}

void Channel::reset_in_child() {
  // The inherited descriptor is the parent's connection: close it, never write to it.
  int fd = fd_.exchange(-1, std::memory_order_relaxed);
  if (fd >= 0) ::close(fd);
  failed_.store(false, std::memory_order_relaxed);
  pthread_mutex_init(&append_mutex_, nullptr);
  pthread_mutex_init(&send_mutex_, nullptr);
  pending_.clear();
  sending_.clear();
  pending_size_.store(0, std::memory_order_relaxed);
}

}  // namespace memtrace
