#include "app/store_thread.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "store/alert_json.hpp"
#include "store/journal.hpp"

namespace vigie::app {

core::Result<void> run_store_thread(StoreThreadParts p) {
  auto journal = store::Journal::open(store::journal_path(p.db));
  if (!journal) return tl::unexpected(journal.error());
  store::BatchWriter writer(
      p.store, std::move(*journal),
      [&](const core::Alert& a) {
        p.heartbeat.beat();  // a long replay of the journal is progress too
        return p.dispatcher.on_alert(a);
      },
      p.metrics, p.options);
  writer.on_batch_end([&] { p.dispatcher.batch_committed(); }, [&] { p.dispatcher.batch_rolled_back(); });
  using Clock = store::BatchWriter::Clock;
  auto& hb = p.heartbeat;
  uint64_t taken = 0;
  const auto mark_durable = [&] {
    if (p.durable != nullptr && writer.pending_adds() == 0 && !writer.unjournaled())
      p.durable->store(taken, std::memory_order_release);
  };

  // The journal of an earlier run first, before anything newer.
  hb.beat();
  if (writer.flush(Clock::now()) > 0) p.notifier.wake();

  for (;;) {
    std::optional<core::Alert> first;
    if (writer.saturated()) {
      // Neither the database nor the journal takes alerts: leave them queued (upstream
      // blocks, which is counted there) and retry at the backoff's pace.
      hb.beat();
      if (p.alerts.closed()) break;  // stopping: what is queued is taken below
      std::this_thread::sleep_until(std::max(writer.next_retry(), Clock::now() + std::chrono::milliseconds(50)));
    } else if (writer.has_kept()) {
      const auto wait = std::max(Clock::duration::zero(), writer.next_retry() - Clock::now());
      hb.idle();
      first = p.alerts.pop_for(wait);
      if (!first && p.alerts.closed() && p.alerts.size() == 0) break;
    } else {
      hb.idle();
      first = p.alerts.pop();
      if (!first) break;  // closed and drained
    }
    hb.beat();
    if (first) {
      writer.add(std::move(*first));
      ++taken;
      // Whatever else is queued, up to a batch: one transaction for all of it.
      while (writer.pending_adds() < p.options.max_batch) {
        auto more = p.alerts.pop_for(std::chrono::milliseconds(0));
        if (!more) break;
        writer.add(std::move(*more));
        ++taken;
      }
    }
    if (writer.flush(Clock::now()) > 0) p.notifier.wake();
    mark_durable();
  }

  // Stopping: one last attempt, then what is still kept waits in the journal for the next start.
  hb.beat();
  while (auto a = p.alerts.pop_for(std::chrono::milliseconds(0))) {
    writer.add(std::move(*a));
    ++taken;
  }
  if (writer.pending_adds() > 0 && writer.flush(Clock::now()) > 0) p.notifier.wake();
  if (writer.has_kept()) {
    if (writer.flush(std::max(Clock::now(), writer.next_retry())) > 0) p.notifier.wake();
  }
  mark_durable();
  if (writer.unjournaled()) {
    // Last resort: neither the database nor the journal took them; the log keeps them whole.
    for (const auto& a : writer.kept()) {
      p.metrics.counter("vigie_alerts_lost_total", {{"reason", "storage_and_journal_failed"}})++;
      spdlog::critical("alert not stored: {}", store::alert_to_json_line(a));
    }
  } else if (writer.has_kept()) {
    spdlog::error("stopping with alert(s) not stored ({} in memory): they stay in {} for the next start",
                  writer.kept_in_memory(), store::journal_path(p.db).string());
  }
  hb.idle();
  return {};
}

}  // namespace vigie::app
