// `vigie replay`: runs log files through the same pipeline as serve (parse → decode → match →
// correlate) and prints the alerts; --deliver also stores and delivers them.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/feeds_service.hpp"
#include "app/pipeline.hpp"
#include "core/clock.hpp"
#include "ingest/file_input.hpp"
#include "notify/dispatcher.hpp"
#include "notify/notifier.hpp"
#include "store/store.hpp"

namespace vigie::app {
namespace {

// Q1 depth for files. The reader blocks when the queue is full and the file is always there to
// read on, so a deep queue (sized for network bursts) would only hold memory: 32 batches keep
// the workers fed (measured: the same lines/s as 1,024 batches, 40 MB instead of 200 MB of peak
// RSS on the 1M-line benchmark log).
constexpr std::size_t kReplayQueueBatches = 32;

std::string text_line(const core::Alert& a) {
  std::string s = "[";
  s.append(core::level_name(a.rule.level)).append("] ").append(a.rule.id);
  if (!a.site.empty()) s.append(" site=").append(a.site);
  for (const auto& [k, v] : a.key) s.append(" ").append(k).append("=").append(v);
  s.append(" count=").append(std::to_string(a.count));
  s.append(" first=").append(core::format_rfc3339(a.first_seen));
  s.append(" last=").append(core::format_rfc3339(a.last_seen));
  s.append(" — ").append(a.summary);
  return s;
}

}  // namespace

int run_replay(const ReplayOptions& opts) {
  auto loaded = load_config_or_report(opts.config);
  if (!loaded) return kExitFailed;
  auto tuned = std::make_shared<config::Config>(*loaded);
  tuned->inputs.queue_batches = std::min(tuned->inputs.queue_batches, kReplayQueueBatches);
  std::shared_ptr<const config::Config> cfg = std::move(tuned);
  auto rules = load_rules_or_report(*cfg, cfg->rules.paths, cfg->worker_threads());
  if (!rules) return kExitFailed;

  core::Metrics metrics;
  core::SystemClock clock;
  // Each alert once, in its final state: an update replaces the record it updates, so memory
  // holds one record per alert, not one per update (a long brute force makes thousands).
  // Written on the correlator thread, read after finish().
  std::vector<core::Alert> alerts;  // in order of first appearance
  std::unordered_map<std::string, std::size_t> index;
  std::size_t records = 0;
  Pipeline pipeline(cfg, rules, metrics, detect::EvictionClock::event_time, [&](core::Alert&& a) {
    ++records;
    auto [it, inserted] = index.try_emplace(a.id, alerts.size());
    if (inserted)
      alerts.push_back(std::move(a));
    else
      alerts[it->second] = std::move(a);
  });
  // The configured feeds and the spool's, read once: replayed events meet the indicators that
  // are in force now (expiry judged on the wall clock). Feed states are serve's to record.
  FeedsService feeds(
      cfg, metrics, clock, [&](std::shared_ptr<const intel::IocIndex> i) { pipeline.swap_iocs(std::move(i)); },
      nullptr);
  feeds.pass(true);
  pipeline.start();

  const bool progress = isatty(STDERR_FILENO) != 0;
  std::size_t total = 0;
  int rc = kExitOk;
  const auto t0 = std::chrono::steady_clock::now();
  auto last_report = std::chrono::steady_clock::now();
  for (const auto& f : opts.files) {
    ingest::FileInput in;
    in.input = "file:" + f.string();
    in.max_message_size = cfg->inputs.max_message_size;
    in.lanes = pipeline.input().lanes();
    in.received = clock.now();
    if (progress)
      in.progress = [&](std::size_t n) {
        if (std::chrono::steady_clock::now() - last_report < std::chrono::seconds(1)) return;
        last_report = std::chrono::steady_clock::now();
        std::fprintf(stderr, "\r%s: %zu lines", f.c_str(), total + n);
      };
    // The reader blocks while the queue is full: the file is always there to read on.
    const auto read = ingest::read_file(
        f, in, [&](ingest::RawBatch&& b) { return pipeline.input().push(std::move(b)); }, metrics);
    total += read.records;
    if (read.error) {
      std::fprintf(stderr, "%s\n", read.error->to_string().c_str());
      rc = kExitFailed;
    }
  }
  pipeline.finish();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (progress) std::fprintf(stderr, "\r");
  spdlog::info("replayed {} lines in {:.3f}s ({:.0f} lines/s), {} alert(s) from {} record(s)", total, secs,
               secs > 0 ? static_cast<double>(total) / secs : 0.0, alerts.size(), records);
  if (const uint64_t flows = metrics.total("vigie_pcap_flows_total"); flows > 0)
    spdlog::info(
        "captures: {} flow(s), {} evicted at max_flows; streams cut: {} gap(s), {} over 16 KiB, {} over "
        "the buffer budget; {} weird frame(s), {} not IP, {} dissector error(s)",
        flows, metrics.total("vigie_pcap_flows_evicted_total"), metrics.total("vigie_pcap_stream_gaps_total"),
        metrics.total("vigie_pcap_stream_overflow_total"), metrics.total("vigie_pcap_stream_budget_total"),
        metrics.total("vigie_pcap_weird_total"), metrics.total("vigie_pcap_not_ip_total"),
        metrics.total("vigie_pcap_dissect_errors_total"));
  if (const uint64_t evicted = metrics.total("vigie_correlation_evicted_total"); evicted > 0)
    spdlog::warn("correlation: {} key(s) evicted at the detection caps (max_keys_per_rule = {}, max_keys = {})",
                 evicted, cfg->detection.max_keys_per_rule, cfg->detection.max_keys);

  for (const auto& a : alerts) {
    const auto line = opts.format == "json" ? core::to_json(a) : text_line(a);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }
  std::fflush(stdout);

  if (opts.deliver) {
    auto store = store::Store::open(cfg->storage.path);
    if (!store) {
      std::fprintf(stderr, "%s\n", store.error().to_string().c_str());
      return kExitFailed;
    }
    notify::Dispatcher dispatcher(cfg, **store, metrics, clock);
    for (const auto& a : alerts) {
      if (auto r = dispatcher.on_alert(a); !r) {
        std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
        rc = kExitFailed;
      }
    }
    auto own = store::Store::open(cfg->storage.path);
    if (!own) {
      std::fprintf(stderr, "%s\n", own.error().to_string().c_str());
      return kExitFailed;
    }
    notify::Notifier notifier(cfg, std::move(*own), notify::make_sink(*cfg), metrics, clock);
    const auto sent = notifier.deliver_due();
    spdlog::info("delivered {} message(s); {} still pending", sent, (*store)->pending_count().value_or(0));
  }
  return rc;
}

}  // namespace vigie::app
