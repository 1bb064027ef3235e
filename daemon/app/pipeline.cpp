#include "app/pipeline.hpp"

#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>

#include "ingest/syslog/parser.hpp"

namespace vigie::app {

Pipeline::Pipeline(std::shared_ptr<const config::Config> cfg, std::shared_ptr<const detect::RuleSet> rules,
                   core::Metrics& metrics, detect::EvictionClock clock, AlertSink sink)
    : cfg_(std::move(cfg)),
      metrics_(metrics),
      clock_(clock),
      sink_(std::move(sink)),
      input_(cfg_->inputs.queue_batches),
      hits_(cfg_->inputs.queue_batches),
      rules_(std::move(rules)) {}

Pipeline::~Pipeline() { finish(); }

void Pipeline::start() {
  if (started_) return;
  started_ = true;
  int n = cfg_->workers > 0 ? cfg_->workers : static_cast<int>(std::thread::hardware_concurrency());
  n = std::clamp(n, 1, 64);
  for (int i = 0; i < n; ++i) workers_.emplace_back([this] { worker_loop(); });
  correlator_ = std::thread([this] { correlator_loop(); });
}

void Pipeline::reload(std::shared_ptr<const detect::RuleSet> rules) { std::atomic_store(&rules_, std::move(rules)); }

void Pipeline::finish() {
  if (!started_ || finished_) return;
  finished_ = true;
  input_.close();
  for (auto& w : workers_) w.join();
  hits_.close();
  correlator_.join();
}

void Pipeline::worker_loop() {
  ingest::syslog::SyslogParser parser(cfg_, metrics_);
  std::shared_ptr<const detect::RuleSet> current;
  std::unique_ptr<detect::Matcher> matcher;
  auto& parsed = metrics_.counter("vigie_events_parsed_total");
  std::vector<uint32_t> hits;
  for (;;) {
    std::optional<ingest::RawBatch> batch;
    HitBatch out;
    {
      std::lock_guard lock(take_mu_);
      batch = input_.pop();
      if (!batch) return;
      out.seq = next_seq_++;
    }
    out.rules = rules();
    if (out.rules != current) {
      current = out.rules;
      matcher = std::make_unique<detect::Matcher>(current, metrics_);
    }
    for (auto& raw : batch->messages) {
      core::Event e = parser.parse(std::move(raw), batch->input);
      out.latest.add(detect::clock_time(e, clock_));
      matcher->process(e, hits);
      if (!hits.empty()) out.hits.emplace_back(hits, std::move(e));
    }
    parsed.fetch_add(batch->size(), std::memory_order_relaxed);
    // Every raw batch yields a hit batch, even an empty one: the correlator waits for each
    // sequence number in turn.
    hits_.push(std::move(out));
  }
}

void Pipeline::correlator_loop() {
  std::shared_ptr<const detect::RuleSet> current;
  std::unique_ptr<detect::Correlator> correlator;
  std::map<uint64_t, HitBatch> pending;  // out-of-order batches waiting for their turn
  uint64_t expected = 0;
  detect::Watermark watermark(cfg_->detection.lateness, clock_);
  std::vector<core::Alert> alerts;

  auto flush_alerts = [&] {
    for (auto& a : alerts) sink_(std::move(a));
    alerts.clear();
  };
  auto process = [&](HitBatch& b) {
    if (b.rules != current) {
      current = b.rules;
      auto fresh = std::make_unique<detect::Correlator>(current, metrics_, clock_);
      if (correlator) fresh->adopt(std::move(*correlator));                // a reload keeps attacks in progress
      for (const auto& r : restored_) fresh->restore(r.alert, r.updated);  // a restart too
      restored_.clear();
      correlator = std::move(fresh);
    }
    for (auto& [rules, event] : b.hits)
      for (uint32_t r : rules) correlator->on_hit(r, event, alerts);
    watermark.merge(b.latest);
    if (const auto w = watermark.due()) correlator->advance(*w, alerts);
    flush_alerts();
  };

  while (auto b = hits_.pop()) {
    if (b->seq != expected) {
      pending.emplace(b->seq, std::move(*b));
      continue;
    }
    process(*b);
    ++expected;
    for (auto it = pending.find(expected); it != pending.end(); it = pending.find(expected)) {
      process(it->second);
      pending.erase(it);
      ++expected;
    }
  }
  for (auto& [seq, b] : pending) process(b);  // only after an abnormal stop; keep what we have
  if (correlator) correlator->advance(core::TimePoint::max(), alerts);
  flush_alerts();
}

}  // namespace vigie::app
