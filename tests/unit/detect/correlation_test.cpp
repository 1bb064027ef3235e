#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

// A plain rule with suppress_for, keyed by user, and its event.
constexpr std::string_view kRootLogin = R"(
title: root login
id: root
level: medium
suppress_for: 10m
group-by: [user.name]
detection: { s: { event.action: login }, condition: s }
)";

core::Event login(int64_t seconds) { return event({{"event.action", "login"}, {"user.name", "root"}}, seconds); }

core::Event failure(int64_t seconds, const std::string& ip = "183.62.140.253", const std::string& site = "ch-a") {
  auto e = event({{"observer.site", site},
                  {"event.action", "ssh_login"},
                  {"event.outcome", "failure"},
                  {"source.ip", ip},
                  {"message", "Failed password from " + ip + " t=" + std::to_string(seconds)}},
                 seconds);
  return e;
}

// Feeds events straight to a Correlator (advance only when a test calls it), in the order given.
struct Direct {
  explicit Direct(std::string_view yaml, EvictionClock clock = EvictionClock::event_time)
      : rs(load(yaml)), corr(rs, metrics, clock), matcher(rs, metrics) {}
  std::vector<core::Alert> feed(const std::vector<core::Event>& events) {
    std::vector<core::Alert> out;
    for (const auto& e : events) hit(e, out);
    return out;
  }
  void hit(core::Event e, std::vector<core::Alert>& out) {
    matcher.process(e, hits);
    for (uint32_t h : hits) corr.on_hit(h, e, out);
  }
  core::Metrics metrics;
  std::shared_ptr<const RuleSet> rs;
  Correlator corr;
  Matcher matcher;
  std::vector<uint32_t> hits;
};

}  // namespace

TEST_CASE("event_count fires once at the threshold, in order; referenced rule raises nothing") {
  Direct d(kSshBruteForce);
  auto alerts = d.feed({failure(0), failure(60)});
  CHECK(alerts.empty());
  alerts = d.feed({failure(120)});
  REQUIRE(alerts.size() == 1);
  const auto& a = alerts[0];
  CHECK(a.rule.id == "ssh-bruteforce");
  CHECK(a.rule.level == core::Level::high);
  CHECK_FALSE(a.update);
  CHECK(a.count == 3);
  CHECK(a.site == "ch-a");
  CHECK(a.key == core::KeyValues{{"observer.site", "ch-a"}, {"source.ip", "183.62.140.253"}});
  CHECK(a.first_seen == at_s(0));
  CHECK(a.last_seen == at_s(120));
  CHECK(a.evidence.size() == 3);
  CHECK(a.evidence.front() == "Failed password from 183.62.140.253 t=0");
  CHECK(a.id == core::make_alert_id("ssh-bruteforce", a.key, at_s(0)));
  CHECK(a.summary == "SSH brute force — observer.site=ch-a, source.ip=183.62.140.253");
  CHECK(d.metrics.value("vigie_rule_hits_total", {{"rule", "ssh-failed"}}) == 3);
  CHECK(d.metrics.value("vigie_alerts_total", {{"level", "high"}}) == 1);
  CHECK(d.metrics.value("vigie_alerts_total", {{"level", "low"}}) == 0);
}

TEST_CASE("the window is inclusive of timespan and slides across its boundary") {
  Direct exact(kSshBruteForce);
  CHECK(exact.feed({failure(0), failure(150), failure(300)}).size() == 1);  // 300 s apart: inside
  Direct past(kSshBruteForce);
  CHECK(past.feed({failure(0), failure(200), failure(301)}).empty());  // 0 and 301 are too far apart
  auto late = past.feed({failure(400)});                               // 200, 301, 400 fit in 5 minutes
  REQUIRE(late.size() == 1);
  CHECK(late[0].first_seen == at_s(200));
  CHECK(late[0].last_seen == at_s(400));
}

TEST_CASE("events out of order count by their timestamps") {
  Direct d(kSshBruteForce);
  CHECK(d.feed({failure(400), failure(0), failure(200)}).empty());
  auto alerts = d.feed({failure(250)});  // 0, 200, 250 lie within 5 minutes
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].first_seen == at_s(0));
  CHECK(alerts[0].last_seen == at_s(250));
  CHECK(alerts[0].evidence.front().ends_with("t=0"));
}

TEST_CASE("group-by values keep separate windows") {
  Direct d(kSshBruteForce);
  CHECK(d.feed({failure(0, "1.1.1.1"), failure(1, "2.2.2.2"), failure(2, "1.1.1.1"), failure(3, "2.2.2.2"),
                failure(4, "1.1.1.1", "ch-b")})
            .empty());
  auto alerts = d.feed({failure(5, "2.2.2.2")});
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].key == core::KeyValues{{"observer.site", "ch-a"}, {"source.ip", "2.2.2.2"}});
}

TEST_CASE("a repeat within suppress_for updates the open alert; after it a new alert opens") {
  Direct d(kSshBruteForce);  // default suppress_for 1h
  auto first = d.feed({failure(0), failure(1), failure(2)});
  REQUIRE(first.size() == 1);
  auto again = d.feed({failure(10), failure(11), failure(12)});  // the window was reset after firing
  REQUIRE(again.size() == 1);
  CHECK(again[0].update);
  CHECK(again[0].id == first[0].id);
  CHECK(again[0].count == 6);
  CHECK(again[0].first_seen == at_s(0));
  CHECK(again[0].last_seen == at_s(12));
  CHECK(again[0].evidence.size() == 6);
  CHECK(d.metrics.value("vigie_alerts_total", {{"level", "high"}}) == 1);
  auto later = d.feed({failure(3700), failure(3701), failure(3702)});  // > 1h after last_seen 12
  REQUIRE(later.size() == 1);
  CHECK_FALSE(later[0].update);
  CHECK(later[0].id != first[0].id);
  CHECK(later[0].count == 3);
}

TEST_CASE("plain rules: default key observer.site, suppress_for, evidence capped") {
  Direct d(R"(
title: Sudo failure
id: sudo-fail
level: medium
suppress_for: 10m
detection: { s: { message|contains: 'incorrect password' }, condition: s }
)");
  auto line = [](int64_t t, const std::string& site) {
    return event({{"observer.site", site}, {"message", "sudo: 3 incorrect password attempts"}}, t);
  };
  auto a = d.feed({line(0, "ch-a"), line(60, "ch-a"), line(61, "ch-b")});
  REQUIRE(a.size() == 3);
  CHECK_FALSE(a[0].update);
  CHECK(a[0].key == core::KeyValues{{"observer.site", "ch-a"}});
  CHECK(a[0].summary == "Sudo failure — observer.site=ch-a");
  CHECK(a[1].update);
  CHECK(a[1].id == a[0].id);
  CHECK(a[1].count == 2);
  CHECK(a[1].last_seen == at_s(60));
  CHECK_FALSE(a[2].update);  // another site, another key
  auto b = d.feed({line(60 + 599, "ch-a")});
  CHECK(b.at(0).update);
  auto c = d.feed({line(659 + 600, "ch-a")});  // exactly suppress_for after last_seen: new alert
  CHECK_FALSE(c.at(0).update);
  CHECK(c.at(0).id != a[0].id);
  std::vector<core::Event> many;
  for (int i = 0; i < 30; ++i) many.push_back(line(2000 + i, "ch-a"));
  auto m = d.feed(many);
  CHECK(m.back().count == 30);
  CHECK(m.back().evidence.size() == core::kMaxEvidence);
}

TEST_CASE("generate: true keeps the referenced rule's own alerts; gt is strict") {
  Direct d(R"(
title: fail
id: fail
detection: { s: { event.outcome: failure }, condition: s }
---
title: many
id: many
correlation: { type: event_count, rules: [fail], group-by: [source.ip], timespan: 1m, condition: { gt: 1 }, generate: true }
)");
  auto alerts = d.feed({failure(0)});
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].rule.id == "fail");
  alerts = d.feed({failure(1)});
  REQUIRE(alerts.size() == 2);
  CHECK(alerts[0].rule.id == "fail");
  CHECK(alerts[0].update);
  CHECK(alerts[1].rule.id == "many");
  CHECK(alerts[1].key == core::KeyValues{{"source.ip", "183.62.140.253"}});
}

TEST_CASE("correlations reference rules by Sigma name too") {
  Direct d(R"(
title: fail
id: 5d3c1f7e-0000-4000-8000-000000000001
name: failed_logins
detection: { s: { event.outcome: failure }, condition: s }
---
title: many
id: many
correlation: { type: event_count, rules: [failed_logins], timespan: 1m, condition: { gte: 2 } }
)");
  auto alerts = d.feed({failure(0), failure(1)});
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].key.empty());
  CHECK(alerts[0].summary == "many");
}

TEST_CASE("advance evicts windows and suppressions; older events are counted late but accepted") {
  Direct d(kSshBruteForce);
  d.feed({failure(0), failure(10)});
  CHECK(d.corr.open_windows() == 1);
  std::vector<core::Alert> out;
  d.corr.advance(at_s(311), out);  // 10 + 300 < 311: nothing can join these samples any more
  CHECK(d.corr.open_windows() == 0);
  CHECK(out.empty());
  auto alerts = d.feed({failure(20), failure(30), failure(40)});
  CHECK(d.metrics.value("vigie_events_late_total") == 3);  // all older than the watermark 311
  REQUIRE(alerts.size() == 1);                             // ...and still counted by timestamp
  CHECK(alerts[0].first_seen == at_s(20));
  CHECK(alerts[0].last_seen == at_s(40));
  CHECK(d.corr.open_alerts() == 1);
  d.corr.advance(at_s(40 + 3599), out);
  CHECK(d.corr.open_alerts() == 1);  // last_seen + suppress_for not reached yet
  d.corr.advance(at_s(40 + 3600), out);
  CHECK(d.corr.open_alerts() == 0);
}

TEST_CASE("Engine: matcher + correlator in one thread, finish flushes state") {
  core::Metrics metrics;
  auto rs = load(kSshBruteForce);
  Engine engine(rs, metrics);
  std::vector<core::Alert> out;
  for (int i = 0; i < 7; ++i) {
    auto e = failure(i * 30);
    engine.process(e, out);
  }
  REQUIRE(out.size() == 2);  // 0,30,60 → alert; 90,120,150 → update
  CHECK(out[1].update);
  CHECK(out[1].count == 6);
  engine.finish(out);
  CHECK(out.size() == 2);
}

TEST_CASE("watermark: a clock ahead of the receiver cannot wipe open windows") {
  auto rs = load(kSshBruteForce);
  core::Metrics metrics;
  SUBCASE("serve: a line stamped 2099, received now, counts as received now") {
    Engine engine(rs, metrics);
    std::vector<core::Alert> out;
    // 20 ordinary events from other hosts let the watermark follow the traffic.
    for (int i = 0; i < 20; ++i) {
      auto other = event({{"message", "tick"}}, i);
      engine.process(other, out);
    }
    auto f1 = failure(100), f2 = failure(110);
    engine.process(f1, out);
    engine.process(f2, out);
    for (int i = 0; i < 20; ++i) {  // a whole burst from a host whose clock says 2099
      auto future = event({{"message", "hello from the future"}}, 4'070'908'800);
      future.ingested = at_s(111 + i);
      engine.process(future, out);
    }
    auto f3 = failure(130);
    engine.process(f3, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].rule.id == "ssh-bruteforce");
    CHECK(out[0].count == 3);
  }
  SUBCASE("replay: a few outliers even after reception time do not move the watermark") {
    Engine engine(rs, metrics);
    std::vector<core::Alert> out;
    for (int i = 0; i < 20; ++i) {
      auto other = event({{"message", "tick"}}, i);
      other.ingested = at_s(10'000'000);  // replay: received "now", long after the log was written
      engine.process(other, out);
    }
    auto f1 = failure(100), f2 = failure(110);
    f1.ingested = f2.ingested = at_s(10'000'000);
    engine.process(f1, out);
    engine.process(f2, out);
    for (std::size_t i = 0; i + 1 < LatestTimes::kQuorum; ++i) {
      auto future = event({{"message", "2099"}}, 4'070'908'800);
      future.ingested = at_s(10'000'000);
      engine.process(future, out);
    }
    auto f3 = failure(130);
    f3.ingested = at_s(10'000'000);
    engine.process(f3, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].count == 3);
  }
}

TEST_CASE("LatestTimes keeps the kQuorum latest, merges, and is min() until it has that many") {
  LatestTimes a;
  for (int i = 0; i + 1 < static_cast<int>(LatestTimes::kQuorum); ++i) a.add(at_s(i));
  CHECK(a.quorum() == core::TimePoint::min());
  a.add(at_s(100));
  CHECK(a.quorum() == at_s(0));
  for (int i = 50; i < 60; ++i) a.add(at_s(i));  // shuffled order does not matter
  CHECK(a.quorum() == at_s(53));                 // the latest 8 are 53..59 and 100
  LatestTimes b;
  for (int i = 0; i < 8; ++i) b.add(at_s(1000 + i));
  a.merge(b);
  CHECK(a.quorum() == at_s(1000));
  Watermark w(std::chrono::seconds(30), EvictionClock::event_time);
  for (int i = 0; i < 8; ++i) w.add(event({{"message", "x"}}, 100 + i));
  CHECK(w.due() == at_s(100 - 30));
  CHECK_FALSE(w.due());  // no second call before the watermark moved a second
}

TEST_CASE("suppression: a late hit updates the open alert and moves first_seen back; a much older one is its own") {
  Direct d(kRootLogin);
  auto out = d.feed({login(1800)});
  REQUIRE(out.size() == 1);
  const auto id = out[0].id;
  out = d.feed({login(1500)});  // 5 min before: within suppress_for, an update
  REQUIRE(out.size() == 1);
  CHECK(out[0].update);
  CHECK(out[0].id == id);
  CHECK(out[0].first_seen == at_s(1500));
  CHECK(out[0].last_seen == at_s(1800));
  CHECK(out[0].count == 2);
  out = d.feed({login(0)});  // 25 min before the open alert: an alert of its own
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].update);
  CHECK(out[0].id != id);
  out = d.feed({login(1900)});  // and the newer alert is still the open one
  REQUIRE(out.size() == 1);
  CHECK(out[0].update);
  CHECK(out[0].id == id);
  CHECK(out[0].count == 3);
}

TEST_CASE("serve: a site whose clock runs an hour slow is still correlated while other sites send") {
  Direct d(kSshBruteForce, EvictionClock::reception_time);
  Watermark clock(d.rs->detection().lateness, EvictionClock::reception_time);
  std::vector<core::Alert> out;
  const auto feed = [&](const core::Event& e) {
    d.hit(e, out);
    clock.add(e);
    if (const auto now = clock.due()) d.corr.advance(*now, out);
  };
  for (int i = 0; i < 10; ++i) {
    const int64_t received = 10'000 + i * 20;
    // site-a stamps an hour behind (a wrong zone); site-b is on time and busy.
    auto slow = failure(received - 3600, "198.51.100.7", "site-a");
    slow.ingested = at_s(received);
    feed(slow);
    for (int j = 0; j < 3; ++j) {
      auto busy = event({{"observer.site", "site-b"}, {"message", "routine"}}, received + j);
      busy.ingested = at_s(received + j);
      feed(busy);
    }
    if (i == 2) break;  // three failures within 5 minutes of site-a's own clock
  }
  REQUIRE(out.size() == 1);
  CHECK(out[0].site == "site-a");
  CHECK(out[0].count == 3);
  // Nothing touched for longer than the timespan, by the receiver's clock: forgotten.
  d.corr.advance(at_s(10'040 + 301), out);
  CHECK(d.corr.open_windows() == 0);
}

TEST_CASE("a busy key that never reaches the threshold keeps a bounded window") {
  Direct d(kSshBruteForce, EvictionClock::reception_time);  // gte 3 in 5 minutes
  std::vector<core::Alert> out;
  for (int64_t i = 0; i < 1000; ++i) {  // one failure every 200 s, forever: never 3 in 5 minutes
    d.hit(failure(i * 200), out);
    d.corr.advance(at_s(i * 200), out);
  }
  CHECK(out.empty());
  CHECK(d.corr.open_windows() == 1);
  CHECK(d.corr.window_samples() <= 3);
}

TEST_CASE("reload: windows and open alerts carry over by rule id") {
  Direct before(kSshBruteForce);
  std::vector<core::Alert> out;
  before.hit(failure(0), out);
  before.hit(failure(10), out);
  // The reloaded set has one rule more, ahead of the others: every index moves.
  Direct after(std::string("title: new\nid: aaa-new\ndetection: { s: { x: y }, condition: s }\n---\n") +
               std::string(kSshBruteForce));
  after.corr.adopt(std::move(before.corr));
  CHECK(after.corr.open_windows() == 1);
  after.hit(failure(20), out);
  REQUIRE(out.size() == 1);  // 0, 10 (before the reload) and 20 (after) make three
  CHECK(out[0].count == 3);
  // A rule that is gone takes its state with it.
  Direct without("title: other\nid: other\ndetection: { s: { x: y }, condition: s }\n");
  without.corr.adopt(std::move(after.corr));
  CHECK(without.corr.open_windows() == 0);
  CHECK(without.corr.open_alerts() == 0);
}

TEST_CASE("restart: an alert taken back from the store is updated by repeats within suppress_for") {
  core::Alert stored;
  stored.id = "stored-id";
  stored.rule.id = "root";
  stored.key = {{"user.name", "root"}};
  stored.count = 4;
  stored.first_seen = at_s(1000);
  stored.last_seen = at_s(1200);
  Direct d(kRootLogin, EvictionClock::reception_time);
  d.corr.restore(stored, at_s(1200));
  std::vector<core::Alert> out;
  d.hit(login(1500), out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].update);
  CHECK(out[0].id == "stored-id");
  CHECK(out[0].count == 5);
  CHECK(out[0].first_seen == at_s(1000));
  // A rule that no longer exists, or has no suppress_for, takes nothing back.
  core::Alert gone = stored;
  gone.rule.id = "deleted-rule";
  Direct other(kRootLogin, EvictionClock::reception_time);
  other.corr.restore(gone, at_s(1200));
  CHECK(other.corr.open_alerts() == 0);
}

TEST_CASE("a backlog older than the open alert folds into one alert of its own, not one per line") {
  Direct d(kRootLogin);
  auto out = d.feed({login(7200)});  // the live alert
  REQUIRE(out.size() == 1);
  const auto live = out[0].id;
  out = d.feed({login(0), login(10), login(20), login(30)});  // a relay flushing last night's queue
  REQUIRE(out.size() == 4);
  CHECK_FALSE(out[0].update);
  for (std::size_t i = 1; i < 4; ++i) {
    CHECK(out[i].update);
    CHECK(out[i].id == out[0].id);
  }
  CHECK(out[3].count == 4);
  CHECK(out[0].id != live);
  out = d.feed({login(7300)});  // and the live one is still the one live repeats update
  REQUIRE(out.size() == 1);
  CHECK(out[0].id == live);
  CHECK(out[0].count == 2);
}

TEST_CASE("serve: a 2099 stamp inside a key does not push that key's real samples out") {
  Direct d(kSshBruteForce, EvictionClock::reception_time);
  std::vector<core::Alert> out;
  const auto feed = [&](int64_t stamp, int64_t received) {
    auto e = failure(stamp);
    e.ingested = at_s(received);
    d.hit(e, out);
    d.corr.advance(at_s(received - 30), out);
  };
  feed(1000, 1000);
  feed(1002, 1002);
  feed(4'070'908'800, 1002);  // the same attacker, one forged stamp
  feed(1003, 1003);
  REQUIRE(out.size() == 1);
  CHECK(out[0].count == 3);
  CHECK(out[0].first_seen == at_s(1000));
}

TEST_CASE("one host stamping hours ahead does not turn the site's later hits into new alerts") {
  Direct d(R"(
title: marker
id: plain
level: low
suppress_for: 1h
detection: { s: { message|contains: PLAINMARK }, condition: s }
)");
  const auto hit = [](int64_t t) { return event({{"observer.site", "ch-a"}, {"message", "PLAINMARK"}}, t); };
  auto out = d.feed({hit(1000), hit(1000 + 3 * 3600)});  // a good host, then one 3 h ahead
  REQUIRE(out.size() == 2);
  const auto first = out[0].id;
  out = d.feed({hit(1001), hit(1002), hit(1003), hit(1004), hit(1005)});
  REQUIRE(out.size() == 5);
  for (const auto& a : out) {
    CHECK(a.update);
    CHECK(a.id == first);
  }
  CHECK(out.back().count == 6);
}
