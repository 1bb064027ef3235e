#include "notify/notifier.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "notify/dispatcher.hpp"

namespace vigie::notify {
namespace {
constexpr std::size_t kBatch = 100;  // per store query; a pass loops until nothing is due
}

Notifier::Notifier(std::shared_ptr<const config::Config> cfg, std::unique_ptr<store::Store> own_store,
                   std::unique_ptr<Sink> sink, core::Metrics& m, const core::Clock& clock)
    : cfg_(std::move(cfg)),
      store_(std::move(own_store)),
      sink_(std::move(sink)),
      metrics_(m),
      groups_(cfg_, mail_templates(*cfg_), m),
      clock_(clock),
      rng_(std::random_device{}()) {}

core::Duration Notifier::backoff(int attempts) {
  const auto lo = std::max(cfg_->notify.retry_initial, core::Duration{1});
  const auto hi_cap = std::max(cfg_->notify.retry_max, lo);
  auto hi = lo;
  for (int i = 1; i < attempts && hi < hi_cap; ++i) hi *= 2;
  hi = std::min(hi, hi_cap);
  std::uniform_int_distribution<core::Duration::rep> dist(lo.count(), hi.count());
  return core::Duration{dist(rng_)};
}

std::size_t Notifier::deliver_due(const std::stop_token& stop) {
  std::size_t sent = 0;
  const core::TimePoint start = clock_.now();
  groups_.flush_due(store_->db(), start);
  // Items retried in this pass get a later next_attempt, so the loop ends; the bound on
  // passes is a guard against a store that would not record that.
  bool stalled = false;
  for (int round = 0; round < 1000 && !stalled; ++round) {
    auto due = store_->due(start, kBatch);
    if (!due) {
      spdlog::error("outbox: {}", due.error().to_string());
      break;
    }
    for (const auto& item : *due) {
      if (stop.stop_requested()) return sent;
      if (heartbeat_) heartbeat_->beat();  // each delivery is progress, however slow the relay
      auto r = sink_->send(item, stop);
      if (!r && stop.stop_requested()) {
        spdlog::info("alert {}: delivery {} to {} left pending at shutdown: {}", item.alert_id, item.id, item.receiver,
                     r.error().to_string());
        return sent;
      }
      const core::TimePoint now = clock_.now();
      if (r) {
        for (const auto& refused : r->refused) {
          metrics_.counter("vigie_delivery_recipients_refused_total", {{"receiver", item.receiver}})++;
          spdlog::warn("alert {}: delivery {} to {}: recipient refused, the others got the mail: {}", item.alert_id,
                       item.id, item.receiver, refused);
        }
        if (!r->retry.empty()) {
          const auto delay = backoff(item.attempts + 1);
          spdlog::warn("alert {}: delivery {} to {}: {} recipient(s) refused for now, sent again to them in {:.1f}s",
                       item.alert_id, item.id, item.receiver, r->retry.size(),
                       std::chrono::duration<double>(delay).count());
          if (auto q = store_->requeue(item, r->retry, now + delay, now); !q)
            spdlog::error("outbox: {}", q.error().to_string());
        }
        if (auto m = store_->mark_sent(item.id, now); !m) {
          // Sent but not marked: it will be sent again (same Message-ID), which is the
          // at-least-once side of the trade-off, never a lost alert.
          spdlog::error("outbox: delivery {} sent but not marked: {}", item.id, m.error().to_string());
        }
        metrics_.counter("vigie_deliveries_total", {{"receiver", item.receiver}, {"status", "sent"}})++;
        ++sent;
        spdlog::info("alert {} delivered to {} ({} recipient(s)), Message-ID {}", item.alert_id, item.receiver,
                     item.recipients.size(), item.message_id);
        continue;
      }
      const std::string error = r.error().to_string();
      if (r.error().permanent || now - item.created >= kGiveUpAfter) {
        metrics_.counter("vigie_deliveries_total", {{"receiver", item.receiver}, {"status", "failed"}})++;
        spdlog::error("alert {}: giving up delivery {} to {} after {} attempt(s){}: {}", item.alert_id, item.id,
                      item.receiver, item.attempts + 1, r.error().permanent ? ", refused for good" : "", error);
        if (auto m = store_->mark_failed(item.id, error, now); !m) spdlog::error("outbox: {}", m.error().to_string());
        continue;
      }
      const auto delay = backoff(item.attempts + 1);
      metrics_.counter("vigie_deliveries_total", {{"receiver", item.receiver}, {"status", "retry"}})++;
      spdlog::warn("alert {}: delivery {} to {} failed (attempt {}), retry in {:.1f}s: {}", item.alert_id, item.id,
                   item.receiver, item.attempts + 1, std::chrono::duration<double>(delay).count(), error);
      if (auto m = store_->mark_retry(item.id, error, now + delay); !m) {
        spdlog::error("outbox: {}", m.error().to_string());
        stalled = true;  // cannot record progress: stop this pass rather than spin
        break;
      }
    }
    if (due->size() < kBatch) break;
  }
  if (auto n = store_->pending_count())
    metrics_.gauge("vigie_outbox_pending").store(static_cast<int64_t>(*n), std::memory_order_relaxed);
  return sent;
}

void Notifier::run(const std::stop_token& st, core::Heartbeat::Slot* heartbeat) {
  heartbeat_ = heartbeat;
  while (!st.stop_requested()) {
    if (heartbeat) heartbeat->beat();
    deliver_due(st);
    if (heartbeat) heartbeat->idle();
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, st, std::chrono::seconds(1), [&] { return woken_; });
    woken_ = false;
  }
}

void Notifier::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

}  // namespace vigie::notify
