// `vigie reload`: the rules of the configured paths checked here first, then the running
// `serve` of the configuration's database told to reload (SIGHUP), and its outcome waited for.
// Rules that do not compile are reported with file:line and the daemon is not disturbed.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>
#include <variant>

#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/reload_status.hpp"
#include "store/db_lock.hpp"

namespace vigie::app {
namespace {

// The PID of the `serve` holding the database's lock, or an error message.
std::variant<long, std::string> running_daemon(const std::filesystem::path& db) {
  const auto lock = store::lock_path(db);
  const int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "no vigie serve runs on " + db.string() + " (no " + lock.string() + ")";
  // Taking the lock ourselves means nobody holds it.
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
    ::close(fd);
    return "no vigie serve runs on " + db.string() + " (" + lock.string() + " is not locked)";
  }
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
  ::close(fd);
  const long pid = n > 0 ? std::strtol(buf, nullptr, 10) : 0;
  if (pid <= 0) return "the vigie serve holding " + lock.string() + " did not write its PID there";
  return pid;
}

}  // namespace

std::filesystem::path reload_status_path(const std::filesystem::path& db) {
  return std::filesystem::path(db.string() + ".reload");
}

void write_reload_status(const std::filesystem::path& db, const ReloadStatus& status) {
  const auto path = reload_status_path(db);
  const auto tmp = std::filesystem::path(path.string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << status.pid << ' ' << status.generation << ' ' << (status.ok ? "ok" : "failed") << ' ' << status.text << '\n';
    if (!out.flush()) {
      spdlog::warn("cannot write {}: the reload's outcome is only in this log", tmp.string());
      return;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) spdlog::warn("cannot write {}: {}", path.string(), ec.message());
}

std::optional<ReloadStatus> read_reload_status(const std::filesystem::path& db) {
  std::ifstream in(reload_status_path(db));
  ReloadStatus s;
  std::string outcome;
  if (!(in >> s.pid >> s.generation >> outcome)) return std::nullopt;
  s.ok = outcome == "ok";
  std::getline(in >> std::ws, s.text);
  return s;
}

int run_reload(const ReloadOptions& opts) {
  const auto cfg = load_config_or_report(opts.config);
  if (!cfg) return kExitFailed;
  if (!load_rules_or_report(*cfg, cfg->rules.paths, 1, false)) {
    std::fprintf(stderr, "vigie: reload not asked; the running daemon keeps its rules\n");
    return kExitFailed;
  }
  const auto daemon = running_daemon(cfg->storage.path);
  if (const auto* why = std::get_if<std::string>(&daemon)) {
    std::fprintf(stderr, "vigie: %s\n", why->c_str());
    return kExitFailed;
  }
  const long pid = std::get<long>(daemon);
  const auto before = read_reload_status(cfg->storage.path);
  const uint64_t seen = before && before->pid == pid ? before->generation : 0;
  if (::kill(static_cast<pid_t>(pid), SIGHUP) != 0) {
    std::fprintf(stderr, "vigie: cannot signal vigie serve (pid %ld): %s\n", pid, std::strerror(errno));
    return kExitFailed;
  }
  const auto deadline = std::chrono::steady_clock::now() + opts.timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (const auto s = read_reload_status(cfg->storage.path); s && s->pid == pid && s->generation > seen) {
      std::fprintf(s->ok ? stdout : stderr, "%s%s\n", s->ok ? "" : "vigie: reload failed: ", s->text.c_str());
      return s->ok ? kExitOk : kExitFailed;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::fprintf(stderr, "vigie: vigie serve (pid %ld) did not report its reload within %llds; see its log\n", pid,
               static_cast<long long>(opts.timeout.count()));
  return kExitFailed;
}

}  // namespace vigie::app
