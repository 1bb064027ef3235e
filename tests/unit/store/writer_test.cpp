#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <vector>

#include "core/metrics.hpp"
#include "helpers.hpp"
#include "store/alert_json.hpp"
#include "store/journal.hpp"
#include "store/writer.hpp"

using namespace vigie;
using namespace std::chrono_literals;
using test::alert_from;

namespace {

using Clock = store::BatchWriter::Clock;

// A Store, its journal and a record function that fails on demand (whole storage, or one
// alert id), counting its calls.
struct Fixture {
  test::StoreDir dir;
  std::unique_ptr<store::Store> db;
  core::Metrics metrics;
  bool storage_down = false;
  std::set<std::string> poison;
  int calls = 0;
  Clock::time_point t0 = Clock::now();

  Fixture() {
    auto s = store::Store::open(dir.path / "vigie.db");
    REQUIRE_MESSAGE(s, s.error().to_string());
    db = std::move(*s);
  }

  std::unique_ptr<store::BatchWriter> writer(store::WriterOptions opt = {}) {
    auto j = store::Journal::open(journal());
    REQUIRE_MESSAGE(j, j.error().to_string());
    return std::make_unique<store::BatchWriter>(
        *db, std::move(*j),
        [this](const core::Alert& a) -> core::Result<void> {
          ++calls;
          if (storage_down) return core::fail("test", "disk full");
          if (poison.count(a.id)) return core::fail("test", "cannot store this one");
          return db->record(a, {});
        },
        metrics, opt);
  }

  [[nodiscard]] test::fs::path journal() const { return store::journal_path(dir.path / "vigie.db"); }
  std::size_t stored() { return db->list_alerts(100000).value().size(); }
  std::size_t journal_entries() {
    auto j = store::Journal::open(journal());
    std::size_t n = 0;
    REQUIRE((*j)->read([&](core::Alert&&) { ++n; }));
    return n;
  }
};

}  // namespace

TEST_CASE("fold: the last state of an alert wins, first_seen is the earliest, a creation stays one") {
  store::AlertFold fold;
  auto created = alert_from("10.0.0.1", 10);  // update = false
  auto upd = alert_from("10.0.0.1", 25);      // update = true
  upd.first_seen = created.first_seen + 5s;   // a later state must not move first_seen forward
  CHECK_FALSE(fold.add(alert_from("10.0.0.2", 10)));
  CHECK_FALSE(fold.add(std::move(created)));
  CHECK(fold.add(std::move(upd)));
  REQUIRE(fold.size() == 2);
  const auto& a = fold.items()[1];
  CHECK(a.count == 25);
  CHECK(a.summary == "25 failures from 10.0.0.1");
  CHECK(a.first_seen == test::at_s(1'700'000'000));
  CHECK_FALSE(a.update);
  auto front = fold.take_front(1);
  REQUIRE(front.size() == 1);
  CHECK(front[0].key[1].second == "10.0.0.2");
  CHECK(fold.add(alert_from("10.0.0.1", 30)));  // the index follows the removal
  CHECK(fold.size() == 1);
}

TEST_CASE("a storm of updates is folded and committed in one transaction per batch") {
  Fixture f;
  auto w = f.writer({.max_batch = 4});
  for (uint64_t hit = 10; hit < 20; ++hit)
    for (int src = 0; src < 10; ++src) w->add(alert_from("10.0.0." + std::to_string(src), hit));
  CHECK(w->flush(f.t0) == 10);
  CHECK(f.metrics.value("vigie_store_commits_total") == 3);  // 4 + 4 + 2
  CHECK(f.metrics.value("vigie_store_alerts_written_total") == 10);
  CHECK(f.metrics.value("vigie_store_updates_folded_total") == 90);
  CHECK(f.calls == 10);
  CHECK(f.stored() == 10);
  auto a = f.db->find_alert(alert_from("10.0.0.3").id).value();
  REQUIRE(a);
  CHECK(a->count == 19);
  CHECK_FALSE(w->has_kept());
}

TEST_CASE("an alert that fails inside a batch rolls the batch back; the others are stored one by one") {
  Fixture f;
  auto w = f.writer();
  f.poison.insert(alert_from("10.0.0.3").id);
  for (int src = 0; src < 5; ++src) w->add(alert_from("10.0.0." + std::to_string(src)));
  CHECK(w->flush(f.t0) == 4);
  CHECK(f.stored() == 4);
  CHECK(w->has_kept());
  CHECK(w->kept_in_memory() == 1);
  CHECK(f.journal_entries() == 1);
  CHECK(f.metrics.value("vigie_store_errors_total") >= 2);
  // Storage works, one alert does not: newer alerts do not wait for its retry.
  w->add(alert_from("10.0.0.9"));
  CHECK(w->flush(f.t0 + 1ms) == 1);
  CHECK(f.stored() == 5);
  CHECK(w->kept_in_memory() == 1);
  // A newer state of the kept alert joins it (the retry must not store the older one last).
  w->add(alert_from("10.0.0.3", 40));
  CHECK(w->flush(f.t0 + 2ms) == 0);
  CHECK(w->kept_in_memory() == 1);
  f.poison.clear();
  CHECK(w->flush(w->next_retry()) == 1);
  CHECK(f.stored() == 6);
  CHECK(f.db->find_alert(alert_from("10.0.0.3").id).value()->count == 40);
  CHECK(f.journal_entries() == 0);
}

TEST_CASE("storage down: alerts are journaled, retried with backoff, then stored and the journal emptied") {
  Fixture f;
  auto w = f.writer({.retry_initial = 200ms, .retry_max = 1s});
  f.storage_down = true;
  w->add(alert_from("10.0.0.1"));
  w->add(alert_from("10.0.0.2"));
  CHECK(w->flush(f.t0) == 0);
  CHECK(f.stored() == 0);
  CHECK(w->has_kept());
  CHECK(f.journal_entries() == 2);
  CHECK(w->next_retry() == f.t0 + 200ms);

  // Before the retry is due nothing is attempted; new alerts and updates are kept too.
  const int calls = f.calls;
  w->add(alert_from("10.0.0.1", 40));
  w->add(alert_from("10.0.0.3"));
  CHECK(w->flush(f.t0 + 100ms) == 0);
  CHECK(f.calls == calls);
  CHECK(f.journal_entries() == 4);
  CHECK(w->kept_in_memory() == 3);

  // A failed retry doubles the delay (up to retry_max).
  CHECK(w->flush(f.t0 + 200ms) == 0);
  CHECK(w->next_retry() == f.t0 + 200ms + 400ms);

  f.storage_down = false;
  CHECK(w->flush(w->next_retry()) == 3);
  CHECK_FALSE(w->has_kept());
  CHECK(f.stored() == 3);
  CHECK(f.db->find_alert(alert_from("10.0.0.1").id).value()->count == 40);
  CHECK(f.journal_entries() == 0);
  CHECK(f.metrics.value("vigie_store_journal_appended_total") == 4);
}

TEST_CASE("the journal of an earlier run is replayed first, newest state winning") {
  Fixture f;
  {
    auto j = store::Journal::open(f.journal());
    const auto a = alert_from("10.0.0.1", 10);
    const auto a2 = alert_from("10.0.0.1", 50);
    const auto b = alert_from("10.0.0.2", 10);
    REQUIRE((*j)->append({&a, &b, &a2}));
  }
  auto w = f.writer();
  CHECK(w->has_kept());
  CHECK(w->flush(f.t0) == 2);
  CHECK(f.stored() == 2);
  CHECK(f.db->find_alert(alert_from("10.0.0.1").id).value()->count == 50);
  CHECK(f.journal_entries() == 0);
  CHECK(f.metrics.value("vigie_store_journal_replayed_total") == 3);
  CHECK_FALSE(w->has_kept());
}

TEST_CASE("a torn journal line at start is reported and the rest replayed") {
  Fixture f;
  {
    auto j = store::Journal::open(f.journal());
    const auto a = alert_from("10.0.0.1");
    REQUIRE((*j)->append({&a}));
  }
  {
    std::ofstream out(f.journal(), std::ios::app | std::ios::binary);
    out << store::alert_to_json_line(alert_from("10.0.0.2")).substr(0, 30);
  }
  auto w = f.writer();
  CHECK(w->flush(f.t0) == 1);
  CHECK(f.metrics.value("vigie_store_journal_torn_total") == 1);
  CHECK(f.journal_entries() == 0);
}

TEST_CASE("beyond the memory bound, kept alerts live in the journal only and are all stored later") {
  Fixture f;
  auto w = f.writer({.max_batch = 4, .max_pending = 3});
  f.storage_down = true;
  for (int src = 0; src < 10; ++src) w->add(alert_from("10.0.0." + std::to_string(src)));
  CHECK(w->flush(f.t0) == 0);
  CHECK(w->kept_in_memory() == 3);
  CHECK(f.metrics.value("vigie_store_kept_overflow_total") == 7);
  CHECK(f.journal_entries() == 10);
  CHECK_FALSE(w->saturated());  // the journal holds them: nothing has to wait upstream
  f.storage_down = false;
  CHECK(w->flush(w->next_retry()) >= 10);
  CHECK(f.stored() == 10);
  CHECK_FALSE(w->has_kept());
  CHECK(f.journal_entries() == 0);
}

TEST_CASE("without a journal, a full memory asks the caller to stop taking alerts") {
  Fixture f;
  store::BatchWriter w(*f.db, nullptr,
                       [](const core::Alert&) -> core::Result<void> { return core::fail("test", "down"); }, f.metrics,
                       {.max_pending = 2});
  for (int src = 0; src < 3; ++src) w.add(alert_from("10.0.0." + std::to_string(src)));
  CHECK(w.flush(f.t0) == 0);
  CHECK(w.kept_in_memory() == 3);  // none dropped
  CHECK(w.unjournaled());
  CHECK(w.saturated());
}
