// The threaded event pipeline shared by `serve` and `replay` (DESIGN.md §3):
//
//   producers ──► Q1 raw batches ──► N workers: parse → decode → match
//                                          │ hit batches (one per raw batch, maybe empty)
//                                          ▼
//                               Q2 ──► correlator thread (reorders batches by sequence number,
//                                      so results do not depend on which worker ran first)
//                                          │ alerts
//                                          ▼
//                                      alert sink callback (store thread in serve, collector in
//                                      replay)
//
// Queues are bounded: Q1 is filled with push() (blocks) by file readers and try_push() by
// network inputs; Q2 and the alert queue block. Rule sets are immutable snapshots: reload()
// swaps the snapshot; workers pick it up at their next batch and the correlator starts fresh
// windows (its state is tied to rule indices).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "core/alert.hpp"
#include "core/bounded_queue.hpp"
#include "core/metrics.hpp"
#include "detect/engine.hpp"
#include "ingest/raw.hpp"
#include "store/store.hpp"

namespace vigie::app {

class Pipeline {
 public:
  using AlertSink = std::function<void(core::Alert&&)>;  // called on the correlator thread

  // `clock`: reception_time for the daemon, event_time for files (detect/watermark.hpp).
  Pipeline(std::shared_ptr<const config::Config> cfg, std::shared_ptr<const detect::RuleSet> rules,
           core::Metrics& metrics, detect::EvictionClock clock, AlertSink sink);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  void start();
  // Input queue for producers. Batches must not be empty.
  [[nodiscard]] ingest::RawQueue& input() { return input_; }
  // Replaces the rule set for batches taken from now on.
  void reload(std::shared_ptr<const detect::RuleSet> rules);
  // Before start(): alerts the correlator takes back as open (detect::Correlator::restore).
  void restore(std::vector<store::Store::Recent> alerts) { restored_ = std::move(alerts); }
  // Closes the input, lets every queued event through, flushes the correlator, joins threads.
  void finish();

 private:
  struct HitBatch {
    uint64_t seq = 0;
    std::shared_ptr<const detect::RuleSet> rules;  // the snapshot the hit indices refer to
    std::vector<std::pair<std::vector<uint32_t>, core::Event>> hits;
    detect::LatestTimes latest;  // of every event of the batch, hit or not: the watermark's input
  };
  void worker_loop();
  void correlator_loop();
  [[nodiscard]] std::shared_ptr<const detect::RuleSet> rules() const { return std::atomic_load(&rules_); }

  std::shared_ptr<const config::Config> cfg_;
  core::Metrics& metrics_;
  detect::EvictionClock clock_;
  AlertSink sink_;
  ingest::RawQueue input_;
  core::BoundedQueue<HitBatch> hits_;
  std::shared_ptr<const detect::RuleSet> rules_;  // accessed only through atomic_load/atomic_store
  std::mutex take_mu_;     // held while a worker pops a batch and numbers it, so seq follows queue order
  uint64_t next_seq_ = 0;  // guarded by take_mu_
  std::vector<store::Store::Recent> restored_;  // read by the correlator thread once, at its start
  std::vector<std::thread> workers_;
  std::thread correlator_;
  bool started_ = false;
  bool finished_ = false;
};

}  // namespace vigie::app
