#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "store/schema.hpp"
#include "store/store.hpp"

using namespace vigie;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    static int n = 0;
    path = fs::temp_directory_path() / ("vigie-store-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

core::TimePoint at(int64_t seconds) { return core::TimePoint{std::chrono::seconds(seconds)}; }

core::Alert sample_alert() {
  core::Alert a;
  a.rule = {"ssh-bruteforce",  "SSH brute force",
            core::Level::high, {"attack.credential_access", "attack.t1110"},
            "many failures",   "AMBER"};
  a.site = "ch-quimper";
  a.key = {{"observer.site", "ch-quimper"}, {"source.ip", "183.62.140.253"}};
  a.count = 10;
  a.first_seen = at(1'700'000'000);
  a.last_seen = at(1'700'000'060);
  a.summary = "10 failures";
  a.evidence = {"Failed password for root from 183.62.140.253 port 1", "line two"};
  a.id = core::make_alert_id(a.rule.id, a.key, a.first_seen);
  return a;
}

store::NewDelivery delivery(const std::string& receiver, core::TimePoint not_before) {
  return {receiver, {"a@example.org", "b@example.org"}, "<id@host>", "Subject: x\r\n\r\nbody\r\n", not_before};
}

int64_t user_version(const fs::path& db) {
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &s, nullptr);
  sqlite3_step(s);
  const int64_t v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(h);
  return v;
}

}  // namespace

TEST_CASE("open creates the directories, migrates a fresh database and re-opens it") {
  TempDir t;
  const auto db = t.path / "sub" / "vigie.db";
  {
    auto s = store::Store::open(db);
    REQUIRE_MESSAGE(s, s.error().to_string());
  }
  CHECK(fs::exists(db));
  CHECK(user_version(db) == store::schema_version());
  auto again = store::Store::open(db);
  REQUIRE(again);
  CHECK(user_version(db) == store::schema_version());
  CHECK((*again)->pending_count().value() == 0);
}

TEST_CASE("a database from a newer vigie is refused with a clear error") {
  TempDir t;
  const auto db = t.path / "vigie.db";
  REQUIRE(store::Store::open(db));
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sqlite3_exec(h, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(h);
  auto s = store::Store::open(db);
  REQUIRE_FALSE(s);
  CHECK(s.error().what.find("newer") != std::string::npos);
  CHECK(s.error().where == db.string());
}

TEST_CASE("record stores the alert with its evidence; an update changes count and appends evidence") {
  TempDir t;
  auto s = store::Store::open(t.path / "vigie.db").value();
  auto a = sample_alert();
  REQUIRE(s->record(a, {}, at(1'700'000'061)));
  auto found = s->find_alert(a.id).value();
  REQUIRE(found);
  CHECK(found->rule.id == "ssh-bruteforce");
  CHECK(found->rule.level == core::Level::high);
  CHECK(found->rule.tags == a.rule.tags);
  CHECK(found->key == a.key);
  CHECK(found->count == 10);
  CHECK(found->first_seen == a.first_seen);
  CHECK(found->evidence == a.evidence);
  CHECK_FALSE(s->last_notified(a.id).value());

  auto u = a;
  u.update = true;
  u.count = 25;
  u.last_seen = at(1'700'000'300);
  u.evidence.push_back("line three");
  REQUIRE(s->record(u, {}, at(1'700'000'301)));
  found = s->find_alert(a.id).value();
  CHECK(found->count == 25);
  CHECK(found->last_seen == u.last_seen);
  CHECK(found->first_seen == a.first_seen);
  CHECK(found->evidence.size() == 3);
  CHECK(found->evidence.back() == "line three");
  // A late event moves first_seen back (detect: a late hit within suppress_for).
  auto late = u;
  late.count = 26;
  late.first_seen = a.first_seen - std::chrono::minutes(3);
  REQUIRE(s->record(late, {}, at(1'700'000'302)));
  found = s->find_alert(a.id).value();
  CHECK(found->first_seen == late.first_seen);
  CHECK(found->last_seen == u.last_seen);
  CHECK_FALSE(s->find_alert("nope").value());
  CHECK(s->list_alerts(10).value().size() == 1);
}

TEST_CASE("outbox: due respects next_attempt, mark_sent and mark_retry change what is due") {
  TempDir t;
  auto s = store::Store::open(t.path / "vigie.db").value();
  auto a = sample_alert();
  REQUIRE(s->record(a, {delivery("regional-list", at(100)), delivery("site-contacts", at(200))}, at(50)));
  CHECK(s->last_notified(a.id).value() == at(100));
  CHECK(s->pending_count().value() == 2);
  CHECK(s->due(at(99), 10).value().empty());
  auto due = s->due(at(150), 10).value();
  REQUIRE(due.size() == 1);
  CHECK(due[0].receiver == "regional-list");
  CHECK(due[0].recipients == std::vector<std::string>{"a@example.org", "b@example.org"});
  CHECK(due[0].message == "Subject: x\r\n\r\nbody\r\n");
  CHECK(due[0].alert_id == a.id);
  CHECK(due[0].attempts == 0);
  CHECK(due[0].created == at(50));

  REQUIRE(s->mark_sent(due[0].id, at(151)));
  CHECK(s->pending_count().value() == 1);
  due = s->due(at(300), 10).value();
  REQUIRE(due.size() == 1);
  CHECK(due[0].receiver == "site-contacts");
  REQUIRE(s->mark_retry(due[0].id, "connection refused", at(400)));
  CHECK(s->due(at(399), 10).value().empty());
  due = s->due(at(400), 10).value();
  REQUIRE(due.size() == 1);
  CHECK(due[0].attempts == 1);
  REQUIRE(s->mark_failed(due[0].id, "gave up", at(401)));
  CHECK(s->pending_count().value() == 0);
  CHECK(s->due(at(10'000), 10).value().empty());
}

TEST_CASE("an alert and its outbox rows are atomic: a bad delivery leaves nothing behind") {
  TempDir t;
  auto s = store::Store::open(t.path / "vigie.db").value();
  auto a = sample_alert();
  auto bad = delivery("site-contacts", at(100));
  bad.message_id.clear();  // violates CHECK (message_id <> '')
  auto r = s->record(a, {delivery("regional-list", at(100)), bad}, at(50));
  REQUIRE_FALSE(r);
  CHECK(r.error().what.find("CHECK") != std::string::npos);
  CHECK_FALSE(s->find_alert(a.id).value());
  CHECK(s->pending_count().value() == 0);
  CHECK_FALSE(s->last_notified(a.id).value());
  // The connection is still usable after the rollback.
  REQUIRE(s->record(a, {delivery("regional-list", at(100))}, at(50)));
  CHECK(s->pending_count().value() == 1);
}

TEST_CASE("pending deliveries survive closing and re-opening (restart)") {
  TempDir t;
  const auto db = t.path / "vigie.db";
  auto a = sample_alert();
  {
    auto s = store::Store::open(db).value();
    REQUIRE(s->record(a, {delivery("regional-list", at(100))}, at(50)));
  }
  auto s = store::Store::open(db).value();
  auto due = s->due(at(100), 10).value();
  REQUIRE(due.size() == 1);
  CHECK(due[0].message_id == "<id@host>");
  CHECK(due[0].message == "Subject: x\r\n\r\nbody\r\n");
}

TEST_CASE("two connections on one file: one records while the other reads and marks") {
  TempDir t;
  const auto db = t.path / "vigie.db";
  auto writer = store::Store::open(db).value();
  auto notifier = store::Store::open(db).value();
  auto a = sample_alert();
  REQUIRE(writer->record(a, {delivery("regional-list", at(100))}, at(50)));
  auto due = notifier->due(at(100), 10).value();
  REQUIRE(due.size() == 1);
  REQUIRE(notifier->mark_sent(due[0].id, at(101)));
  auto b = sample_alert();
  b.id = "other";
  REQUIRE(writer->record(b, {delivery("regional-list", at(100))}, at(60)));
  CHECK(notifier->pending_count().value() == 1);
  CHECK(writer->pending_count().value() == 1);
}

TEST_CASE("a batch commits its alerts together, and a rolled-back batch leaves nothing") {
  TempDir t;
  auto s = store::Store::open(t.path / "vigie.db");
  REQUIRE(s);
  auto& st = **s;
  auto a = sample_alert();
  auto b = sample_alert();
  b.key[1].second = "10.0.0.2";
  b.id = core::make_alert_id(b.rule.id, b.key, b.first_seen);

  REQUIRE(st.begin_batch());
  CHECK(st.in_batch());
  CHECK_FALSE(st.begin_batch());  // one batch at a time
  REQUIRE(st.record(a, {delivery("regional-list", at(1'700'000'100))}, at(1'700'000'100)));
  CHECK(st.last_notified(a.id).value().has_value());  // the batch reads its own writes
  st.rollback_batch();
  CHECK_FALSE(st.in_batch());
  CHECK_FALSE(st.find_alert(a.id).value().has_value());
  CHECK(st.pending_count().value() == 0);

  // Another connection (opened first: opening migrates under the write lock) sees nothing
  // before the commit — the outbox guarantee.
  auto other = store::Store::open(t.path / "vigie.db");
  REQUIRE(other);
  REQUIRE(st.begin_batch());
  REQUIRE(st.record(a, {delivery("regional-list", at(1'700'000'100))}, at(1'700'000'100)));
  REQUIRE(st.record(b, {}, at(1'700'000'100)));
  CHECK((*other)->pending_count().value() == 0);
  REQUIRE(st.commit_batch());
  CHECK((*other)->pending_count().value() == 1);
  CHECK((*other)->find_alert(b.id).value().has_value());
  CHECK_FALSE(st.commit_batch());  // none open
}
