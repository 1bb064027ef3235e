// `vigie reload`: the rules of the configured paths checked here first, then the running
// `serve` of the configuration's database told to reload (SIGHUP), and its outcome waited for.
// Rules that do not compile are reported with file:line and the daemon is not disturbed.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

#include "app/commands.hpp"
#include "app/reload_status.hpp"
#include "store/db_lock.hpp"

namespace vigie::app {

int run_reload(const ReloadOptions& opts) {
  const auto cfg = load_config_or_report(opts.config);
  if (!cfg) return kExitFailed;
  if (!load_rules_or_report(*cfg, cfg->rules.paths, 1, false)) {
    std::fprintf(stderr, "vigie: reload not asked; the running daemon keeps its rules\n");
    return kExitFailed;
  }
  const auto& db = cfg->storage.path;
  const auto holder = store::lock_holder(db);
  if (!holder || *holder == 0) {
    std::fprintf(
        stderr, "vigie: %s\n",
        (holder ? "the vigie serve holding " + store::lock_path(db).string() + " did not write its PID there"
                : "no vigie serve runs on " + db.string() + " (" + store::lock_path(db).string() + " is not locked)")
            .c_str());
    return kExitFailed;
  }
  const long pid = *holder;
  const auto before = read_reload_status(db);
  const uint64_t seen = before && before->pid == pid ? before->generation : 0;
  if (::kill(static_cast<pid_t>(pid), SIGHUP) != 0) {
    std::fprintf(stderr, "vigie: cannot signal vigie serve (pid %ld): %s\n", pid, std::strerror(errno));
    return kExitFailed;
  }
  const auto deadline = std::chrono::steady_clock::now() + opts.timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (const auto s = read_reload_status(db); s && s->pid == pid && s->generation > seen) {
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
