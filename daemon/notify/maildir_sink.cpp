#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "notify/sink.hpp"

namespace vigie::notify {
namespace {

std::string errno_text() { return std::strerror(errno); }

// Closes the descriptor on every path out.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

core::Result<void> write_all(int fd, std::string_view data, const std::string& where) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::fail(where, "write: " + errno_text());
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

core::Result<void> fsync_dir(const std::filesystem::path& dir) {
  Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0 || ::fsync(d.fd) != 0) return core::fail(dir.string(), "fsync directory: " + errno_text());
  return {};
}

}  // namespace

Sink::~Sink() = default;

MaildirSink::MaildirSink(std::filesystem::path dir) : dir_(std::move(dir)) {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  for (const char* p = buf; *p; ++p) {
    if (*p == '/')
      host_ += "\\057";
    else if (*p == ':')
      host_ += "\\072";
    else
      host_ += *p;
  }
  if (host_.empty()) host_ = "localhost";
}

// Local file I/O only: nothing waits on a peer, so the stop token is not needed. A maildir has
// no notion of refusing a recipient; its errors (disk full, permissions) are worth retrying.
SendResult MaildirSink::send(const store::OutboxItem& item, const std::stop_token& /*stop*/) {
  if (auto r = write(item); !r) return send_failed(r.error());
  return Delivered{};
}

core::Result<void> MaildirSink::write(const store::OutboxItem& item) {
  std::error_code ec;
  for (const char* sub : {"tmp", "new", "cur"}) {
    std::filesystem::create_directories(dir_ / sub, ec);
    if (ec) return core::fail((dir_ / sub).string(), "cannot create maildir: " + ec.message());
  }
  // time.MusecPpidQseq.host — unique per process and delivery, as the maildir spec asks.
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now);
  const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(now - secs).count();
  const std::string name = std::to_string(secs.count()) + ".M" + std::to_string(usec) + "P" +
                           std::to_string(::getpid()) + "Q" + std::to_string(++sequence_) + "V" +
                           std::to_string(item.id) + "." + host_;
  const auto tmp = dir_ / "tmp" / name;
  const auto fresh = dir_ / "new" / name;

  std::string data;
  data.reserve(item.message.size());
  for (std::size_t i = 0; i < item.message.size(); ++i) {
    if (item.message[i] == '\r' && i + 1 < item.message.size() && item.message[i + 1] == '\n') continue;
    data += item.message[i];
  }
  {
    Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
    if (f.fd < 0) return core::fail(tmp.string(), "create: " + errno_text());
    if (auto r = write_all(f.fd, data, tmp.string()); !r) {
      ::unlink(tmp.c_str());
      return r;
    }
    if (::fsync(f.fd) != 0) {
      ::unlink(tmp.c_str());
      return core::fail(tmp.string(), "fsync: " + errno_text());
    }
  }
  // link() refuses to replace an existing file, unlike rename().
  if (::link(tmp.c_str(), fresh.c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    return core::fail(fresh.string(), "link into new/: " + why);
  }
  ::unlink(tmp.c_str());
  return fsync_dir(dir_ / "new");
}

}  // namespace vigie::notify
