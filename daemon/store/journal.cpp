#include "store/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace vigie::store {
namespace {

core::Error sys_error(const std::filesystem::path& p, const char* what) {
  return core::Error{p.string(), std::string(what) + ": " + std::strerror(errno)};
}

void fsync_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::filesystem::path journal_path(const std::filesystem::path& db) {
  auto p = db;
  p += "-unstored.jsonl";
  return p;
}

Journal::Journal(std::filesystem::path p, int fd, uint64_t size, std::size_t reserve)
    : path_(std::move(p)), fd_(fd), size_(size), reserved_to_(size), reserve_(reserve) {}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

core::Result<std::unique_ptr<Journal>> Journal::open(const std::filesystem::path& file, std::size_t reserve) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  const bool existed = std::filesystem::exists(file, ec);
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return tl::unexpected(sys_error(file, "cannot open the journal of unstored alerts"));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return core::fail(file.string(), "the journal of unstored alerts is not a regular file");
  }
  if (!existed) fsync_dir(file.parent_path());
  auto j = std::unique_ptr<Journal>(new Journal(file, fd, static_cast<uint64_t>(st.st_size), reserve));
  j->top_up_reserve();
  return j;
}

void Journal::top_up_reserve() {
  if (reserve_ == 0 || reserved_to_ >= size_ + reserve_ / 2) return;
  // KEEP_SIZE: the blocks are allocated to this file without changing its size, so appends
  // into them need no free space. Failing (disk already full, filesystem without fallocate)
  // only means there is less reserve; the append itself reports a real failure.
  if (::fallocate(fd_, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(size_), static_cast<off_t>(reserve_)) == 0)
    reserved_to_ = size_ + reserve_;
}

core::Result<void> Journal::cut_torn_tail() {
  tail_checked_ = true;
  if (size_ == 0) return {};
  char last = '\n';
  if (::pread(fd_, &last, 1, static_cast<off_t>(size_ - 1)) != 1) return tl::unexpected(sys_error(path_, "read"));
  if (last == '\n') return {};
  // Find the end of the last complete line; everything after it is the torn write.
  uint64_t keep = size_;
  char buf[4096];
  while (keep > 0) {
    const uint64_t from = keep > sizeof buf ? keep - sizeof buf : 0;
    const auto n = ::pread(fd_, buf, keep - from, static_cast<off_t>(from));
    if (n < 0) return tl::unexpected(sys_error(path_, "read"));
    const void* nl = ::memrchr(buf, '\n', static_cast<std::size_t>(n));
    if (nl) {
      keep = from + static_cast<uint64_t>(static_cast<const char*>(nl) - buf) + 1;
      break;
    }
    keep = from;
  }
  if (::ftruncate(fd_, static_cast<off_t>(keep)) != 0) return tl::unexpected(sys_error(path_, "truncate"));
  size_ = keep;
  reserved_to_ = keep;  // truncating also frees the blocks reserved past the end
  return {};
}

// Cuts a failed append off again; if even that fails, the next append checks the tail first.
void Journal::truncated_back() {
  if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) tail_checked_ = false;
  reserved_to_ = size_;
}

core::Result<void> Journal::append(const std::vector<const core::Alert*>& alerts) {
  if (alerts.empty()) return {};
  if (!tail_checked_) {
    if (auto r = cut_torn_tail(); !r) return r;
  }
  std::string buf;
  for (const auto* a : alerts) {
    buf += alert_to_json_line(*a);
    buf += '\n';
  }
  std::size_t done = 0;
  while (done < buf.size()) {
    const auto n = ::write(fd_, buf.data() + done, buf.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const auto err = sys_error(path_, "cannot append to the journal of unstored alerts");
      if (done > 0) truncated_back();
      return tl::unexpected(err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd_) != 0) {
    const auto err = sys_error(path_, "cannot sync the journal of unstored alerts");
    truncated_back();
    return tl::unexpected(err);
  }
  size_ += buf.size();
  top_up_reserve();
  return {};
}

core::Result<Journal::ReadStats> Journal::read(const std::function<void(core::Alert&&)>& fn) {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return tl::unexpected(sys_error(path_, "cannot read the journal of unstored alerts"));
  ReadStats stats;
  std::string line;
  while (std::getline(in, line)) {
    // getline hits the end of file before a newline only on a last line without one.
    const bool complete = !in.eof();
    if (line.empty() && complete) continue;
    if (!complete) {
      stats.torn = true;
      break;
    }
    auto a = reader_.parse(line);
    if (!a) {
      ++stats.corrupt;
      continue;
    }
    ++stats.entries;
    fn(std::move(*a));
  }
  if (in.bad()) return tl::unexpected(sys_error(path_, "cannot read the journal of unstored alerts"));
  return stats;
}

core::Result<void> Journal::clear() {
  if (size_ == 0) return {};
  if (::ftruncate(fd_, 0) != 0) return tl::unexpected(sys_error(path_, "cannot empty the journal"));
  if (::fdatasync(fd_) != 0) return tl::unexpected(sys_error(path_, "cannot sync the journal"));
  size_ = 0;
  reserved_to_ = 0;
  tail_checked_ = true;
  top_up_reserve();
  return {};
}

}  // namespace vigie::store
