// Migration 5: the retro-hunt tables (store/observables.hpp).
#include "store/observables.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "helpers.hpp"
#include "store/schema.hpp"
#include "store/store.hpp"

using namespace vigie;
using namespace vigie::test;

namespace {

store::ObservableRow row(std::string key, std::string site, int64_t first_s, int64_t last_s, int64_t count,
                         int type = 0) {
  return store::ObservableRow{type, std::move(key), std::move(site), at_s(first_s), at_s(last_s), count};
}

std::vector<store::ObservableRow> all(store::Db& db, int type = 0) {
  return store::find_observables(db, type, {std::string(), std::string(64, '\xff'), true}, core::TimePoint::max(), 1000)
      .value();
}

int64_t count_rows(store::Db& db, const std::string& table) {
  return db.query_int("SELECT count(*) FROM " + table).value();
}

}  // namespace

TEST_CASE("upsert: new rows inserted; an existing one keeps the earliest first, the latest last, counts added") {
  StoreDir dir;
  auto st = store::Store::open(dir.path / "vigie.db").value();
  auto& db = st->db();
  REQUIRE(store::upsert_observables(db, {row("k1", "ch-quimper", 100, 200, 3), row("k1", "ch-brest", 150, 150, 1)}));
  REQUIRE(store::upsert_observables(db, {row("k1", "ch-quimper", 50, 120, 2), row("k2", "ch-quimper", 10, 10, 1)}));
  REQUIRE(store::upsert_observables(db, {row("k1", "ch-quimper", 110, 300, 5)}));
  const auto rows = all(db);
  REQUIRE(rows.size() == 3);
  // key then site order
  CHECK(rows[0].key == "k1");
  CHECK(rows[0].site == "ch-brest");
  CHECK(rows[0].count == 1);
  CHECK(rows[1].site == "ch-quimper");
  CHECK(rows[1].first_seen == at_s(50));
  CHECK(rows[1].last_seen == at_s(300));
  CHECK(rows[1].count == 10);
  CHECK(rows[2].key == "k2");
  // Types are apart: the same key bytes under another type are another row.
  REQUIRE(store::upsert_observables(db, {row("k1", "ch-quimper", 1, 1, 1, 1)}));
  CHECK(all(db, 1).size() == 1);
  CHECK(all(db, 0).size() == 3);
  CHECK(store::upsert_observables(db, {}));
}

TEST_CASE("upsert: one transaction — a bad row writes nothing; inside the store's batch it joins that batch") {
  StoreDir dir;
  auto st = store::Store::open(dir.path / "vigie.db").value();
  auto& db = st->db();
  CHECK_FALSE(store::upsert_observables(db, {row("a", "s", 1, 1, 1), row("b", "s", 1, 1, 0)}));
  CHECK(count_rows(db, "observables") == 0);
  CHECK(sqlite3_get_autocommit(db.handle()) != 0);  // no transaction left open

  REQUIRE(st->begin_batch());
  REQUIRE(store::upsert_observables(db, {row("a", "s", 1, 1, 1)}));
  REQUIRE(store::add_known_iocs(db, {{0, "a", at_s(1), "feed"}}));
  CHECK(st->in_batch());
  st->rollback_batch();
  CHECK(count_rows(db, "observables") == 0);
  CHECK(count_rows(db, "iocs_known") == 0);

  REQUIRE(st->begin_batch());
  REQUIRE(store::upsert_observables(db, {row("a", "s", 1, 1, 1)}));
  REQUIRE(st->commit_batch());
  CHECK(count_rows(db, "observables") == 1);
}

TEST_CASE("purge deletes only the rows last seen before the cut, whatever their first sighting") {
  StoreDir dir;
  auto st = store::Store::open(dir.path / "vigie.db").value();
  auto& db = st->db();
  REQUIRE(store::upsert_observables(db, {row("old", "s", 100, 199, 1), row("edge", "s", 100, 200, 1),
                                         row("long", "s", 10, 500, 9), row("new", "s", 400, 400, 1)}));
  CHECK(store::purge_observables(db, at_s(200)).value() == 1);
  auto rows = all(db);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].key == "edge");  // last_seen == cut: kept
  CHECK(rows[1].key == "long");
  CHECK(rows[1].first_seen == at_s(10));
  CHECK(store::purge_observables(db, at_s(200)).value() == 0);
  CHECK(store::purge_observables(db, at_s(1000)).value() == 3);
  CHECK(count_rows(db, "observables") == 0);
}

TEST_CASE("find: closed and half-open key ranges exact at their edges, first seen before, limit") {
  StoreDir dir;
  auto st = store::Store::open(dir.path / "vigie.db").value();
  auto& db = st->db();
  REQUIRE(store::upsert_observables(
      db, {row("b", "s1", 100, 100, 1), row("c", "s1", 100, 100, 1), row("c", "s2", 300, 300, 1),
           row("d", "s1", 100, 100, 1), row("e", "s1", 100, 100, 1)}));
  const auto keys = [](const std::vector<store::ObservableRow>& rows) {
    std::string s;
    for (const auto& r : rows) s += r.key;
    return s;
  };
  CHECK(keys(store::find_observables(db, 0, {"b", "d", true}, at_s(1000), 10).value()) == "bccd");
  CHECK(keys(store::find_observables(db, 0, {"b", "d", false}, at_s(1000), 10).value()) == "bcc");
  CHECK(keys(store::find_observables(db, 0, {"c", "c", true}, at_s(1000), 10).value()) == "cc");
  CHECK(keys(store::find_observables(db, 0, {"c", "c", false}, at_s(1000), 10).value()).empty());
  // first_seen < seen_before, strictly
  CHECK(keys(store::find_observables(db, 0, {"c", "c", true}, at_s(300), 10).value()) == "c");
  CHECK(keys(store::find_observables(db, 0, {"a", "z", true}, at_s(1000), 2).value()) == "bc");
  CHECK(store::find_observables(db, 0, {"a", "z", true}, at_s(1000), 0).value().empty());
  CHECK(store::find_observables(db, 1, {"a", "z", true}, at_s(1000), 10).value().empty());
}

TEST_CASE("find scans a range of the primary key, never the table") {
  StoreDir dir;
  auto st = store::Store::open(dir.path / "vigie.db").value();
  auto& db = st->db();
  for (const char* op : {"<=", "<"}) {
    auto plan = db.prepare(std::string("EXPLAIN QUERY PLAN SELECT key, site, first_seen, last_seen, count FROM "
                                       "observables WHERE type = ?1 AND key >= ?2 AND key ") +
                           op + " ?3 AND first_seen < ?4 ORDER BY key, site LIMIT ?5");
    REQUIRE(plan);
    std::string detail;
    REQUIRE(plan->each([&] { detail += plan->text(3) + ";"; }));
    CAPTURE(detail);
    CHECK(detail.find("SEARCH observables USING PRIMARY KEY (type=? AND key>? AND key<?)") != std::string::npos);
    CHECK(detail.find("TEMP B-TREE") == std::string::npos);  // rows come in key order: no sort
  }
}

TEST_CASE("known indicators: added once (the first feed and time kept), loaded, looked up") {
  StoreDir dir;
  auto st = store::Store::open(dir.path / "vigie.db").value();
  auto& db = st->db();
  CHECK(store::load_known_iocs(db).value().empty());
  CHECK(store::add_known_iocs(db, {{0, std::string("\x01\x02", 2), at_s(10), "certfr"}, {1, "x.y", at_s(10), "misp"}})
            .value() == 2);
  CHECK(store::add_known_iocs(db, {{0, std::string("\x01\x02", 2), at_s(99), "other"}, {1, "x.z", at_s(99), "misp"}})
            .value() == 1);
  const auto known = store::load_known_iocs(db).value();
  REQUIRE(known.size() == 3);
  CHECK(known[0].type == 0);
  CHECK(known[0].key == std::string("\x01\x02", 2));
  CHECK(known[0].feed == "certfr");
  CHECK(known[0].first_indexed == at_s(10));
  CHECK(store::is_known_ioc(db, 1, "x.z").value());
  CHECK_FALSE(store::is_known_ioc(db, 0, "x.z").value());
  CHECK(store::add_known_iocs(db, {}).value() == 0);
}

TEST_CASE("migration 6 upgrades a version-5 database and keeps what it held") {
  StoreDir dir;
  const auto file = dir.path / "vigie.db";
  {
    auto st = store::Store::open(file).value();
    REQUIRE(st->record(alert_from("198.51.100.9"), {}, at_s(1'700'000'100)));
    REQUIRE(store::upsert_observables(st->db(), {row("k", "s", 1, 1, 1)}));
    // Back to what a version-5 vigie left: no retro-hunt tables.
    REQUIRE(
        st->db().exec("DROP TABLE observables; DROP TABLE iocs_known; DROP TABLE software; PRAGMA user_version = 5"));
  }
  {
    auto db = store::Db::open(file).value();
    CHECK(db.query_int("PRAGMA user_version").value() == 5);
    CHECK(db.query_int("SELECT count(*) FROM sqlite_master WHERE name = 'observables'").value() == 0);
  }
  auto st = store::Store::open(file).value();
  CHECK(st->db().query_int("PRAGMA user_version").value() == store::schema_version());
  CHECK(store::schema_version() == 7);
  CHECK(st->list_alerts(10).value().size() == 1);
  CHECK(count_rows(st->db(), "observables") == 0);
  REQUIRE(store::upsert_observables(st->db(), {row("k", "s", 1, 1, 1)}));
  CHECK(store::add_known_iocs(st->db(), {{0, "k", at_s(1), "f"}}).value() == 1);
}
