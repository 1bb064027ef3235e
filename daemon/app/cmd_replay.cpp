// `vigie replay`: runs log files through the same pipeline as serve (parse → decode → match →
// correlate) and prints the alerts; --deliver also stores and delivers them.
#include <fcntl.h>
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
#include "ingest/line_reader.hpp"
#include "ingest/pcap/capture.hpp"
#include "notify/dispatcher.hpp"
#include "notify/notifier.hpp"
#include "store/store.hpp"

namespace vigie::app {
namespace {

constexpr std::size_t kBatchLines = 512;
// Q1 depth for files. The reader blocks when the queue is full and the file is always there to
// read on, so a deep queue (sized for network bursts) would only hold memory: 32 batches keep
// the workers fed (measured: the same lines/s as 1,024 batches, 40 MB instead of 200 MB of peak
// RSS on the 1M-line benchmark log).
constexpr std::size_t kReplayQueueBatches = 32;

// The first bytes of a file are a pcap or pcapng magic number.
bool looks_like_pcap(std::string_view head) {
  if (head.size() < 4) return false;
  const auto b = [&](std::size_t i) { return uint32_t{static_cast<unsigned char>(head[i])}; };
  const uint32_t magic = (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
  return magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 || magic == 0xa1b23c4d || magic == 0x4d3cb2a1 ||
         magic == 0x0a0d0d0a;
}

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

// Feeds one file into the pipeline; returns the number of lines or an error.
// Lines longer than `max_size` are cut and counted, as the network inputs do. The file is read
// in 1 MiB blocks that the batches' messages view (ingest/line_reader.hpp): no string, copy or
// free per line.
core::Result<std::size_t> feed_file(const std::filesystem::path& file, ingest::RawQueue& queue,
                                    const core::Clock& clock, std::size_t max_size, core::Metrics& metrics,
                                    std::size_t& total, bool progress) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return core::fail(file.string(), "cannot open: " + std::string(std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  const std::string input = "file:" + file.string();
  ingest::BatchPacker packer(input, kBatchLines, clock.now());
  std::size_t n = 0;
  std::size_t truncated = 0;
  auto last_report = std::chrono::steady_clock::now();
  bool pcap = false;
  ingest::FileLines lines(fd, max_size);
  auto r = lines.run(
      [&](std::string_view head) {
        pcap = looks_like_pcap(head);
        return !pcap;
      },
      [&](std::string_view line, bool cut, const ingest::SharedBlock* owner) {
        if (cut) ++truncated;
        if (packer.add(line, cut, owner)) queue.push(packer.take());
        ++n;
        if (progress && (n & 0xffff) == 0 && std::chrono::steady_clock::now() - last_report > std::chrono::seconds(1)) {
          last_report = std::chrono::steady_clock::now();
          std::fprintf(stderr, "\r%s: %zu lines", file.c_str(), total + n);
        }
      });
  if (pcap) {
    // A capture: frames through the same queue, as packets batches routed by flow.
    auto read = ingest::pcap::read_capture_file(file, input, queue.lanes(),
                                                [&](ingest::RawBatch&& b) { queue.push(std::move(b)); });
    if (!read) return tl::unexpected(read.error());
    spdlog::info("{}: {} frame(s) of link type {}, {} bytes captured", file.string(), read->packets, read->linktype,
                 read->bytes);
    total += read->packets;
    return read->packets;
  }
  if (truncated > 0) {
    metrics.counter("vigie_syslog_truncated_total", {{"input", input}}).fetch_add(truncated);
    spdlog::warn("{}: {} line(s) longer than inputs.max_message_size, truncated to {} bytes", file.string(), truncated,
                 max_size);
  }
  // What was read before an error is still replayed (and counted in the total).
  if (!packer.empty()) queue.push(packer.take());
  total += n;
  if (!r) return core::fail(file.string(), r.error().what);
  return n;
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
  for (const auto& f : opts.files) {
    auto r = feed_file(f, pipeline.input(), clock, cfg->inputs.max_message_size, metrics, total, progress);
    if (!r) {
      std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
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
