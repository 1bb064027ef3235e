// `vigie feeds list|refresh|import` (DESIGN.md §9). The running `serve` of the configuration's
// database reads feeds itself: refresh and import tell it (SIGUSR1, the feed's name in
// <db>.feeds-refresh) and wait until feed_state shows its new read. Without a daemon, refresh
// reads the feeds here and records their states; import only drops the file in the spool,
// where the next `serve` (or `replay`) finds it.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>

#include "app/commands.hpp"
#include "app/feeds_service.hpp"
#include "config/syntax.hpp"
#include "core/time.hpp"
#include "intel/formats.hpp"
#include "store/db_lock.hpp"
#include "store/feed_state.hpp"
#include "store/store.hpp"

namespace vigie::app {
namespace {

namespace fs = std::filesystem;

std::string when(core::TimePoint t) {
  if (t == core::TimePoint{}) return "never";
  return core::format_rfc3339(std::chrono::time_point_cast<std::chrono::seconds>(t));
}

std::map<std::string, store::FeedState> stored_states(store::Db& db) {
  std::map<std::string, store::FeedState> out;
  if (auto rows = store::load_feed_states(db))
    for (auto& r : *rows) out.emplace(r.name, std::move(r));
  return out;
}

// What the store knows of each feed; nothing when there is no database yet.
std::map<std::string, store::FeedState> stored_states(const fs::path& db) {
  std::error_code ec;
  if (!fs::exists(db, ec)) return {};
  auto st = store::Store::open(db);
  if (!st) return {};
  return stored_states((*st)->db());
}

void print_states(const std::vector<store::FeedState>& rows) {
  std::printf("%-24s %-10s %10s  %-20s  %s\n", "FEED", "FORMAT", "INDICATORS", "LAST READ (UTC)", "STATUS");
  for (const auto& r : rows) {
    const std::string status =
        r.last_error.empty() ? (r.last_success == core::TimePoint{} ? "not read yet" : "ok") : "error: " + r.last_error;
    std::printf("%-24s %-10s %10lld  %-20s  %s\n", r.name.c_str(), r.format.c_str(),
                static_cast<long long>(r.indicators), when(r.last_success).c_str(), status.c_str());
    std::printf("  %s%s; last records: %lld read, %lld unsupported, %lld invalid, %lld withdrawn\n",
                r.spool ? "spool " : "", r.source.c_str(), static_cast<long long>(r.records),
                static_cast<long long>(r.unsupported), static_cast<long long>(r.invalid),
                static_cast<long long>(r.withdrawn));
  }
}

// The feeds the configuration and the spool name, with what the store knows of each.
std::vector<store::FeedState> known_feeds(const config::Config& cfg) {
  auto stored = stored_states(cfg.storage.path);
  std::vector<store::FeedState> out;
  const auto add = [&](const std::string& name, const std::string& format, const fs::path& path, bool spool) {
    store::FeedState f;
    if (auto it = stored.find(name); it != stored.end()) f = it->second;
    f.name = name;
    f.format = format;
    f.source = path.string();
    f.spool = spool;
    out.push_back(std::move(f));
  };
  for (const auto& f : cfg.feeds)
    if (f.enabled) add(f.name, f.format, f.path, false);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(cfg.feed_spool(), ec))
    if (const auto p = intel::spool_entry(entry.path()))
      if (std::none_of(out.begin(), out.end(), [&](const auto& f) { return f.name == p->first; }))
        add(p->first, p->second, entry.path(), true);
  return out;
}

// Asks the running daemon to read `name` ("" = all) and waits for the read in feed_state.
// nullopt: no daemon runs; otherwise the exit status.
std::optional<int> ask_daemon(const config::Config& cfg, const std::string& name, std::chrono::seconds timeout) {
  const auto& db = cfg.storage.path;
  const auto holder = store::lock_holder(db);
  if (!holder || *holder == 0) return std::nullopt;
  auto store = store::Store::open(db);  // one connection for the whole wait
  if (!store) {
    std::fprintf(stderr, "vigie: %s\n", store.error().to_string().c_str());
    return kExitFailed;
  }
  const auto before = stored_states((*store)->db());
  {
    std::ofstream out(feeds_request_path(db), std::ios::trunc);
    out << name << "\n";
  }
  if (::kill(static_cast<pid_t>(*holder), SIGUSR1) != 0) {
    std::fprintf(stderr, "vigie: cannot signal vigie serve (pid %ld): %s\n", *holder, std::strerror(errno));
    return kExitFailed;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto now = stored_states((*store)->db());
    std::vector<store::FeedState> read;
    for (const auto& [n, st] : now) {
      if (!name.empty() && n != name) continue;
      const auto was = before.find(n);
      if (was == before.end() || st.last_attempt > was->second.last_attempt) read.push_back(st);
    }
    const bool done = name.empty() ? !read.empty() : read.size() == 1;
    if (done) {
      std::printf("vigie serve (pid %ld) read:\n", *holder);
      print_states(read);
      const bool failed = std::any_of(read.begin(), read.end(), [](const auto& s) { return !s.last_error.empty(); });
      return failed ? kExitFailed : kExitOk;
    }
  }
  std::fprintf(stderr, "vigie: vigie serve (pid %ld) did not report reading %s within %llds; see its log\n", *holder,
               name.empty() ? "the feeds" : ("feed " + name).c_str(), static_cast<long long>(timeout.count()));
  return kExitFailed;
}

// Nothing to list or read: says so (not an error).
bool said_no_feed(const config::Config& cfg, const std::vector<store::FeedState>& rows) {
  if (!rows.empty()) return false;
  std::printf("no feed: none configured (feeds:) and none imported in %s\n", cfg.feed_spool().c_str());
  return true;
}

}  // namespace

int run_feeds_list(const FeedsOptions& opts) {
  const auto cfg = load_config_or_report(opts.config);
  if (!cfg) return kExitFailed;
  const auto rows = known_feeds(*cfg);
  if (said_no_feed(*cfg, rows)) return kExitOk;
  print_states(rows);
  return kExitOk;
}

int run_feeds_refresh(const FeedsOptions& opts) {
  const auto cfg = load_config_or_report(opts.config);
  if (!cfg) return kExitFailed;
  const auto rows = known_feeds(*cfg);
  if (said_no_feed(*cfg, rows)) return kExitOk;
  if (!opts.name.empty() &&
      std::none_of(rows.begin(), rows.end(), [&](const auto& f) { return f.name == opts.name; })) {
    std::fprintf(stderr, "vigie: no feed named '%s' (configured or imported)\n", opts.name.c_str());
    return kExitFailed;
  }
  if (auto rc = ask_daemon(*cfg, opts.name, opts.timeout)) return *rc;
  // No daemon: read here, record in the store.
  auto st = store::Store::open(cfg->storage.path);
  if (!st) {
    std::fprintf(stderr, "vigie: %s\n", st.error().to_string().c_str());
    return kExitFailed;
  }
  core::Metrics metrics;
  core::SystemClock clock;
  FeedsService feeds(
      cfg, metrics, clock, [](std::shared_ptr<const intel::IocIndex>) {}, &(*st)->db());
  feeds.pass(true, opts.name);
  auto after = store::load_feed_states((*st)->db());
  if (!after) {
    std::fprintf(stderr, "vigie: %s\n", after.error().to_string().c_str());
    return kExitFailed;
  }
  std::vector<store::FeedState> shown;
  for (auto& f : *after)
    if (opts.name.empty() || f.name == opts.name) shown.push_back(std::move(f));
  print_states(shown);
  return std::any_of(shown.begin(), shown.end(), [](const auto& f) { return !f.last_error.empty(); }) ? kExitFailed
                                                                                                      : kExitOk;
}

int run_feeds_import(const FeedsOptions& opts) {
  const auto cfg = load_config_or_report(opts.config);
  if (!cfg) return kExitFailed;
  const auto formats = intel::feed_formats();
  if (std::find(formats.begin(), formats.end(), opts.format) == formats.end()) {
    std::string names;
    for (const auto f : formats) names += (names.empty() ? "" : ", ") + std::string(f);
    std::fprintf(stderr, "vigie: unknown format '%s' (one of %s)\n", opts.format.c_str(), names.c_str());
    return kExitUsage;
  }
  std::string name = opts.name.empty() ? opts.path.stem().string() : opts.name;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : (std::isalnum(c) ? c : '-'));
  });
  if (!config::is_feed_name(name)) {
    std::fprintf(stderr, "vigie: '%s' is not a valid feed name (lower-case letters, digits and '-'); give --name\n",
                 name.c_str());
    return kExitUsage;
  }
  if (std::any_of(cfg->feeds.begin(), cfg->feeds.end(), [&](const auto& f) { return f.name == name; })) {
    std::fprintf(stderr, "vigie: feed '%s' is configured (feeds:); an import needs another name (--name)\n",
                 name.c_str());
    return kExitFailed;
  }
  // Read first: what is refused here never reaches the spool.
  intel::ParseReport report;
  const auto got = intel::read_feed_path(opts.path, opts.format, intel::spool_options(name), report);
  if (!got) {
    std::fprintf(stderr, "vigie: %s: %s\n", opts.path.c_str(), got.error().c_str());
    return kExitFailed;
  }
  for (const auto& e : report.errors) std::fprintf(stderr, "%s: %s\n", opts.path.c_str(), e.c_str());
  std::printf("%s: %zu indicator(s) from %zu record(s) (%zu unsupported, %zu invalid, %zu withdrawn)\n",
              opts.path.c_str(), got->size(), report.records, report.unsupported, report.invalid, report.withdrawn);
  if (got->empty()) {
    std::fprintf(stderr, "vigie: no indicator in %s; nothing imported\n", opts.path.c_str());
    return kExitFailed;
  }
  const fs::path spool = cfg->feed_spool();
  const fs::path target = spool / (name + "." + opts.format);
  const fs::path tmp = spool / ("." + name + "." + opts.format + ".tmp");
  std::error_code ec;
  fs::create_directories(spool, ec);
  fs::remove_all(tmp, ec);
  fs::copy(opts.path, tmp, fs::copy_options::recursive, ec);
  if (!ec) {
    if (fs::is_directory(target)) fs::remove_all(target, ec);
    if (!ec) fs::rename(tmp, target, ec);  // the daemon sees the old file or the new one, whole
  }
  if (ec) {
    fs::remove_all(tmp, ec);
    std::fprintf(stderr, "vigie: cannot write %s: %s\n", target.c_str(), ec.message().c_str());
    return kExitFailed;
  }
  std::printf("imported as feed '%s': %s\n", name.c_str(), target.c_str());
  if (auto rc = ask_daemon(*cfg, name, opts.timeout)) return *rc;
  std::printf("no vigie serve runs on %s: the feed is read when it starts (and by vigie replay)\n",
              cfg->storage.path.c_str());
  return kExitOk;
}

}  // namespace vigie::app
