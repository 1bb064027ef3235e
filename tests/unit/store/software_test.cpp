// Migration 7: the exposure inventory (store/software.hpp).
#include "store/software.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <limits>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "store/store.hpp"

using namespace vigie;
using namespace vigie::test;

namespace {

constexpr int64_t kS = 1'000'000;  // µs per second

store::SoftwareRow row(std::string site, std::string host, std::string raw, int64_t first_s, int64_t last_s,
                       int64_t count = 1, std::string product = "OpenSSH", std::string version = "",
                       std::string distro = "", std::string source = "ssh.server.version") {
  store::SoftwareRow r;
  r.site = std::move(site);
  r.host = std::move(host);
  r.source = std::move(source);
  r.raw = std::move(raw);
  r.product = std::move(product);
  r.version = std::move(version);
  r.distro = std::move(distro);
  r.first_seen = first_s * kS;
  r.last_seen = last_s * kS;
  r.count = count;
  return r;
}

std::vector<std::string> hosts(const std::vector<store::SoftwareRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.site + "/" + r.host);
  return out;
}

int64_t count_rows(store::Db& db) { return db.query_int("SELECT count(*) FROM software").value(); }

}  // namespace

TEST_CASE("upsert: the same (site, host, source, raw) folds — earliest first, latest last, counts added") {
  StoreDir dir;
  auto st = store::Store::open(dir.path / "vigie.db").value();
  auto& db = st->db();
  const std::string banner = "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3";
  REQUIRE(store::upsert_software(db, {row("ch-quimper", "10.29.1.5", banner, 100, 200, 3)}));
  REQUIRE(store::upsert_software(
      db, {row("ch-quimper", "10.29.1.5", banner, 50, 120, 2, "OpenSSH", "8.4p1", "Debian-5+deb11u3")}));
  REQUIRE(store::upsert_software(
      db, {row("ch-quimper", "10.29.1.5", banner, 110, 300, 5, "OpenSSH", "8.4p1", "Debian-5+deb11u3")}));
  auto rows = store::list_software(db).value();
  REQUIRE(rows.size() == 1);
  const auto& r = rows[0];
  CHECK(r.site == "ch-quimper");
  CHECK(r.host == "10.29.1.5");
  CHECK(r.source == "ssh.server.version");
  CHECK(r.raw == banner);
  CHECK(r.first_seen == 50 * kS);
  CHECK(r.last_seen == 300 * kS);
  CHECK(r.count == 10);
  // The reading is the newest one's: the first upsert had no version, the later ones do.
  CHECK(r.product == "OpenSSH");
  CHECK(r.version == "8.4p1");
  CHECK(r.distro == "Debian-5+deb11u3");

  // Any part of the key differing is another row: site, host, source, raw.
  REQUIRE(store::upsert_software(
      db, {row("", "10.29.1.5", banner, 1, 1), row("ch-quimper", "10.29.1.6", banner, 1, 1),
           row("ch-quimper", "10.29.1.5", banner, 1, 1, 1, "OpenSSH", "", "", "ssh.client.version"),
           row("ch-quimper", "10.29.1.5", "SSH-2.0-OpenSSH_8.4p1", 1, 1)}));
  CHECK(count_rows(db) == 5);
  CHECK(store::upsert_software(db, {}));
}

TEST_CASE("upsert: one transaction — a bad row writes nothing; inside the store's batch it joins that batch") {
  StoreDir dir;
  auto st = store::Store::open(dir.path / "vigie.db").value();
  auto& db = st->db();
  CHECK_FALSE(store::upsert_software(db, {row("s", "h1", "a", 1, 1), row("s", "h2", "b", 1, 1, 0)}));
  CHECK(count_rows(db) == 0);
  CHECK(sqlite3_get_autocommit(db.handle()) != 0);  // no transaction left open

  REQUIRE(st->begin_batch());
  REQUIRE(store::upsert_software(db, {row("s", "h1", "a", 1, 1)}));
  CHECK(st->in_batch());
  st->rollback_batch();
  CHECK(count_rows(db) == 0);

  REQUIRE(st->begin_batch());
  REQUIRE(store::upsert_software(db, {row("s", "h1", "a", 1, 1)}));
  REQUIRE(st->commit_batch());
  CHECK(count_rows(db) == 1);
}

TEST_CASE("list: by site, product, version, host, source; site, product part (any case) and limit filters") {
  StoreDir dir;
  auto st = store::Store::open(dir.path / "vigie.db").value();
  auto& db = st->db();
  REQUIRE(store::upsert_software(
      db,
      {row("ch-quimper", "10.29.1.7", "SSH-2.0-OpenSSH_9.9p1", 1, 1, 1, "OpenSSH", "9.9p1"),
       row("ch-quimper", "10.29.1.5", "SSH-2.0-OpenSSH_8.4p1", 1, 1, 1, "OpenSSH", "8.4p1"),
       row("ch-quimper", "10.29.1.6", "SSH-2.0-OpenSSH_8.4p1", 1, 1, 1, "OpenSSH", "8.4p1"),
       row("ch-quimper", "10.29.1.5", "SSH-2.0-OpenSSH_8.4p1", 1, 1, 1, "OpenSSH", "8.4p1", "", "ssh.client.version"),
       row("ch-quimper", "10.29.1.9", "nginx/1.24.0", 1, 1, 1, "nginx", "1.24.0", "", "http.response.server"),
       row("ch-brest", "10.30.0.3", "SSH-2.0-dropbear_2022.83", 1, 1, 1, "Dropbear SSH", "2022.83"),
       row("ch-brest", "10.30.0.4", "Apache", 1, 1, 1, "Apache httpd", "", "", "http.response.server"),
       row("", "10.0.0.1", "mystery", 1, 1, 1, "")}));

  auto rows = store::list_software(db).value();
  REQUIRE(rows.size() == 8);
  CHECK(hosts(rows) == std::vector<std::string>{"/10.0.0.1", "ch-brest/10.30.0.4", "ch-brest/10.30.0.3",
                                                "ch-quimper/10.29.1.5", "ch-quimper/10.29.1.5", "ch-quimper/10.29.1.6",
                                                "ch-quimper/10.29.1.7", "ch-quimper/10.29.1.9"});
  CHECK(rows[3].source == "ssh.client.version");  // same host, product, version: by source
  CHECK(rows[4].source == "ssh.server.version");

  CHECK(hosts(store::list_software(db, {"ch-brest", "", 100}).value()) ==
        std::vector<std::string>{"ch-brest/10.30.0.4", "ch-brest/10.30.0.3"});
  CHECK(store::list_software(db, {"ch-nowhere", "", 100}).value().empty());
  // A part of the product, any case: "ssh" is in OpenSSH and Dropbear SSH.
  CHECK(store::list_software(db, {"", "ssh", 100}).value().size() == 5);
  CHECK(store::list_software(db, {"", "NGINX", 100}).value().size() == 1);
  CHECK(store::list_software(db, {"ch-brest", "openssh", 100}).value().empty());
  // No wildcards: % and _ are plain characters.
  CHECK(store::list_software(db, {"", "%", 100}).value().empty());
  CHECK(store::list_software(db, {"", "open_sh", 100}).value().empty());
  CHECK(hosts(store::list_software(db, {"", "", 2}).value()) ==
        std::vector<std::string>{"/10.0.0.1", "ch-brest/10.30.0.4"});
  CHECK(store::list_software(db, {"", "", 0}).value().empty());
  CHECK(store::list_software(db, {"", "", std::numeric_limits<std::size_t>::max()}).value().size() == 8);
}

TEST_CASE("products: distinct, non-empty, sorted; of one product: exact, by site, version, host, limited") {
  StoreDir dir;
  auto st = store::Store::open(dir.path / "vigie.db").value();
  auto& db = st->db();
  CHECK(store::software_products(db).value().empty());
  REQUIRE(store::upsert_software(
      db, {row("ch-quimper", "10.29.1.7", "SSH-2.0-OpenSSH_9.9p1", 1, 1, 1, "OpenSSH", "9.9p1"),
           row("ch-quimper", "10.29.1.6", "SSH-2.0-OpenSSH_8.4p1", 1, 1, 1, "OpenSSH", "8.4p1"),
           row("ch-quimper", "10.29.1.5", "SSH-2.0-OpenSSH_8.4p1", 1, 1, 1, "OpenSSH", "8.4p1"),
           row("ch-brest", "10.30.0.2", "SSH-2.0-OpenSSH_9.9p1", 1, 1, 1, "OpenSSH", "9.9p1"),
           row("ch-brest", "10.30.0.3", "SSH-2.0-dropbear_2022.83", 1, 1, 1, "Dropbear SSH", "2022.83"),
           row("ch-brest", "10.30.0.5", "SSH-2.0-OpenSSH_for_Windows_8.1", 1, 1, 1, "OpenSSH for Windows", "8.1"),
           row("", "10.0.0.1", "mystery", 1, 1, 1, "")}));
  CHECK(store::software_products(db).value() ==
        std::vector<std::string>{"Dropbear SSH", "OpenSSH", "OpenSSH for Windows"});

  auto rows = store::software_of_product(db, "OpenSSH").value();
  CHECK(hosts(rows) == std::vector<std::string>{"ch-brest/10.30.0.2", "ch-quimper/10.29.1.5", "ch-quimper/10.29.1.6",
                                                "ch-quimper/10.29.1.7"});
  CHECK(rows[1].version == "8.4p1");
  CHECK(rows[3].version == "9.9p1");
  CHECK(store::software_of_product(db, "openssh").value().empty());  // exact
  CHECK(store::software_of_product(db, "OpenSSH", 2).value().size() == 2);
}

TEST_CASE("purge: by age, then per site the least recently seen beyond the cap") {
  StoreDir dir;
  auto st = store::Store::open(dir.path / "vigie.db").value();
  auto& db = st->db();
  REQUIRE(store::upsert_software(
      db, {row("a", "old", "x", 10, 99), row("a", "edge", "x", 10, 100), row("a", "h1", "x", 10, 400),
           row("a", "h2", "x", 300, 300), row("a", "h3", "x", 10, 500), row("b", "h4", "x", 10, 150),
           row("b", "h5", "x", 10, 200)}));
  // Age: last seen before the cut (100 s) goes, whatever its first sighting; at the cut stays.
  CHECK(store::purge_software(db, 100 * kS, 100).value() == 1);
  CHECK(count_rows(db) == 6);
  CHECK(store::purge_software(db, 100 * kS, 100).value() == 0);

  // Cap 2 per site: a keeps h3 (500) and h1 (400), losing h2 (300) and edge (100); b has 2.
  CHECK(store::purge_software(db, 0, 2).value() == 2);
  CHECK(hosts(store::list_software(db).value()) == std::vector<std::string>{"a/h1", "a/h3", "b/h4", "b/h5"});

  // No cap to speak of: nothing goes (the cap is not a LIMIT: a huge one is not "delete all").
  CHECK(store::purge_software(db, 0, std::numeric_limits<std::size_t>::max()).value() == 0);
  CHECK(count_rows(db) == 4);

  // Both at once: age first (b/h4 at 150 < 160), then the cap of 1 (a/h1, the older of a's).
  CHECK(store::purge_software(db, 160 * kS, 1).value() == 2);
  CHECK(hosts(store::list_software(db).value()) == std::vector<std::string>{"a/h3", "b/h5"});
  CHECK(store::purge_software(db, 0, 0).value() == 2);
  CHECK(count_rows(db) == 0);
}

TEST_CASE("a reopened database keeps the inventory, and folds into it") {
  StoreDir dir;
  const auto file = dir.path / "vigie.db";
  {
    auto st = store::Store::open(file).value();
    REQUIRE(store::upsert_software(
        st->db(), {row("ch-quimper", "10.29.1.5", "SSH-2.0-OpenSSH_8.4p1", 100, 200, 2, "OpenSSH", "8.4p1"),
                   row("ch-brest", "10.30.0.9", "dpkg: openssh-server 1:9.2p1-2+deb12u3", 150, 150, 1, "OpenSSH",
                       "9.2p1", "Debian-2+deb12u3", "package")}));
  }
  auto st = store::Store::open(file).value();
  auto rows = store::list_software(st->db()).value();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].site == "ch-brest");
  CHECK(rows[0].source == "package");
  CHECK(rows[0].distro == "Debian-2+deb12u3");
  CHECK(rows[1].first_seen == 100 * kS);
  CHECK(rows[1].count == 2);
  REQUIRE(store::upsert_software(
      st->db(), {row("ch-quimper", "10.29.1.5", "SSH-2.0-OpenSSH_8.4p1", 300, 300, 1, "OpenSSH", "8.4p1")}));
  rows = store::list_software(st->db(), {"ch-quimper", "", 10}).value();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].first_seen == 100 * kS);
  CHECK(rows[0].last_seen == 300 * kS);
  CHECK(rows[0].count == 3);
}
