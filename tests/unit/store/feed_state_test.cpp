// Migration 4: the indicator an alert was raised on (alerts.ioc, the journal) and the feed states.
#include <doctest/doctest.h>

#include "helpers.hpp"
#include "store/alert_json.hpp"
#include "store/feed_state.hpp"
#include "store/store.hpp"

using namespace vigie;
using namespace vigie::test;

namespace {

core::IocRef sample_ioc() {
  core::IocRef i;
  i.type = "ip";
  i.value = "198.51.100.23";
  i.field = "source.ip";
  i.observed = "198.51.100.23";
  i.feed = "certfr-ioc";
  i.reference = "CERTFR-2026-IOC-001";
  i.description = "C2 \"Cobalt\" Strike";
  i.tlp = "RED";
  i.confidence = 80;
  return i;
}

}  // namespace

TEST_CASE("an alert's indicator is stored with it and survives the journal's round trip") {
  StoreDir dir;
  auto st = store::Store::open(dir.path / "vigie.db");
  REQUIRE(st);
  auto a = alert_from("198.51.100.23");
  a.ioc = sample_ioc();
  REQUIRE((*st)->record(a, {}, at_s(1'700'000'100)));
  auto s = (*st)->db().prepare("SELECT ioc FROM alerts WHERE id = ?1");
  REQUIRE(s);
  s->bind(1, a.id);
  std::string stored;
  REQUIRE(s->each([&] { stored = s->text(0); }));
  CHECK(stored == core::to_json(*a.ioc));
  CHECK(stored.find(R"("confidence":80)") != std::string::npos);
  store::AlertJsonReader reader;
  auto back = reader.parse(store::alert_to_json_line(a));
  REQUIRE(back);
  REQUIRE(back->ioc);
  CHECK(*back->ioc == *a.ioc);
  a.ioc->confidence = -1;
  back = reader.parse(store::alert_to_json_line(a));
  REQUIRE(back);
  CHECK(back->ioc->confidence == -1);
  a.ioc.reset();
  back = reader.parse(store::alert_to_json_line(a));
  REQUIRE(back);
  CHECK_FALSE(back->ioc);
}

TEST_CASE("feed states: saved whole, replaced, and feeds no longer listed removed") {
  StoreDir dir;
  auto st = store::Store::open(dir.path / "vigie.db");
  REQUIRE(st);
  store::FeedState a{"local", "csv", "/etc/vigie/local.csv", false, at_s(100), at_s(100), "", 2, 3, 1, 0, 0, "", ""};
  store::FeedState b{
      "extra", "list", "/var/lib/vigie/feeds/extra.list", true, at_s(110), {}, "empty file", 0, 0, 0, 0, 0, "", ""};
  REQUIRE(store::save_feed_states((*st)->db(), {a, b}, at_s(120)));
  auto rows = store::load_feed_states((*st)->db());
  REQUIRE(rows);
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[0].name == "extra");  // by name
  CHECK((*rows)[0].spool);
  CHECK((*rows)[0].last_success == core::TimePoint{});
  CHECK((*rows)[0].last_error == "empty file");
  CHECK((*rows)[1].indicators == 2);
  CHECK((*rows)[1].last_attempt == at_s(100));
  CHECK((*rows)[1].etag.empty());
  a.indicators = 5;
  a.etag = "\"5f3e-61a\"";
  a.last_modified = "Wed, 02 Dec 2026 10:00:00 GMT";
  REQUIRE(store::save_feed_states((*st)->db(), {a}, at_s(130)));
  rows = store::load_feed_states((*st)->db());
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].indicators == 5);
  CHECK((*rows)[0].etag == "\"5f3e-61a\"");
  CHECK((*rows)[0].last_modified == "Wed, 02 Dec 2026 10:00:00 GMT");
}
