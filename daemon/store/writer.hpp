// BatchWriter: the store thread's write path — folds, batches, commits, and keeps what it
// cannot commit (DESIGN.md §7, issue 5 items 5–6).
//
//   add() ──► fold by alert id ──► flush(): chunks of max_batch, ONE transaction each
//                                     │ commit failed
//                                     ▼
//                        one transaction per alert (isolates an alert that cannot be stored)
//                                     │ still failing
//                                     ▼
//             kept: journal (fdatasync'd, journal.hpp) + memory (≤ max_pending, folded)
//                                     │ retry with backoff (retry_initial … retry_max)
//                                     ▼
//             replay the journal in order (when memory no longer holds everything), then
//             what memory holds; the journal is emptied once nothing is kept
//
// Folding: an update carries the alert's whole state, so the last one wins, except
// first_seen (the earliest) and `update` (a creation folded with its updates stays a
// creation). Recording an alert twice (a journal entry already committed) is harmless:
// counts and times only grow, evidence is keyed by position, and the record function
// (Dispatcher) does not mail an alert again before its repeat_interval.
//
// Memory bound: beyond max_pending kept alerts, the oldest leave memory only when the journal
// holds them (counted: vigie_store_kept_overflow_total); if the journal cannot be written
// either, saturated() tells the caller to stop taking alerts (back-pressure upstream) rather
// than drop one.
//
// Thread contract: one thread (the store thread) owns the writer, its Store and its Journal.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/alert.hpp"
#include "core/error.hpp"
#include "core/metrics.hpp"
#include "store/journal.hpp"
#include "store/store.hpp"

namespace vigie::store {

// Alerts folded by id, in order of first arrival.
class AlertFold {
 public:
  // Returns true when `a` folded into an alert already held.
  bool add(core::Alert&& a);
  [[nodiscard]] std::size_t size() const { return items_.size(); }
  [[nodiscard]] bool empty() const { return items_.empty(); }
  [[nodiscard]] bool contains(const std::string& id) const { return index_.count(id) > 0; }
  [[nodiscard]] const std::vector<core::Alert>& items() const { return items_; }
  // Removes and returns the oldest `n` (all if n ≥ size()).
  std::vector<core::Alert> take_front(std::size_t n);
  std::vector<core::Alert> take_all() { return take_front(items_.size()); }

 private:
  std::vector<core::Alert> items_;
  std::unordered_map<std::string, std::size_t> index_;  // id → position in items_
};

struct WriterOptions {
  std::size_t max_batch = 512;      // alerts per transaction
  std::size_t max_pending = 10000;  // kept alerts held in memory
  std::chrono::milliseconds retry_initial{200};
  std::chrono::milliseconds retry_max{5000};
};

class BatchWriter {
 public:
  using Clock = std::chrono::steady_clock;
  // Records one alert inside the open batch (serve: Dispatcher::on_alert, which routes,
  // renders and calls Store::record).
  using RecordFn = std::function<core::Result<void>(const core::Alert&)>;

  BatchWriter(Store& store, std::unique_ptr<Journal> journal, RecordFn record, core::Metrics& m,
              WriterOptions opt = {});

  // Called after each batch commit / rollback (serve: the Dispatcher counts what a batch
  // really stored).
  void on_batch_end(std::function<void()> committed, std::function<void()> rolled_back) {
    committed_hook_ = std::move(committed);
    rolled_back_hook_ = std::move(rolled_back);
  }

  // Folds `a` into the next flush.
  void add(core::Alert&& a);
  // Commits what was added and, when the retry is due (or the journal holds entries of an
  // earlier run), what is kept. Returns the number of alerts committed (wake the notifier).
  std::size_t flush(Clock::time_point now);

  // Alerts wait for a retry (in memory or in the journal).
  [[nodiscard]] bool has_kept() const { return !kept_.empty() || journal_only_; }
  [[nodiscard]] Clock::time_point next_retry() const { return next_retry_; }
  [[nodiscard]] std::size_t kept_in_memory() const { return kept_.size(); }
  // Memory is full of alerts the journal could not take: do not add more now.
  [[nodiscard]] bool saturated() const { return unjournaled_ && kept_.size() >= opt_.max_pending; }
  [[nodiscard]] std::size_t pending_adds() const { return batch_.size(); }
  // Some kept alerts are in memory only (the journal could not be written).
  [[nodiscard]] bool unjournaled() const { return unjournaled_; }
  [[nodiscard]] const std::vector<core::Alert>& kept() const { return kept_.items(); }

 private:
  // Commits in chunks; returns what could not be committed.
  std::vector<core::Alert> commit(std::vector<core::Alert> items);
  bool commit_chunk(std::vector<core::Alert>& chunk, std::vector<core::Alert>& failed);
  std::size_t retry_kept(std::vector<core::Alert>& fresh);
  std::size_t replay_journal(bool& ok);
  void keep(std::vector<core::Alert> failed, bool journaled);
  void spill(const std::vector<core::Alert>& alerts);
  void failed_attempt(Clock::time_point now);
  void update_gauge();

  Store& store_;
  std::unique_ptr<Journal> journal_;
  RecordFn record_;
  std::function<void()> committed_hook_, rolled_back_hook_;
  core::Metrics& metrics_;
  WriterOptions opt_;

  AlertFold batch_;            // added since the last flush
  AlertFold kept_;             // not committed: waiting for a retry
  bool journal_only_ = false;  // the journal holds entries memory does not (overflow, last run)
  bool unjournaled_ = false;   // some kept alerts are in memory only (the journal failed)
  bool torn_reported_ = false;
  bool storage_works_ = true;  // the last attempt stored something: only particular alerts fail
  int failures_ = 0;           // consecutive failed attempts: the backoff exponent
  Clock::time_point next_retry_{};
  std::size_t committed_ = 0;  // within the current flush
};

}  // namespace vigie::store
