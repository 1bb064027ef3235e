// Correlation state bounded in memory (issue 5 item 4): key caps per rule and in all with the
// least recently touched key evicted first and counted, evidence bounded in bytes, window samples
// that keep only the lines evidence can use, and state that follows a rule by its content.
#include <map>
#include <numeric>
#include <set>

#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

constexpr std::string_view kRootLogin = R"(
---
title: root login
id: root
level: medium
suppress_for: 10m
group-by: [user.name]
detection: { s: { event.action: login }, condition: s }
)";

config::Detection caps(std::size_t per_rule, std::size_t total, std::size_t evidence = 16 * 1024) {
  config::Detection d;
  d.max_keys_per_rule = per_rule;
  d.max_keys = total;
  d.max_evidence_bytes = evidence;
  return d;
}

core::Event failure(int64_t seconds, const std::string& ip, const std::string& message = "") {
  return event({{"observer.site", "ch-a"},
                {"event.action", "ssh_login"},
                {"event.outcome", "failure"},
                {"source.ip", ip},
                {"message", message.empty() ? "Failed password from " + ip : message}},
               seconds);
}

core::Event login(int64_t seconds, const std::string& user, const std::string& message = "login") {
  return event({{"event.action", "login"}, {"user.name", user}, {"message", message}}, seconds);
}

struct Bounded {
  Bounded(std::string_view yaml, const config::Detection& det)
      : rs(load(yaml, {}, det)), corr(rs, metrics), matcher(rs, metrics) {}
  std::vector<core::Alert> feed(const std::vector<core::Event>& events) {
    std::vector<core::Alert> out;
    for (auto e : events) {
      matcher.process(e, hits);
      for (uint32_t h : hits) corr.on_hit(h, e, out);
    }
    return out;
  }
  uint64_t evicted(const std::string& rule) const {
    return metrics.value("vigie_correlation_evicted_total", {{"rule", rule}});
  }
  uint32_t index(std::string_view id) const { return *rs->find_rule(id); }
  core::Metrics metrics;
  std::shared_ptr<const RuleSet> rs;
  Correlator corr;
  Matcher matcher;
  std::vector<uint32_t> hits;
};

std::size_t bytes_of(const std::vector<std::string>& lines) {
  return std::accumulate(lines.begin(), lines.end(), std::size_t{0},
                         [](std::size_t n, const std::string& s) { return n + s.size(); });
}

}  // namespace

TEST_CASE("per-rule cap: the least recently touched key of the rule is evicted first, and counted") {
  Bounded b(kSshBruteForce, caps(3, 100));
  CHECK(b.feed({failure(0, "1.1.1.1"), failure(1, "2.2.2.2"), failure(2, "3.3.3.3")}).empty());
  CHECK(b.corr.keys_of(b.index("ssh-bruteforce")) == 3);
  CHECK(b.evicted("ssh-bruteforce") == 0);
  CHECK(b.feed({failure(3, "1.1.1.1")}).empty());  // 1.1.1.1 touched again: 2.2.2.2 is now the oldest
  CHECK(b.feed({failure(4, "4.4.4.4")}).empty());  // over the cap: 2.2.2.2 goes
  CHECK(b.evicted("ssh-bruteforce") == 1);
  CHECK(b.corr.keys_of(b.index("ssh-bruteforce")) == 3);
  // 1.1.1.1 kept both hits: a third fires.
  auto a = b.feed({failure(5, "1.1.1.1")});
  REQUIRE(a.size() == 1);
  CHECK(a[0].key.at(1).second == "1.1.1.1");
  // 2.2.2.2 lost its first hit: two more make two, not three.
  CHECK(b.feed({failure(6, "2.2.2.2"), failure(7, "2.2.2.2")}).empty());
  CHECK(b.evicted("ssh-bruteforce") >= 2);
  CHECK(b.corr.keys() <= 3);
}

TEST_CASE("global cap: the least recently touched key of any rule is evicted first") {
  Bounded b(std::string(kSshBruteForce) + std::string(kRootLogin), caps(10, 4));
  b.feed({failure(0, "1.1.1.1"), failure(1, "2.2.2.2"), login(2, "root"), login(3, "admin")});
  CHECK(b.corr.keys() == 4);
  b.feed({failure(4, "3.3.3.3")});  // 1.1.1.1 (another rule's key may be newer) goes
  CHECK(b.evicted("ssh-bruteforce") == 1);
  b.feed({login(5, "alice")});  // then 2.2.2.2, although alice is a key of the other rule
  CHECK(b.evicted("ssh-bruteforce") == 2);
  CHECK(b.evicted("root") == 0);
  CHECK(b.corr.keys() == 4);
  CHECK(b.corr.open_alerts() == 3);
  // root's open alert survived: its repeat is an update, not a new alert.
  auto again = b.feed({login(6, "root")});
  REQUIRE(again.size() == 1);
  CHECK(again[0].update);
}

TEST_CASE("an active brute force survives a spray of one-hit keys") {
  Bounded b(kSshBruteForce, caps(100, 1000));
  std::vector<core::Alert> alerts;
  int spray = 0;
  auto spray_keys = [&](int n, int64_t t) {
    for (int i = 0; i < n; ++i, ++spray) {
      auto out = b.feed({failure(t, "10.0." + std::to_string(spray / 256) + "." + std::to_string(spray % 256))});
      alerts.insert(alerts.end(), out.begin(), out.end());
    }
  };
  spray_keys(200, 0);  // the table is full before the attack starts
  for (int hit = 0; hit < 3; ++hit) {
    spray_keys(80, 10 + hit * 10);  // fewer new keys between two attempts than the cap
    auto out = b.feed({failure(15 + hit * 10, "183.62.140.253")});
    alerts.insert(alerts.end(), out.begin(), out.end());
  }
  CHECK(b.evicted("ssh-bruteforce") == 200 + 3 * 80 + 1 - 100);
  CHECK(b.corr.keys() <= 100);
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].key.at(1).second == "183.62.140.253");
  CHECK(alerts[0].count == 3);
}

TEST_CASE("evidence is bounded in bytes per alert; long lines are cut with a marker") {
  Bounded b(std::string(kRootLogin).substr(4), caps(10, 10, 1024));
  const std::string long_line(600, 'x');
  auto a = b.feed({login(0, "root", long_line), login(1, "root", long_line), login(2, "root", long_line)});
  REQUIRE(a.size() == 3);
  CHECK(a[2].update);
  CHECK(a[2].count == 3);
  CHECK(a[2].evidence.size() == 2);  // the third did not fit at all
  CHECK(a[2].evidence[0] == long_line);
  CHECK(a[2].evidence[1].ends_with("bytes cut]"));
  CHECK(bytes_of(a[2].evidence) <= 1024);
  // One line longer than the whole budget is cut to it.
  auto big = b.feed({login(3, "bob", std::string(5000, 'y'))});
  REQUIRE(big.size() == 1);
  REQUIRE(big[0].evidence.size() == 1);
  CHECK(big[0].evidence[0].size() <= 1024);
  CHECK(big[0].evidence[0].find("bytes cut]") != std::string::npos);
}

TEST_CASE("a window keeps the lines of its latest samples only") {
  auto yaml = std::string(kSshBruteForce);
  yaml.replace(yaml.find("gte: 3"), 6, "gte: 100");
  Bounded b(yaml, caps(10, 10));
  const std::string line(500, 'z');
  std::vector<core::Event> events;
  for (int i = 0; i < 60; ++i) events.push_back(failure(i, "1.1.1.1", line + std::to_string(i)));
  CHECK(b.feed(events).empty());
  CHECK(b.corr.window_samples() == 60);
  CHECK(b.corr.sample_bytes() <= core::kMaxEvidence * 503);
  // Fired, the evidence holds the latest lines of the span, in time order.
  std::vector<core::Event> more;
  for (int i = 60; i < 100; ++i) more.push_back(failure(i, "1.1.1.1", line + std::to_string(i)));
  auto a = b.feed(more);
  REQUIRE(a.size() == 1);
  CHECK(a[0].count == 100);
  REQUIRE(a[0].evidence.size() == core::kMaxEvidence);
  CHECK(a[0].evidence.back() == line + "99");
}

TEST_CASE("reload: a window carries over only when its correlation's definition is unchanged") {
  Bounded before(kSshBruteForce, caps(10, 10));
  before.feed({failure(0, "1.1.1.1"), failure(1, "1.1.1.1"), failure(2, "1.1.1.1"),  // fires, stays open
               failure(3, "2.2.2.2"), failure(4, "2.2.2.2")});                       // two in a window
  CHECK(before.corr.open_windows() == 1);
  CHECK(before.corr.open_alerts() == 1);

  // Same definition, other title and level, rules reordered: the window follows.
  auto renamed = std::string(kSshBruteForce);
  renamed.replace(renamed.find("title: SSH brute force"), 22, "title: Brute force SSH");
  renamed.replace(renamed.find("level: high"), 11, "level: critical");
  Bounded same("title: new\nid: aaa-new\ndetection: { s: { x: y }, condition: s }\n---\n" + renamed, caps(10, 10));
  CHECK(same.corr.fingerprint(same.index("ssh-bruteforce")) == before.corr.fingerprint(before.index("ssh-bruteforce")));
  same.corr.adopt(std::move(before.corr));
  CHECK(same.corr.open_windows() == 1);
  CHECK(same.corr.open_alerts() == 1);

  // Another threshold: the window restarts, the open alert stays.
  auto stricter = std::string(kSshBruteForce);
  stricter.replace(stricter.find("gte: 3"), 6, "gte: 4");
  Bounded changed(stricter, caps(10, 10));
  CHECK(changed.corr.fingerprint(changed.index("ssh-bruteforce")) !=
        same.corr.fingerprint(same.index("ssh-bruteforce")));
  changed.corr.adopt(std::move(same.corr));
  CHECK(changed.corr.open_windows() == 0);
  CHECK(changed.corr.open_alerts() == 1);
  // 2.2.2.2 counts from zero: three more hits are not four.
  CHECK(changed.feed({failure(5, "2.2.2.2"), failure(6, "2.2.2.2"), failure(7, "2.2.2.2")}).empty());
  // 1.1.1.1's alert is still open: four more hits update it.
  auto a = changed.feed({failure(8, "1.1.1.1"), failure(9, "1.1.1.1"), failure(10, "1.1.1.1"), failure(11, "1.1.1.1")});
  REQUIRE(a.size() == 1);
  CHECK(a[0].update);
  CHECK(a[0].count == 7);

  // Another timespan, group-by or referenced rule changes the fingerprint too.
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"timespan: 5m", "timespan: 6m"}, {"[observer.site, source.ip]", "[source.ip]"}}) {
    auto y = std::string(kSshBruteForce);
    y.replace(y.find(from), from.size(), to);
    Bounded other(y, caps(10, 10));
    CHECK(other.corr.fingerprint(other.index("ssh-bruteforce")) !=
          changed.corr.fingerprint(changed.index("ssh-bruteforce")));
  }
}

TEST_CASE("KeyTable: one lookup per touch, least recently touched first, per group and in all") {
  KeyTable<int> t(2, 2, 3);
  std::vector<std::pair<std::string, bool>> evicted;
  auto on_evict = [&](KeyTable<int>::Entry& e, bool group_cap) {
    evicted.emplace_back(std::to_string(e.group) + ":" + std::string(e.key()), group_cap);
  };
  t.touch(0, "a", on_evict).value = 1;
  t.touch(0, "b", on_evict).value = 2;
  t.touch(0, "a", on_evict);  // a is now the most recent of group 0
  t.touch(0, "c", on_evict);  // group 0 full: b goes
  REQUIRE(evicted.size() == 1);
  CHECK(evicted[0] == std::pair<std::string, bool>{"0:b", true});
  CHECK(t.find(0, "a")->value == 1);
  CHECK(t.find(0, "b") == nullptr);
  t.touch(1, "a", on_evict);  // the same key text in another group is another entry
  CHECK(t.size() == 3);
  t.touch(1, "z", on_evict);  // table full: the oldest of all (0:a) goes
  REQUIRE(evicted.size() == 2);
  CHECK(evicted[1] == std::pair<std::string, bool>{"0:a", false});
  CHECK(t.size(0) == 1);
  CHECK(t.size(1) == 2);
  std::vector<std::string> order;
  for (const auto& e : t) order.push_back(std::to_string(e.group) + ":" + std::string(e.key()));
  CHECK(order == std::vector<std::string>{"0:c", "1:a", "1:z"});
  t.erase(*t.find(1, "a"));
  CHECK(t.size() == 2);
  CHECK(t.find(1, "a") == nullptr);
}

namespace {

// The last record of each alert id: what the store and replay keep of a stream of alerts.
std::map<std::string, core::Alert> folded(const std::vector<core::Alert>& alerts) {
  std::map<std::string, core::Alert> out;
  for (const auto& a : alerts) out[a.id] = a;
  return out;
}

}  // namespace

TEST_CASE("batches fold repeats into one update per alert, in the state every update would have reached") {
  // Three users logging in again and again. With a key cap of 2, keys are evicted within a
  // batch (the update they owe must go out first) and returning users open new alerts;
  // immediate and batched correlators must leave the same alerts behind either way.
  std::vector<core::Event> events;
  for (int i = 0; i < 300; ++i) {
    const std::string user = i % 7 == 0 ? "carol" : (i % 3 == 0 ? "bob" : "alice");
    events.push_back(login(i * 5, user, "login " + user + " #" + std::to_string(i)));
  }
  constexpr std::size_t kBatch = 37;  // events per batch, as the pipeline hands them over
  for (const std::size_t cap : {std::size_t{2}, std::size_t{100}}) {
    CAPTURE(cap);
    Bounded once(kRootLogin, caps(cap, 100));
    Bounded batched(kRootLogin, caps(cap, 100));
    const auto immediate = once.feed(events);
    std::vector<core::Alert> out;
    std::size_t i = 0;
    while (i < events.size()) {
      batched.corr.begin_batch();
      for (std::size_t end = std::min(events.size(), i + kBatch); i < end; ++i) {
        auto e = events[i];
        batched.matcher.process(e, batched.hits);
        for (uint32_t h : batched.hits) batched.corr.on_hit(h, e, out);
      }
      batched.corr.end_batch(out);
    }
    CHECK(out.size() < immediate.size());
    if (cap == 100) CHECK(out.size() <= 3 * (events.size() / kBatch + 1) + 3);  // one per user and batch
    const auto a = folded(immediate), b = folded(out);
    REQUIRE(a.size() == b.size());
    if (cap == 2) CHECK(a.size() > 3);  // evictions opened new alerts for returning users
    for (const auto& [id, want] : a) {
      CAPTURE(id);
      REQUIRE(b.count(id) == 1);
      const auto& got = b.at(id);
      CHECK(got.count == want.count);
      CHECK(got.first_seen == want.first_seen);
      CHECK(got.last_seen == want.last_seen);
      CHECK(got.evidence == want.evidence);
      CHECK(got.update == want.update);
      CHECK(got.summary == want.summary);
    }
    std::set<std::string> seen;  // every update comes after the alert it updates
    for (const auto& x : out) {
      if (x.update) CHECK(seen.count(x.id) == 1);
      seen.insert(x.id);
    }
    CHECK(once.evicted("root") == batched.evicted("root"));
  }
}
