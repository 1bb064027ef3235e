// The threaded event pipeline shared by `serve` and `replay` (DESIGN.md §3; diagram in
// daemon/ingest/README.md):
//
//   producers ──► Q1 (ingest::RawQueue: one lane per worker, bounded in batches and bytes,
//                 batches numbered in arrival order, routed by flow or to the least loaded lane)
//                   │
//                   ▼  worker i (one per lane): decoder of the batch's kind → events
//                   │                           → decoders + rules (its own compiled sets)
//                   ▼
//              Q2 (one bounded FIFO per worker) ──► correlator thread: takes batches back in
//                 arrival order (merge by number:    arrival order, so results never depend on
//                 no reorder buffer at all)          which worker ran first)
//                                                       │ alerts
//                                                       ▼
//                                         alert sink callback (store thread in serve,
//                                         collector in replay)
//
// Every queue is bounded: Q1 by push() (blocks) for files and try_push() for network inputs; Q2
// blocks its worker when full. The merge waits for the next number at the head of some worker's
// FIFO, so it holds nothing out of order: a worker can run ahead of the others by its FIFO's
// depth, no more. A worker busy on one batch for longer than `stuck_after` is logged (once per
// batch) and reported by stuck_workers().
//
// Snapshots (app/snapshot.hpp) are swapped atomically: reload() brings new rules (the correlator
// adopts its state by rule), swap_iocs() a new IOC index (correlation state untouched).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/snapshot.hpp"
#include "config/config.hpp"
#include "core/alert.hpp"
#include "core/arena.hpp"
#include "core/metrics.hpp"
#include "detect/engine.hpp"
#include "ingest/raw.hpp"
#include "store/observables.hpp"
#include "store/software.hpp"
#include "store/store.hpp"

namespace vigie::app {

class Pipeline {
 public:
  using AlertSink = std::function<void(core::Alert&&)>;  // called on the correlator thread

  struct Options {
    std::size_t queue_batches = 0;  // Q1 capacity; 0 = cfg.inputs.queue_batches
    std::size_t hit_batches = 16;   // Q2 depth per worker
    std::chrono::steady_clock::duration stuck_after = std::chrono::seconds(30);
    // Retro-hunt: where each worker hands its aggregated observables (every
    // detection.ioc.retro_hunt.flush_every, when its aggregate is full, and at the end); unset,
    // or retro_hunt disabled: no aggregation at all.
    std::function<void(std::vector<store::ObservableRow>&&)> observables;
    // The exposure inventory: where each worker hands the software it saw (same schedule);
    // unset: none is aggregated.
    std::function<void(std::vector<store::SoftwareRow>&&)> software;
  };

  // `clock`: reception_time for the daemon, event_time for files (detect/watermark.hpp). The
  // rule set must have been loaded with at least cfg->worker_threads() matcher slots for each
  // worker to scan its own copies (fewer: workers beyond share slot 0).
  Pipeline(std::shared_ptr<const config::Config> cfg, std::shared_ptr<const detect::RuleSet> rules,
           core::Metrics& metrics, detect::EvictionClock clock, AlertSink sink, Options options);
  Pipeline(std::shared_ptr<const config::Config> cfg, std::shared_ptr<const detect::RuleSet> rules,
           core::Metrics& metrics, detect::EvictionClock clock, AlertSink sink)
      : Pipeline(std::move(cfg), std::move(rules), metrics, clock, std::move(sink), Options{}) {}
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  void start();
  // Input queue for producers. Batches must not be empty.
  [[nodiscard]] ingest::RawQueue& input() { return input_; }
  // New rules for batches taken from now on.
  void reload(std::shared_ptr<const detect::RuleSet> rules);
  // A new IOC index for batches taken from now on; rules and correlation state stay.
  void swap_iocs(std::shared_ptr<const intel::IocIndex> iocs);
  [[nodiscard]] std::shared_ptr<const Snapshot> snapshot() const { return std::atomic_load(&snapshot_); }
  // Before start(): alerts the correlator takes back as open (detect::Correlator::restore).
  void restore(std::vector<store::Store::Recent> alerts) { restored_ = std::move(alerts); }
  // Closes the input, lets every queued event through, flushes the correlator, joins threads.
  void finish();

  // Workers, and the correlator, busy on one batch for longer than Options::stuck_after
  // ("worker 1", "correlator"), for the watchdog; empty when all make progress.
  [[nodiscard]] std::vector<std::string> stuck_workers(std::chrono::steady_clock::time_point now) const;
  // Batches the correlator is done with: every batch numbered below it (RawBatch::seq) went
  // through correlation and its alerts were handed to the sink. With RawQueue::issued(), what
  // a producer waits on before it calls its input processed (the spool).
  [[nodiscard]] uint64_t correlated() const { return correlated_.load(std::memory_order_acquire); }
  // Times the correlator replaced its state for a new rule set (tests: an IOC swap is not one).
  [[nodiscard]] uint64_t correlator_generations() const { return generations_.load(); }

 private:
  struct Hit {
    core::Event event;
    uint32_t first = 0, count = 0;  // its rules: HitBatch::rules[first, first + count)
  };
  // What a worker hands the correlator for one raw batch (even when nothing matched: the
  // correlator takes every number in turn, and the watermark needs every event's time).
  struct HitBatch {
    uint64_t seq = 0;
    std::shared_ptr<const Snapshot> snapshot;  // what the rule indices refer to
    std::vector<Hit> hits;
    std::vector<uint32_t> rules;
    detect::LatestTimes latest;
    // What the hit events view: the batch's records and arena (only when there are hits).
    ingest::RawBatch raw;
    std::unique_ptr<core::Arena> arena;
  };
  // Q2: a FIFO per worker, merged back into arrival order by the correlator.
  class Merge {
   public:
    Merge(std::size_t lanes, std::size_t depth) : lanes_(lanes), depth_(depth), open_(lanes) {}
    void push(std::size_t lane, HitBatch&& b);
    void close_lane(std::size_t lane);
    // Batch number `seq`, once some worker has produced it. When every lane is closed and no
    // head is `seq` (a worker ended early), the lowest remaining batch; nullopt when all is
    // drained. Waits `poll` at most between calls of `on_wait` (stuck detection).
    std::optional<HitBatch> pop(uint64_t seq, std::chrono::milliseconds poll, const std::function<void()>& on_wait);

   private:
    std::mutex mu_;  // guards lanes_, open_, waiting_ and wanted_
    std::condition_variable ready_, room_;
    std::vector<std::deque<HitBatch>> lanes_;
    std::size_t depth_;
    std::size_t open_;
    bool waiting_ = false;  // the correlator is in pop(), waiting for batch `wanted_`
    uint64_t wanted_ = 0;
  };
  struct WorkerState {
    std::atomic<int64_t> busy_since{0};  // steady-clock ns since epoch while on a batch, else 0
    std::atomic<uint64_t> busy_seq{0};
    std::atomic<uint64_t> reported_seq{UINT64_MAX};  // the batch already logged as stuck
  };

  void worker_loop(std::size_t lane);
  void correlator_loop();
  // steady-clock ns since epoch while the correlator is on a batch (correlation, then handing
  // its alerts to the sink, which waits when the store does), else 0.
  std::atomic<int64_t> correlator_busy_since_{0};
  void replace(std::shared_ptr<const Snapshot> next) { std::atomic_store(&snapshot_, std::move(next)); }
  void check_stuck();

  std::shared_ptr<const config::Config> cfg_;
  core::Metrics& metrics_;
  detect::EvictionClock clock_;
  AlertSink sink_;
  Options options_;
  std::size_t workers_n_;
  ingest::RawQueue input_;
  Merge hits_;
  std::mutex swap_mu_;                          // serialises reload() and swap_iocs() (read-modify-write)
  std::shared_ptr<const Snapshot> snapshot_;    // accessed only through atomic_load/atomic_store
  std::vector<store::Store::Recent> restored_;  // read by the correlator thread once, at its start
  std::vector<std::unique_ptr<WorkerState>> state_;
  std::atomic<uint64_t> generations_{0};
  std::atomic<uint64_t> correlated_{0};
  std::vector<std::thread> workers_;
  std::thread correlator_;
  bool started_ = false;
  bool finished_ = false;
};

}  // namespace vigie::app
