#include "app/observables_thread.hpp"

#include <spdlog/spdlog.h>

namespace vigie::app {

void ObservablesWriter::offer(ObservableBatch&& batch) {
  if (batch.empty()) return;
  const auto n = batch.size();
  Batch b{std::move(batch), {}};
  if (!queue_.try_push(b)) metrics_.counter("vigie_observables_dropped_total") += n;
}

void ObservablesWriter::offer(SoftwareBatch&& batch) {
  if (batch.empty()) return;
  const auto n = batch.size();
  Batch b{{}, std::move(batch)};
  if (!queue_.try_push(b)) metrics_.counter("vigie_software_dropped_total", {{"reason", "queue_full"}}) += n;
}

void ObservablesWriter::purge() {
  const core::TimePoint now = clock_.now();
  last_purge_ = now;
  auto gone = store::purge_observables(db_, now - opts_.retention);
  if (!gone) {
    spdlog::error("observables not purged: {}", gone.error().to_string());
  } else if (*gone > 0) {
    spdlog::info("observables: {} sighting(s) last seen more than {} h ago purged", *gone,
                 std::chrono::duration_cast<std::chrono::hours>(opts_.retention).count());
  }
  auto software = store::purge_software(db_, store::us(now - kSoftwareRetention), kSoftwarePerSite);
  if (!software)
    spdlog::error("software inventory not purged: {}", software.error().to_string());
  else if (*software > 0)
    spdlog::info("software inventory: {} row(s) purged (older than {} days, or beyond {} per site)", *software,
                 std::chrono::duration_cast<std::chrono::hours>(kSoftwareRetention).count() / 24, kSoftwarePerSite);
}

void ObservablesWriter::run() {
  purge();
  auto& written = metrics_.counter("vigie_observables_written_total");
  auto& software = metrics_.counter("vigie_software_written_total");
  for (;;) {
    auto batch = queue_.pop_for(std::chrono::minutes(1));
    if (!batch) {
      if (queue_.closed() && queue_.size() == 0) break;
    } else if (!batch->software.empty()) {
      if (auto r = store::upsert_software(db_, batch->software); !r) {
        metrics_.counter("vigie_software_dropped_total", {{"reason", "store"}}) += batch->software.size();
        spdlog::error("software inventory: a batch of {} not stored: {}", batch->software.size(),
                      r.error().to_string());
      } else {
        software += batch->software.size();
      }
    } else if (auto r = store::upsert_observables(db_, batch->observables); !r) {
      metrics_.counter("vigie_observables_dropped_total") += batch->observables.size();
      spdlog::error("observables: a batch of {} not stored: {}", batch->observables.size(), r.error().to_string());
    } else {
      written += batch->observables.size();
    }
    if (clock_.now() - last_purge_ >= std::chrono::hours(1)) purge();
  }
}

}  // namespace vigie::app
