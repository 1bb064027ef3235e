#include "app/observables_thread.hpp"

#include <spdlog/spdlog.h>

namespace vigie::app {

void ObservablesWriter::offer(ObservableBatch&& batch) {
  if (batch.empty()) return;
  const auto n = batch.size();
  if (!queue_.try_push(batch)) metrics_.counter("vigie_observables_dropped_total") += n;
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
}

void ObservablesWriter::run() {
  purge();
  auto& written = metrics_.counter("vigie_observables_written_total");
  for (;;) {
    auto batch = queue_.pop_for(std::chrono::minutes(1));
    if (!batch) {
      if (queue_.closed() && queue_.size() == 0) break;
    } else if (auto r = store::upsert_observables(db_, *batch); !r) {
      metrics_.counter("vigie_observables_dropped_total") += batch->size();
      spdlog::error("observables: a batch of {} not stored: {}", batch->size(), r.error().to_string());
    } else {
      written += batch->size();
    }
    if (clock_.now() - last_purge_ >= std::chrono::hours(1)) purge();
  }
}

}  // namespace vigie::app
