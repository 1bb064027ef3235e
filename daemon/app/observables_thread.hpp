// The observables writer of `serve` (retro-hunt, DESIGN.md §7; the exposure inventory): the only
// writer of the observables and software tables. Workers aggregate what events carry (intel::ObservableAggregator, one
// per worker) and hand batches of distinct values here through a bounded queue; a batch that does not fit is dropped
// and counted (vigie_observables_dropped_total), never waited for: the hot path does not block on the disk. Each batch
// is one upsert transaction; once an hour, and at start, rows last seen before now − retention are purged, and software
// rows last seen more than kSoftwareRetention ago or beyond kSoftwarePerSite per site (the least recently seen first).
#pragma once

#include <stop_token>
#include <vector>

#include "config/config.hpp"
#include "core/bounded_queue.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "store/observables.hpp"
#include "store/software.hpp"
#include "store/sqlite.hpp"

namespace vigie::app {

using ObservableBatch = std::vector<store::ObservableRow>;
using SoftwareBatch = std::vector<store::SoftwareRow>;

class ObservablesWriter {
 public:
  ObservablesWriter(const config::RetroHunt& opts, store::Db& db, core::Metrics& metrics, const core::Clock& clock)
      : opts_(opts), db_(db), metrics_(metrics), clock_(clock), queue_(kQueueBatches) {}

  // From a worker: queued, or dropped and counted when the queue is full or closed.
  void offer(ObservableBatch&& batch);
  void offer(SoftwareBatch&& batch);
  // The thread body: until close() and the queue drained.
  void run();
  void close() { queue_.close(); }

  static constexpr std::size_t kQueueBatches = 64;
  // The inventory keeps what was seen within half a year, at most this many rows per site.
  static constexpr core::Duration kSoftwareRetention = std::chrono::hours(24 * 183);
  static constexpr std::size_t kSoftwarePerSite = 5'000;

 private:
  void purge();

  const config::RetroHunt& opts_;
  store::Db& db_;
  core::Metrics& metrics_;
  const core::Clock& clock_;
  struct Batch {
    ObservableBatch observables;
    SoftwareBatch software;
  };
  core::BoundedQueue<Batch> queue_;
  core::TimePoint last_purge_{};
};

}  // namespace vigie::app
