#include "app/pipeline.hpp"

#include "intel/inventory.hpp"
#include "intel/observables.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "ingest/decoder.hpp"

namespace vigie::app {
namespace {

int64_t steady_ns(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

Pipeline::Pipeline(std::shared_ptr<const config::Config> cfg, std::shared_ptr<const detect::RuleSet> rules,
                   core::Metrics& metrics, detect::EvictionClock clock, AlertSink sink, Options options)
    : cfg_(std::move(cfg)),
      metrics_(metrics),
      clock_(clock),
      sink_(std::move(sink)),
      options_(options),
      workers_n_(cfg_->worker_threads()),
      input_(options.queue_batches > 0 ? options.queue_batches : cfg_->inputs.queue_batches, cfg_->inputs.queue_bytes,
             workers_n_),
      hits_(workers_n_, std::max<std::size_t>(options.hit_batches, 1)),
      snapshot_(std::make_shared<const Snapshot>(
          Snapshot{cfg_, std::move(rules), std::make_shared<const intel::IocIndex>()})) {
  for (std::size_t i = 0; i < workers_n_; ++i) state_.push_back(std::make_unique<WorkerState>());
}

Pipeline::~Pipeline() { finish(); }

void Pipeline::start() {
  if (started_) return;
  started_ = true;
  for (std::size_t i = 0; i < workers_n_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
  correlator_ = std::thread([this] { correlator_loop(); });
}

void Pipeline::reload(std::shared_ptr<const detect::RuleSet> rules) {
  std::lock_guard lock(swap_mu_);
  const auto cur = snapshot();
  replace(std::make_shared<const Snapshot>(Snapshot{cur->config, std::move(rules), cur->iocs}));
}

void Pipeline::swap_iocs(std::shared_ptr<const intel::IocIndex> iocs) {
  std::lock_guard lock(swap_mu_);
  const auto cur = snapshot();
  replace(std::make_shared<const Snapshot>(Snapshot{cur->config, cur->rules, std::move(iocs)}));
}

void Pipeline::finish() {
  if (!started_ || finished_) return;
  finished_ = true;
  input_.close();
  for (auto& w : workers_) w.join();
  correlator_.join();
}

void Pipeline::worker_loop(std::size_t lane) {
  ingest::Decoders decoders(cfg_, metrics_);
  std::shared_ptr<const detect::RuleSet> current;
  std::unique_ptr<detect::Matcher> matcher;
  auto& parsed = metrics_.counter("vigie_events_parsed_total");
  WorkerState& st = *state_[lane];
  ingest::EventBatch events;
  std::vector<uint32_t> hits;
  const config::RetroHunt& retro = cfg_->detection.ioc.retro_hunt;
  std::unique_ptr<intel::ObservableAggregator> observed;
  if (options_.observables && retro.enabled)
    observed = std::make_unique<intel::ObservableAggregator>(retro.max_entries);
  std::unique_ptr<intel::InventoryAggregator> inventory;
  if (options_.software) inventory = std::make_unique<intel::InventoryAggregator>(*cfg_);
  intel::InventoryStats published;
  auto last_flush = std::chrono::steady_clock::now();
  const auto flush_wait = std::chrono::duration_cast<std::chrono::microseconds>(retro.flush_every);
  // What is aggregated goes to its writer every flush_every, also from an idle worker.
  const auto hand_over = [&] {
    if (observed && (observed->size() > 0 || observed->full_batch_waiting())) options_.observables(observed->take());
    if (inventory) {
      // The counters as they grow, not once at the end.
      const auto& seen = inventory->stats();
      metrics_.counter("vigie_software_sightings_total").fetch_add(seen.observed - published.observed);
      metrics_.counter("vigie_software_dropped_total", {{"reason", "cap"}}).fetch_add(seen.dropped - published.dropped);
      published = seen;
      if (inventory->size() > 0) options_.software(inventory->take());
    }
    last_flush = std::chrono::steady_clock::now();
  };
  for (;;) {
    auto raw = observed || inventory ? input_.pop_lane_for(lane, flush_wait) : input_.pop_lane(lane);
    if (!raw && (observed || inventory) && !input_.closed()) {
      hand_over();
      continue;
    }
    if (!raw) break;
    st.busy_seq.store(raw->seq, std::memory_order_relaxed);
    st.busy_since.store(steady_ns(std::chrono::steady_clock::now()), std::memory_order_relaxed);
    HitBatch out;
    out.seq = raw->seq;
    out.snapshot = snapshot();
    if (out.snapshot->rules != current) {
      current = out.snapshot->rules;
      matcher = std::make_unique<detect::Matcher>(current, metrics_, lane);
    }
    matcher->set_iocs(out.snapshot->iocs.get());  // alive while out holds the snapshot
    events.raw = std::move(*raw);
    const std::size_t records = events.raw.size();
    if (auto* decoder = decoders.for_kind(events.raw.kind)) {
      decoder->decode(events);
      parsed.fetch_add(records, std::memory_order_relaxed);
    } else {
      // A kind with no decoder in this build: counted, never silently ignored.
      metrics_.counter("vigie_events_dropped_total", {{"input", events.raw.input}, {"reason", "no_decoder"}})
          .fetch_add(records, std::memory_order_relaxed);
    }
    for (std::size_t i = 0; i < events.size(); ++i) {
      core::Event& e = events[i];
      out.latest.add(detect::clock_time(e, clock_));
      matcher->process(e, hits);
      if (observed) observed->add(e, e.value(core::Field::site));  // the decoders' fields are set now
      if (inventory) inventory->add(e, e.value(core::Field::site));
      if (hits.empty()) continue;
      const auto first = static_cast<uint32_t>(out.rules.size());
      out.rules.insert(out.rules.end(), hits.begin(), hits.end());
      out.hits.push_back(Hit{std::move(e), first, static_cast<uint32_t>(hits.size())});
    }
    if (out.hits.empty()) {
      events.clear();
    } else {
      auto backing = events.release();
      out.raw = std::move(backing.raw);
      out.arena = std::move(backing.arena);
    }
    if ((observed && observed->full_batch_waiting()) ||
        ((observed || inventory) && std::chrono::steady_clock::now() - last_flush >= retro.flush_every))
      hand_over();
    st.busy_since.store(0, std::memory_order_relaxed);
    hits_.push(lane, std::move(out));
  }
  hand_over();
  hits_.close_lane(lane);
}

void Pipeline::Merge::push(std::size_t lane, HitBatch&& b) {
  std::unique_lock lock(mu_);
  room_.wait(lock, [&] { return lanes_[lane].size() < depth_; });
  // The correlator sleeps until the batch it needs next is at the head of a lane: any other
  // batch would only wake it to find nothing to do (one futex round trip per batch).
  const bool wake = waiting_ && b.seq == wanted_ && lanes_[lane].empty();
  lanes_[lane].push_back(std::move(b));
  if (wake) ready_.notify_one();
}

void Pipeline::Merge::close_lane(std::size_t) {
  std::lock_guard lock(mu_);
  --open_;
  ready_.notify_one();
}

std::optional<Pipeline::HitBatch> Pipeline::Merge::pop(uint64_t seq, std::chrono::milliseconds poll,
                                                       const std::function<void()>& on_wait) {
  std::unique_lock lock(mu_);
  for (;;) {
    std::deque<HitBatch>* lowest = nullptr;
    for (auto& l : lanes_) {
      if (l.empty()) continue;
      if (l.front().seq == seq) {
        lowest = &l;
        break;
      }
      if (lowest == nullptr || l.front().seq < lowest->front().seq) lowest = &l;
    }
    if (lowest != nullptr && (lowest->front().seq == seq || open_ == 0)) {
      HitBatch b = std::move(lowest->front());
      lowest->pop_front();
      room_.notify_all();
      return b;
    }
    if (open_ == 0) return std::nullopt;
    wanted_ = seq;
    waiting_ = true;
    const bool ready = ready_.wait_for(lock, poll, [&] {
      for (auto& l : lanes_)
        if (!l.empty() && l.front().seq == seq) return true;
      return open_ == 0;
    });
    waiting_ = false;
    if (!ready) {
      lock.unlock();
      on_wait();
      lock.lock();
    }
  }
}

std::vector<std::string> Pipeline::stuck_workers(std::chrono::steady_clock::time_point now) const {
  std::vector<std::string> out;
  const int64_t limit =
      steady_ns(now) - std::chrono::duration_cast<std::chrono::nanoseconds>(options_.stuck_after).count();
  for (std::size_t i = 0; i < state_.size(); ++i) {
    const int64_t since = state_[i]->busy_since.load(std::memory_order_relaxed);
    if (since != 0 && since < limit) out.push_back("worker " + std::to_string(i));
  }
  const int64_t since = correlator_busy_since_.load(std::memory_order_relaxed);
  if (since != 0 && since < limit) out.push_back("correlator");
  return out;
}

void Pipeline::check_stuck() {
  const auto now = std::chrono::steady_clock::now();
  const int64_t limit =
      steady_ns(now) - std::chrono::duration_cast<std::chrono::nanoseconds>(options_.stuck_after).count();
  for (std::size_t i = 0; i < state_.size(); ++i) {
    WorkerState& st = *state_[i];
    const int64_t since = st.busy_since.load(std::memory_order_relaxed);
    const uint64_t seq = st.busy_seq.load(std::memory_order_relaxed);
    if (since == 0 || since >= limit || st.reported_seq.exchange(seq) == seq) continue;
    metrics_.counter("vigie_worker_stuck_total", {{"worker", std::to_string(i)}})++;
    spdlog::error("worker {} has been on batch {} for {} s; the correlator waits for it", i, seq,
                  (steady_ns(now) - since) / 1'000'000'000);
  }
}

void Pipeline::correlator_loop() {
  std::shared_ptr<const detect::RuleSet> current;
  std::unique_ptr<detect::Correlator> correlator;
  detect::Watermark watermark(cfg_->detection.lateness, clock_);
  std::vector<core::Alert> alerts;
  uint64_t expected = 0;
  const auto on_wait = [this] { check_stuck(); };
  while (auto b = hits_.pop(expected, std::chrono::milliseconds(1000), on_wait)) {
    correlator_busy_since_.store(steady_ns(std::chrono::steady_clock::now()), std::memory_order_relaxed);
    expected = b->seq + 1;
    if (b->snapshot->rules != current) {
      // A new rule set (not a new IOC index alone): the new correlator takes over the state of
      // the rules it still has, and a restart's open alerts on the first batch.
      current = b->snapshot->rules;
      auto fresh = std::make_unique<detect::Correlator>(current, metrics_, clock_);
      if (correlator) fresh->adopt(std::move(*correlator));
      for (const auto& r : restored_) fresh->restore(r.alert, r.updated);
      restored_.clear();
      correlator = std::move(fresh);
      generations_.fetch_add(1, std::memory_order_relaxed);
    }
    // Repeats of one alert within the batch fold into one update (Correlator::begin_batch).
    correlator->begin_batch();
    for (const Hit& h : b->hits)
      for (uint32_t k = h.first; k < h.first + h.count; ++k) correlator->on_hit(b->rules[k], h.event, alerts);
    correlator->end_batch(alerts);
    watermark.merge(b->latest);
    if (const auto w = watermark.due()) correlator->advance(*w, alerts);
    for (auto& a : alerts) sink_(std::move(a));
    alerts.clear();
    correlated_.store(expected, std::memory_order_release);
    correlator_busy_since_.store(0, std::memory_order_relaxed);
  }
  if (correlator) correlator->advance(core::TimePoint::max(), alerts);
  for (auto& a : alerts) sink_(std::move(a));
}

}  // namespace vigie::app
