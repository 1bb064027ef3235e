#include "store/db_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace vigie::store {

std::filesystem::path lock_path(const std::filesystem::path& db) {
  auto p = db;
  p += ".lock";
  return p;
}

namespace {

// The PID a holder wrote into the lock file ("" when none was).
std::string pid_in(int fd) {
  char buf[32] = {};
  const auto n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid;
}

}  // namespace

std::optional<long> lock_holder(const std::filesystem::path& db) {
  const int fd = ::open(lock_path(db).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {  // taken at once: nobody holds it
    ::close(fd);
    return std::nullopt;
  }
  const std::string pid = pid_in(fd);
  ::close(fd);
  const long n = std::strtol(pid.c_str(), nullptr, 10);
  return n > 0 ? n : 0;
}

core::Result<std::unique_ptr<DbLock>> DbLock::acquire(const std::filesystem::path& db) {
  const auto file = lock_path(db);
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return core::fail(file.string(), std::string("cannot open the lock file: ") + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string pid = pid_in(fd);
    ::close(fd);
    if (err != EWOULDBLOCK) return core::fail(file.string(), std::string("cannot lock: ") + std::strerror(err));
    return core::fail(db.string(), "database in use by another vigie serve (pid " + (pid.empty() ? "unknown" : pid) +
                                       "); one daemon per database — stop that one first (lock " + file.string() + ")");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  // Failing to write the PID leaves the lock held; a second daemon would say "pid unknown".
  [[maybe_unused]] const bool written =
      ::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
  return std::unique_ptr<DbLock>(new DbLock(fd));
}

DbLock::~DbLock() { ::close(fd_); }

}  // namespace vigie::store
