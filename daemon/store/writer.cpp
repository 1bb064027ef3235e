#include "store/writer.hpp"

#include <algorithm>
#include <unordered_set>
#include <utility>

#include <spdlog/spdlog.h>

namespace vigie::store {

bool AlertFold::add(core::Alert&& a) {
  const auto it = index_.find(a.id);
  if (it == index_.end()) {
    index_.emplace(a.id, items_.size());
    items_.push_back(std::move(a));
    return false;
  }
  core::Alert& held = items_[it->second];
  const auto first_seen = std::min(held.first_seen, a.first_seen);
  const bool update = held.update && a.update;
  held = std::move(a);
  held.first_seen = first_seen;
  held.update = update;
  return true;
}

std::vector<core::Alert> AlertFold::take_front(std::size_t n) {
  n = std::min(n, items_.size());
  std::vector<core::Alert> out(std::make_move_iterator(items_.begin()),
                               std::make_move_iterator(items_.begin() + static_cast<std::ptrdiff_t>(n)));
  items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(n));
  index_.clear();
  for (std::size_t i = 0; i < items_.size(); ++i) index_.emplace(items_[i].id, i);
  return out;
}

BatchWriter::BatchWriter(Store& store, std::unique_ptr<Journal> journal, RecordFn record, core::Metrics& m,
                         WriterOptions opt)
    : store_(store), journal_(std::move(journal)), record_(std::move(record)), metrics_(m), opt_(opt) {
  opt_.max_batch = std::max<std::size_t>(opt_.max_batch, 1);
  // Entries left by an earlier run (storage failed, then a stop or a crash): replayed by the
  // first flush, before anything newer.
  journal_only_ = journal_ && !journal_->empty();
  if (journal_only_)
    spdlog::warn("{}: {} bytes of alerts not stored by the last run; storing them now", journal_->path().string(),
                 journal_->size());
}

void BatchWriter::add(core::Alert&& a) {
  if (batch_.add(std::move(a))) metrics_.counter("vigie_store_updates_folded_total")++;
}

bool BatchWriter::commit_chunk(std::vector<core::Alert>& chunk, std::vector<core::Alert>& failed) {
  // The batch: one transaction for the whole chunk.
  if (auto b = store_.begin_batch(); b) {
    bool ok = true;
    for (const auto& a : chunk) {
      if (auto r = record_(a); !r) {
        spdlog::error("storing alert {} failed: {}", a.id, r.error().to_string());
        ok = false;
        break;
      }
    }
    if (ok) {
      if (auto c = store_.commit_batch(); c) {
        if (committed_hook_) committed_hook_();
        metrics_.counter("vigie_store_commits_total")++;
        metrics_.counter("vigie_store_alerts_written_total") += chunk.size();
        committed_ += chunk.size();
        return true;
      } else {
        spdlog::error("committing {} alert(s) failed: {}", chunk.size(), c.error().to_string());
      }
    }
    store_.rollback_batch();
    if (rolled_back_hook_) rolled_back_hook_();
  } else {
    spdlog::error("storing {} alert(s) failed: {}", chunk.size(), b.error().to_string());
  }
  metrics_.counter("vigie_store_errors_total")++;
  // One transaction per alert: an alert that cannot be stored (whatever the reason) does not
  // hold back the others.
  std::size_t stored = 0;
  for (auto& a : chunk) {
    if (auto r = record_(a); r) {
      ++stored;
      metrics_.counter("vigie_store_commits_total")++;
      metrics_.counter("vigie_store_alerts_written_total")++;
      ++committed_;
    } else {
      metrics_.counter("vigie_store_errors_total")++;
      failed.push_back(std::move(a));
    }
  }
  return stored > 0;
}

std::vector<core::Alert> BatchWriter::commit(std::vector<core::Alert> items) {
  std::vector<core::Alert> failed;
  bool down = false;
  const std::size_t before = committed_;
  for (std::size_t i = 0; i < items.size(); i += opt_.max_batch) {
    const auto end = std::min(items.size(), i + opt_.max_batch);
    std::vector<core::Alert> chunk(std::make_move_iterator(items.begin() + static_cast<std::ptrdiff_t>(i)),
                                   std::make_move_iterator(items.begin() + static_cast<std::ptrdiff_t>(end)));
    if (down) {
      std::move(chunk.begin(), chunk.end(), std::back_inserter(failed));
      continue;
    }
    // Nothing of a whole chunk stored: storage is down, the rest is not attempted.
    if (!commit_chunk(chunk, failed)) down = true;
  }
  if (!items.empty()) storage_works_ = committed_ > before;
  return failed;
}

void BatchWriter::spill(const std::vector<core::Alert>& alerts) {
  if (alerts.empty()) return;
  if (!journal_) {
    unjournaled_ = true;
    return;
  }
  std::vector<const core::Alert*> ptrs;
  // The journal lost some before: write every kept alert again so it holds them all.
  const bool again = unjournaled_;
  if (again)
    for (const auto& a : kept_.items()) ptrs.push_back(&a);
  for (const auto& a : alerts) ptrs.push_back(&a);
  if (auto r = journal_->append(ptrs); !r) {
    metrics_.counter("vigie_store_journal_errors_total")++;
    spdlog::critical("{} alert(s) neither stored nor journaled, kept in memory: {}", alerts.size(),
                     r.error().to_string());
    unjournaled_ = true;
    return;
  }
  metrics_.counter("vigie_store_journal_appended_total") += ptrs.size();
  unjournaled_ = false;
}

void BatchWriter::keep(std::vector<core::Alert> failed, bool journaled) {
  if (failed.empty()) return;
  if (!journaled) spill(failed);
  for (auto& a : failed) kept_.add(std::move(a));
  if (kept_.size() > opt_.max_pending && !unjournaled_) {
    // The journal holds them all: memory keeps the newest, the retry replays the journal.
    const auto excess = kept_.size() - opt_.max_pending;
    (void)kept_.take_front(excess);
    journal_only_ = true;
    metrics_.counter("vigie_store_kept_overflow_total") += excess;
  }
}

void BatchWriter::failed_attempt(Clock::time_point now) {
  const auto shift = std::min(failures_, 20);
  auto delay = opt_.retry_initial * (int64_t{1} << shift);
  delay = std::min<std::chrono::milliseconds>(delay, opt_.retry_max);
  ++failures_;
  next_retry_ = now + delay;
}

std::size_t BatchWriter::replay_journal(bool& ok) {
  ok = true;
  if (!journal_) return 0;
  AlertFold chunk;
  bool down = false;
  auto drain = [&] {
    auto items = chunk.take_all();
    const auto before = committed_;
    auto failed = commit(std::move(items));
    // Nothing of the chunk stored: storage is down again; the journal still holds it all.
    if (!failed.empty() && committed_ == before) {
      down = true;
      return;
    }
    for (auto& a : failed) kept_.add(std::move(a));  // already journaled
  };
  auto stats = journal_->read([&](core::Alert&& a) {
    if (down) return;
    chunk.add(std::move(a));
    if (chunk.size() >= opt_.max_batch) drain();
  });
  if (!stats) {
    spdlog::error("{}", stats.error().to_string());
    metrics_.counter("vigie_store_journal_errors_total")++;
    ok = false;
    return 0;
  }
  if (!down && !chunk.empty()) drain();
  if (stats->torn && !torn_reported_) {
    torn_reported_ = true;
    metrics_.counter("vigie_store_journal_torn_total")++;
    spdlog::warn("{}: the last line was cut by an interrupted write (a crash while journaling); skipped",
                 journal_->path().string());
  }
  if (stats->corrupt > 0) {
    metrics_.counter("vigie_store_journal_corrupt_total") += stats->corrupt;
    spdlog::error("{}: {} line(s) that are not alerts skipped", journal_->path().string(), stats->corrupt);
  }
  ok = !down;
  if (ok) metrics_.counter("vigie_store_journal_replayed_total") += stats->entries;
  return stats->entries;
}

std::size_t BatchWriter::retry_kept(std::vector<core::Alert>& fresh) {
  std::unordered_set<std::string> fresh_ids;
  for (const auto& a : fresh) fresh_ids.insert(a.id);
  if (journal_only_) {
    bool ok = false;
    const auto n = replay_journal(ok);
    if (!ok) {
      keep(std::move(fresh), false);
      return 0;
    }
    if (n > 0) spdlog::info("{}: {} journaled alert(s) replayed", journal_->path().string(), n);
    journal_only_ = false;
  }
  const std::size_t before = kept_.size();
  for (auto& a : fresh) kept_.add(std::move(a));
  auto failed = commit(kept_.take_all());
  // What failed and came in fresh (or is a fresh state of a kept one) is not journaled yet.
  std::vector<core::Alert> to_spill;
  for (const auto& a : failed)
    if (fresh_ids.count(a.id)) to_spill.push_back(a);
  spill(to_spill);
  for (auto& a : failed) kept_.add(std::move(a));
  if (!failed.empty()) return 0;
  if (before > 0) spdlog::info("storage works again: {} kept alert(s) stored", before);
  if (journal_ && !journal_->empty()) {
    if (auto r = journal_->clear(); !r) spdlog::error("{}", r.error().to_string());
  }
  unjournaled_ = false;
  return 1;
}

std::size_t BatchWriter::flush(Clock::time_point now) {
  committed_ = 0;
  auto fresh = batch_.take_all();
  if (has_kept() && now < next_retry_ && storage_works_) {
    // Only particular alerts failed last time (storage itself works): the fresh ones go
    // straight in (a newer state of a kept alert joins it instead, so the retry cannot
    // overwrite it with the older one); what fails joins the kept ones for the retry.
    std::vector<core::Alert> direct, of_kept;
    for (auto& a : fresh) (kept_.contains(a.id) ? of_kept : direct).push_back(std::move(a));
    keep(std::move(of_kept), false);
    keep(commit(std::move(direct)), false);
  } else if (has_kept()) {
    if (now < next_retry_) {
      keep(std::move(fresh), false);
    } else if (retry_kept(fresh) > 0) {
      failures_ = 0;
    } else {
      failed_attempt(now);
    }
  } else if (!fresh.empty()) {
    auto failed = commit(std::move(fresh));
    if (!failed.empty()) {
      spdlog::error("{} alert(s) not stored, kept for a retry{}", failed.size(),
                    journal_ ? " (journal " + journal_->path().string() + ")" : std::string());
      keep(std::move(failed), false);
      failed_attempt(now);
    }
  }
  update_gauge();
  return committed_;
}

void BatchWriter::update_gauge() {
  metrics_.gauge("vigie_store_kept_alerts").store(static_cast<int64_t>(kept_.size()), std::memory_order_relaxed);
  if (journal_)
    metrics_.gauge("vigie_store_journal_bytes")
        .store(static_cast<int64_t>(journal_->size()), std::memory_order_relaxed);
}

}  // namespace vigie::store
