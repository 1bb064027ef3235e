// The observables writer of `serve` (retro-hunt, DESIGN.md §7): the only writer of the
// observables table. Workers aggregate what events carry (intel::ObservableAggregator, one per
// worker) and hand batches of distinct values here through a bounded queue; a batch that does
// not fit is dropped and counted (vigie_observables_dropped_total), never waited for: the hot
// path does not block on the disk. Each batch is one upsert transaction; once an hour, and at
// start, rows last seen before now − retention are purged.
#pragma once

#include <stop_token>
#include <vector>

#include "config/config.hpp"
#include "core/bounded_queue.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "store/observables.hpp"
#include "store/sqlite.hpp"

namespace vigie::app {

using ObservableBatch = std::vector<store::ObservableRow>;

class ObservablesWriter {
 public:
  ObservablesWriter(const config::RetroHunt& opts, store::Db& db, core::Metrics& metrics, const core::Clock& clock)
      : opts_(opts), db_(db), metrics_(metrics), clock_(clock), queue_(kQueueBatches) {}

  // From a worker: queued, or dropped and counted when the queue is full or closed.
  void offer(ObservableBatch&& batch);
  // The thread body: until close() and the queue drained.
  void run();
  void close() { queue_.close(); }

  static constexpr std::size_t kQueueBatches = 64;

 private:
  void purge();

  const config::RetroHunt& opts_;
  store::Db& db_;
  core::Metrics& metrics_;
  const core::Clock& clock_;
  core::BoundedQueue<ObservableBatch> queue_;
  core::TimePoint last_purge_{};
};

}  // namespace vigie::app
