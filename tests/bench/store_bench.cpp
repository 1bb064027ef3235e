// Store figure (issue 5, "alerts + updates committed per second during a storm"): pushes the
// same storm of alerts and updates through the real store path — store::BatchWriter, the
// notify::Dispatcher (route, render, record with outbox rows) and SQLite (WAL,
// synchronous=FULL) on a fresh database on disk — twice in the same run:
//   batched:   what the store thread takes from its queue, up to max_batch at a time, folded
//              by alert id and committed in one transaction per batch;
//   per-alert: one transaction per alert or update (max_batch = 1), the former behaviour.
// Prints one key=value line per figure and mode. A measurement, not a test (not in ctest).
//
// usage: bench_store DIR [SOURCES [UPDATES [MAX_BATCH]]]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "notify/dispatcher.hpp"
#include "store/journal.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

using namespace vigie;
namespace fs = std::filesystem;

namespace {

std::shared_ptr<config::Config> bench_config(const fs::path& db) {
  auto c = std::make_shared<config::Config>();
  c->storage.path = db;
  c->notify.hostname = "vigie.bench";
  c->sites.push_back({"ch-quimper", "CH de Cornouaille", {}, "Europe/Paris", {"rssi@ch-quimper.example"}, ""});
  c->notify.receivers.push_back({"regional-list", {"alertes-ssi@listes.example"}, false});
  c->notify.receivers.push_back({"site-contacts", {}, true});
  config::Route high;
  high.match["level"] = {"high", "critical"};
  high.receivers = {"regional-list", "site-contacts"};
  c->notify.routes = {high};
  return c;
}

// Round r of the storm: every source's alert at its (10 + r)th failure, as the correlator
// emits them while the attacks go on side by side.
core::Alert storm_alert(int source, uint64_t round) {
  core::Alert a;
  a.rule = {"ssh-bruteforce", "SSH brute force", core::Level::high, {"attack.t1110"}, "", "AMBER"};
  a.site = "ch-quimper";
  a.key = {{"observer.site", "ch-quimper"},
           {"source.ip", "198.51." + std::to_string(source / 250) + "." + std::to_string(source % 250)}};
  a.first_seen = core::TimePoint{std::chrono::seconds(1'700'000'000)};
  a.count = 10 + round;
  a.last_seen = a.first_seen + std::chrono::seconds(a.count);
  a.summary = std::to_string(a.count) + " failed logins";
  for (uint64_t i = 0; i < std::min<uint64_t>(a.count, core::kMaxEvidence); ++i)
    a.evidence.push_back("Failed password for root from " + a.key[1].second + " port " + std::to_string(40000 + i) +
                         " ssh2");
  a.id = core::make_alert_id(a.rule.id, a.key, a.first_seen);
  a.update = round > 0;
  return a;
}

int run(const char* mode, const fs::path& dir, int sources, int updates, std::size_t max_batch) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto db = dir / "vigie.db";
  auto cfg = bench_config(db);
  auto store = store::Store::open(db);
  auto journal = store::Journal::open(store::journal_path(db));
  if (!store || !journal) {
    std::fprintf(stderr, "bench_store: cannot open %s\n", db.c_str());
    return 1;
  }
  core::Metrics metrics;
  core::SystemClock clock;
  notify::Dispatcher dispatcher(cfg, **store, metrics, clock);
  store::BatchWriter writer(**store, std::move(*journal), [&](const core::Alert& a) { return dispatcher.on_alert(a); },
                            metrics, {.max_batch = max_batch});
  writer.on_batch_end([&] { dispatcher.batch_committed(); }, [&] { dispatcher.batch_rolled_back(); });

  std::vector<core::Alert> storm;
  for (int r = 0; r <= updates; ++r)
    for (int s = 0; s < sources; ++s) storm.push_back(storm_alert(s, static_cast<uint64_t>(r)));

  const auto t0 = std::chrono::steady_clock::now();
  // As the store thread does: take up to max_batch of what is queued, then flush.
  for (std::size_t i = 0; i < storm.size();) {
    for (std::size_t n = 0; n < max_batch && i < storm.size(); ++n) writer.add(std::move(storm[i++]));
    writer.flush(std::chrono::steady_clock::now());
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto records = storm.size();
  if (writer.has_kept()) {
    std::fprintf(stderr, "bench_store: %s: alerts left unstored\n", mode);
    return 1;
  }
  std::printf("%s_records=%zu\n", mode, records);
  std::printf("%s_alerts_written=%llu\n", mode,
              static_cast<unsigned long long>(metrics.value("vigie_store_alerts_written_total")));
  std::printf("%s_commits=%llu\n", mode, static_cast<unsigned long long>(metrics.value("vigie_store_commits_total")));
  std::printf("%s_seconds=%.3f\n", mode, secs);
  std::printf("%s_records_per_s=%.0f\n", mode, secs > 0 ? static_cast<double>(records) / secs : 0.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_store DIR [SOURCES [UPDATES [MAX_BATCH]]]\n");
    return 2;
  }
  const fs::path dir = argv[1];
  const int sources = argc > 2 ? std::atoi(argv[2]) : 200;
  const int updates = argc > 3 ? std::atoi(argv[3]) : 20;
  const auto max_batch = static_cast<std::size_t>(argc > 4 ? std::atoi(argv[4]) : 512);
  if (sources <= 0 || updates < 0 || max_batch == 0) {
    std::fprintf(stderr, "bench_store: SOURCES > 0, UPDATES >= 0, MAX_BATCH > 0\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  std::printf("sources=%d\nupdates=%d\nmax_batch=%zu\n", sources, updates, max_batch);
  if (int rc = run("batched", dir / "batched", sources, updates, max_batch); rc != 0) return rc;
  if (int rc = run("per_alert", dir / "per-alert", sources, updates, 1); rc != 0) return rc;
  fs::remove_all(dir);
  return 0;
}
