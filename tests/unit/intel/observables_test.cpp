// Retro-hunt: the keys (intel/observable_key.hpp), the workers' aggregation and the hunt itself
// against a real store (intel/observables.hpp).
#include "intel/observables.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "intel/observable_key.hpp"
#include "intel/observe.hpp"
#include "store/store.hpp"

using namespace vigie;
using namespace vigie::intel;
namespace fs = std::filesystem;

namespace {

struct TempStore {
  fs::path dir;
  std::unique_ptr<store::Store> st;
  TempStore() {
    static int n = 0;
    dir = fs::temp_directory_path() / ("vigie-retro-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(dir);
    st = store::Store::open(dir / "vigie.db").value();
  }
  ~TempStore() {
    st.reset();
    fs::remove_all(dir);
  }
  store::Db& db() { return st->db(); }
};

core::TimePoint day(int d) { return core::TimePoint{std::chrono::days(20'000 + d)}; }

std::string key(IocType t, std::string_view v) { return observable_key(t, v).value(); }

store::ObservableRow seen(IocType t, std::string_view value, std::string site, int first_day, int last_day,
                          int64_t count = 1) {
  return {static_cast<int>(t), key(t, value), std::move(site), day(first_day), day(last_day), count};
}

Indicator ind(IocType t, std::string v) {
  Indicator i;
  i.type = t, i.value = std::move(v), i.feed = "certfr";
  return i;
}

// The observed values of a hunt, in its order, joined by spaces.
std::string observed(const RetroHunt& h) {
  std::string s;
  for (const auto& hit : h.hits) s += (s.empty() ? "" : " ") + hit.observed;
  return s;
}

core::Event event(std::initializer_list<std::pair<std::string_view, std::string_view>> fields, int d = 0) {
  core::Event e;
  for (const auto& [name, value] : fields) e.set_copy(core::FieldRef::of(name), value);
  e.time = day(d);
  return e;
}

}  // namespace

TEST_CASE("keys: addresses as 16 bytes, IPv4 mapped; the same value in any spelling, one key") {
  CHECK(key(IocType::ip, "192.0.2.1") == std::string("\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\x00\x02\x01", 16));
  CHECK(key(IocType::ip, "::ffff:192.0.2.1") == key(IocType::ip, "192.0.2.1"));
  CHECK(key(IocType::ip, "2001:DB8::1") == key(IocType::ip, "[2001:db8:0::1]"));
  CHECK(key(IocType::ip, "2001:db8::1").size() == 16);
  CHECK_FALSE(observable_key(IocType::ip, "192.0.2.0/24"));  // a range is not an observation
  CHECK_FALSE(observable_key(IocType::ip, "-"));
  CHECK_FALSE(observable_key(IocType::ip, "192.0.2.1:443"));
  CHECK(observable_text(IocType::ip, key(IocType::ip, "::ffff:192.0.2.1")) == "192.0.2.1");
  CHECK(observable_text(IocType::ip, key(IocType::ip, "2001:DB8::1")) == "2001:db8::1");
  CHECK(observable_text(IocType::ip, "short") == "?");
}

TEST_CASE("keys: domains lower-cased, trailing dot dropped, labels reversed; other types normalised") {
  CHECK(key(IocType::domain, "a.b.Evil.EXAMPLE.") == "example.evil.b.a");
  CHECK(key(IocType::domain, "evil.example") == "example.evil");
  CHECK(key(IocType::domain, "localhost") == "localhost");
  CHECK_FALSE(observable_key(IocType::domain, "bad..example"));
  CHECK_FALSE(observable_key(IocType::domain, ""));
  CHECK(observable_text(IocType::domain, key(IocType::domain, "WWW.Evil.example.")) == "www.evil.example");
  CHECK(key(IocType::url, "HTTP://Evil.Example:80/x?q#frag") == "http://evil.example/x?q");
  CHECK(key(IocType::email, "Bob@Evil.Example") == "bob@evil.example");
  const std::string md5 = "D41D8CD98F00B204E9800998ECF8427E";
  CHECK(key(IocType::md5, md5).size() == 16);
  CHECK(key(IocType::md5, md5) == key(IocType::md5, "d41d8cd98f00b204e9800998ecf8427e"));
  CHECK(observable_text(IocType::md5, key(IocType::md5, md5)) == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK_FALSE(observable_key(IocType::sha1, md5));  // 32 digits are not a SHA-1
}

TEST_CASE("indicator ranges: CIDR first..last address, /0 the whole family, a domain and its subdomains") {
  const auto r24 = indicator_ranges(IocType::ip, "198.51.100.77/24").value();
  REQUIRE(r24.size() == 1);
  CHECK(r24[0].lo == key(IocType::ip, "198.51.100.0"));
  CHECK(r24[0].hi == key(IocType::ip, "198.51.100.255"));
  CHECK(r24[0].include_hi);
  const auto one = indicator_ranges(IocType::ip, "198.51.100.7").value();
  CHECK(one[0].lo == one[0].hi);
  const auto v4all = indicator_ranges(IocType::ip, "0.0.0.0/0").value();
  CHECK(v4all[0].lo == key(IocType::ip, "0.0.0.0"));
  CHECK(v4all[0].hi == key(IocType::ip, "255.255.255.255"));
  const auto v6all = indicator_ranges(IocType::ip, "::/0").value();
  CHECK(v6all[0].lo == std::string(16, '\0'));
  CHECK(v6all[0].hi == std::string(16, '\xff'));
  const auto v6 = indicator_ranges(IocType::ip, "2001:db8:1::/48").value();
  CHECK(v6[0].lo == key(IocType::ip, "2001:db8:1::"));
  CHECK(v6[0].hi == key(IocType::ip, "2001:db8:1:ffff:ffff:ffff:ffff:ffff"));
  const auto d = indicator_ranges(IocType::domain, "Evil.Example.").value();
  REQUIRE(d.size() == 2);
  CHECK((d[0].lo == "example.evil" && d[0].hi == "example.evil" && d[0].include_hi));
  CHECK((d[1].lo == "example.evil." && d[1].hi == "example.evil/" && !d[1].include_hi));
  CHECK_FALSE(indicator_ranges(IocType::ip, "198.51.100.0/33"));
  CHECK_FALSE(indicator_ranges(IocType::domain, "bad..name"));

  CHECK(range_too_broad(IocType::ip, "0.0.0.0/0"));
  CHECK(range_too_broad(IocType::ip, "10.0.0.0/7"));
  CHECK_FALSE(range_too_broad(IocType::ip, "10.0.0.0/8"));
  CHECK(range_too_broad(IocType::ip, "::/0"));
  CHECK(range_too_broad(IocType::ip, "2001::/15"));
  CHECK(range_too_broad(IocType::ip, "::/80"));  // holds all of ::ffff:0:0/96
  CHECK_FALSE(range_too_broad(IocType::ip, "2001:db8::/32"));
  CHECK_FALSE(range_too_broad(IocType::domain, "example"));

  CHECK(indicator_key(IocType::ip, "192.0.2.0/24") != indicator_key(IocType::ip, "192.0.2.0"));
  CHECK(indicator_key(IocType::ip, "192.0.2.9/24") == indicator_key(IocType::ip, "192.0.2.0/24"));
  CHECK(indicator_key(IocType::domain, "Evil.example") == key(IocType::domain, "evil.example"));
}

TEST_CASE("retro-hunt: a CIDR indicator finds exactly the addresses of its range, edges included") {
  TempStore t;
  REQUIRE(store::upsert_observables(
      t.db(),
      {seen(IocType::ip, "198.51.99.255", "ch-brest", 1, 2), seen(IocType::ip, "198.51.100.0", "ch-brest", 1, 2),
       seen(IocType::ip, "198.51.100.255", "ch-quimper", 3, 5, 7), seen(IocType::ip, "198.51.101.0", "ch-brest", 1, 2),
       seen(IocType::ip, "2001:db8::1", "ch-brest", 1, 2),
       seen(IocType::ip, "::ffff:198.51.100.9", "ch-vannes", 2, 2)}));
  auto h = retro_hunt(t.db(), ind(IocType::ip, "198.51.100.0/24"), day(10)).value();
  CHECK(h.skipped == RetroSkip::none);
  CHECK_FALSE(h.truncated);
  CHECK(observed(h) == "198.51.100.0 198.51.100.9 198.51.100.255");  // earliest first
  REQUIRE(h.hits.size() == 3);
  CHECK(h.hits[2].site == "ch-quimper");
  CHECK(h.hits[2].count == 7);
  CHECK(h.hits[2].first_seen == day(3));
  CHECK(h.hits[2].last_seen == day(5));
  CHECK(h.hits[2].before_publication == std::chrono::days(7));
  CHECK(observed(retro_hunt(t.db(), ind(IocType::ip, "198.51.100.255"), day(10)).value()) == "198.51.100.255");
  CHECK(observed(retro_hunt(t.db(), ind(IocType::ip, "198.51.100.128/25"), day(10)).value()) == "198.51.100.255");
  CHECK(observed(retro_hunt(t.db(), ind(IocType::ip, "2001:db8::/32"), day(10)).value()) == "2001:db8::1");
  // Only what was seen before publication.
  CHECK(observed(retro_hunt(t.db(), ind(IocType::ip, "198.51.100.0/24"), day(3)).value()) ==
        "198.51.100.0 198.51.100.9");
  CHECK(retro_hunt(t.db(), ind(IocType::ip, "198.51.100.0/24"), day(1)).value().hits.empty());
  // Guards: too broad is not hunted (even though /0's bounds are right), invalid neither.
  CHECK(retro_hunt(t.db(), ind(IocType::ip, "0.0.0.0/0"), day(10)).value().skipped == RetroSkip::too_broad);
  CHECK(retro_hunt(t.db(), ind(IocType::ip, "::/0"), day(10)).value().skipped == RetroSkip::too_broad);
  CHECK(retro_hunt(t.db(), ind(IocType::ip, "nope"), day(10)).value().skipped == RetroSkip::invalid);
}

TEST_CASE("retro-hunt: a domain finds itself and its subdomains, never a name that merely ends like it") {
  TempStore t;
  REQUIRE(store::upsert_observables(
      t.db(),
      {seen(IocType::domain, "evil.example", "s1", 1, 1), seen(IocType::domain, "A.B.Evil.Example.", "s1", 2, 2),
       seen(IocType::domain, "cdn.evil.example", "s2", 3, 3), seen(IocType::domain, "notevil.example", "s1", 1, 1),
       seen(IocType::domain, "evil.example.org", "s1", 1, 1), seen(IocType::domain, "evil-x.example", "s1", 1, 1),
       seen(IocType::domain, "evil.examples", "s1", 1, 1), seen(IocType::domain, "example", "s1", 1, 1)}));
  CHECK(observed(retro_hunt(t.db(), ind(IocType::domain, "EVIL.example."), day(10)).value()) ==
        "evil.example a.b.evil.example cdn.evil.example");
  CHECK(observed(retro_hunt(t.db(), ind(IocType::domain, "b.evil.example"), day(10)).value()) == "a.b.evil.example");
  CHECK(observed(retro_hunt(t.db(), ind(IocType::domain, "notevil.example"), day(10)).value()) == "notevil.example");
  CHECK(retro_hunt(t.db(), ind(IocType::domain, "vil.example"), day(10)).value().hits.empty());
  // Limit: the first sightings in key order, flagged.
  auto h = retro_hunt(t.db(), ind(IocType::domain, "evil.example"), day(10), {.limit = 2}).value();
  CHECK(h.truncated);
  CHECK(h.hits.size() == 2);
  h = retro_hunt(t.db(), ind(IocType::domain, "evil.example"), day(10), {.limit = 3}).value();
  CHECK_FALSE(h.truncated);
  CHECK(h.hits.size() == 3);
}

TEST_CASE("retro-hunt: URLs, e-mail addresses and hashes match exactly, in their normalised form") {
  TempStore t;
  const std::string sha = std::string(63, 'a') + "b";
  REQUIRE(store::upsert_observables(
      t.db(),
      {seen(IocType::url, "http://evil.example/x", "s1", 1, 1), seen(IocType::email, "bob@evil.example", "s1", 1, 1),
       seen(IocType::sha256, sha, "s2", 1, 1), seen(IocType::url, "http://evil.example/xy", "s1", 1, 1)}));
  CHECK(observed(retro_hunt(t.db(), ind(IocType::url, "HTTP://EVIL.example:80/x#f"), day(5)).value()) ==
        "http://evil.example/x");
  CHECK(observed(retro_hunt(t.db(), ind(IocType::email, "Bob@Evil.Example"), day(5)).value()) == "bob@evil.example");
  CHECK(observed(retro_hunt(t.db(), ind(IocType::sha256, std::string(63, 'A') + "B"), day(5)).value()) == sha);
  CHECK(retro_hunt(t.db(), ind(IocType::sha1, std::string(40, 'a')), day(5)).value().hits.empty());
}

TEST_CASE("aggregator: every observable field, once per event, first/last/count per site; bad values counted") {
  ObservableAggregator agg;
  CHECK_FALSE(agg.add(event({{"source.ip", "198.51.100.7"},
                             {"client.ip", "198.51.100.7"},
                             {"dns.question.name", "WWW.Evil.Example."},
                             {"destination.ip", "-"}},
                            3),
                      "ch-brest"));
  auto e = event({{"source.ip", "::ffff:198.51.100.7"}, {"Hashes", "SHA1=" + std::string(40, 'c') + ",IMPHASH=00"}}, 1);
  e.repeat = 4;
  agg.add(e, "ch-brest");
  agg.add(event({{"source.ip", "198.51.100.7"}}, 5), "ch-quimper");
  CHECK(agg.size() == 4);
  CHECK(agg.stats().invalid == 1);
  CHECK(agg.stats().observed == 5);
  auto rows = agg.take();
  CHECK(agg.size() == 0);
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::tie(a.type, a.key, a.site) < std::tie(b.type, b.key, b.site);
  });
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].type == static_cast<int>(IocType::ip));
  CHECK(rows[0].site == "ch-brest");
  CHECK(rows[0].count == 5);  // 1 (source.ip = client.ip) + 4 (repeat)
  CHECK(rows[0].first_seen == day(1));
  CHECK(rows[0].last_seen == day(3));
  CHECK(rows[1].site == "ch-quimper");
  CHECK(rows[2].key == "example.evil.www");
  CHECK(rows[3].type == static_cast<int>(IocType::sha1));
  CHECK(rows[3].count == 4);
  CHECK(agg.take().empty());
}

TEST_CASE("aggregator: at its cap the batch is handed over early, whole events at a time; then drops, counted") {
  const std::size_t per_event = max_observables_per_event();
  ObservableAggregator agg(per_event + 10);
  const auto ip = [](int i) { return "198.51." + std::to_string(i / 256) + "." + std::to_string(i % 256); };
  int n = 0;
  bool waiting = false;
  for (; n < 20 && !waiting; ++n) waiting = agg.add(event({{"source.ip", ip(n)}}), "s");
  // 11 events fit (the map holds at most its cap even if an event carries every field); the
  // 12th finds no room for its worst case: the 11 are handed over first, it starts the next.
  CHECK(n == 12);
  CHECK(waiting);
  CHECK(agg.full_batch_waiting());
  CHECK(agg.stats().full == 1);
  CHECK(agg.size() == 1);
  // Not taken: the map fills to its cap, then new values are dropped and known ones updated.
  for (; n < 12 + static_cast<int>(per_event) + 20; ++n) CHECK(agg.add(event({{"source.ip", ip(n)}}), "s"));
  agg.add(event({{"source.ip", ip(11)}}, 7), "s");  // in the map: updated, not dropped
  CHECK(agg.size() == per_event + 10);
  CHECK(agg.stats().full == 1);
  CHECK(agg.stats().dropped == 11);
  const auto rows = agg.take();
  CHECK(rows.size() == 11 + per_event + 10);
  CHECK_FALSE(agg.full_batch_waiting());
  CHECK(agg.stats().observed + agg.stats().dropped == static_cast<uint64_t>(n) + 1);
  const auto updated =
      std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.key == key(IocType::ip, ip(11)); });
  REQUIRE(updated != rows.end());
  CHECK(updated->count == 2);
  CHECK(updated->last_seen == day(7));
}

TEST_CASE("aggregated rows stored, then hunted for: the whole path") {
  TempStore t;
  ObservableAggregator agg;
  agg.add(event({{"destination.ip", "203.0.113.50"}, {"tls.client.server_name", "c2.evil.example"}}, 2), "ch-morlaix");
  agg.add(event({{"destination.ip", "203.0.113.50"}}, 4), "ch-morlaix");
  REQUIRE(store::upsert_observables(t.db(), agg.take()));
  auto h = retro_hunt(t.db(), ind(IocType::ip, "203.0.113.0/24"), day(9)).value();
  REQUIRE(h.hits.size() == 1);
  CHECK(h.hits[0].site == "ch-morlaix");
  CHECK(h.hits[0].count == 2);
  CHECK(h.hits[0].first_seen == day(2));
  CHECK(h.hits[0].last_seen == day(4));
  CHECK(observed(retro_hunt(t.db(), ind(IocType::domain, "evil.example"), day(9)).value()) == "c2.evil.example");
}

TEST_CASE("known indicators: hunted once, also across a restart; past the memory cap the table decides") {
  TempStore t;
  const std::vector<Indicator> feed = {ind(IocType::ip, "192.0.2.0/24"), ind(IocType::ip, "192.0.2.0"),
                                       ind(IocType::domain, "Evil.example"), ind(IocType::domain, "evil.example."),
                                       ind(IocType::domain, "bad..name")};
  KnownIocs known;
  auto fresh = known.fresh(t.db(), feed).value();
  REQUIRE(fresh.size() == 3);  // the duplicate spelling and the invalid value left out
  CHECK(fresh[2]->value == "Evil.example");
  REQUIRE(known.remember(t.db(), fresh, day(1)));
  CHECK(known.size() == 3);
  CHECK(known.fresh(t.db(), feed).value().empty());

  KnownIocs restarted;
  REQUIRE(restarted.load(t.db()));
  CHECK(restarted.fresh(t.db(), feed).value().empty());
  const std::vector<Indicator> more = {ind(IocType::ip, "192.0.2.0/25"), ind(IocType::domain, "evil.example")};
  CHECK(restarted.fresh(t.db(), more).value().size() == 1);

  KnownIocs small(1);
  REQUIRE(small.load(t.db()));
  CHECK(small.size() == 1);
  CHECK(small.over_cap() == 2);
  CHECK(small.fresh(t.db(), feed).value().empty());  // the two not held are found in the table
  auto next = small.fresh(t.db(), more).value();
  REQUIRE(next.size() == 1);
  REQUIRE(small.remember(t.db(), next, day(2)));
  CHECK(small.over_cap() == 3);
  CHECK(small.fresh(t.db(), more).value().empty());
  CHECK(store::load_known_iocs(t.db()).value().size() == 4);
}
