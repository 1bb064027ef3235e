// value_count correlations: distinct values of a field per group-by key within a timespan.
#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

// Dropped packets and the port scan counting their distinct destination ports (20 in 1 minute).
constexpr std::string_view kPortScan = R"(
title: packet dropped
id: drop
level: low
detection: { s: { event.action: drop }, condition: s }
---
title: port scan
id: port-scan
level: medium
correlation:
  type: value_count
  rules: [drop]
  group-by: [source.ip]
  timespan: 1m
  condition: { field: destination.port, gte: 20 }
)";

constexpr std::string_view kSpray = R"(
title: failed logon
id: logon-failed
level: low
detection: { s: { event.outcome: failure }, condition: s }
---
title: password spray
id: spray
level: high
correlation:
  type: value_count
  rules: [logon-failed]
  group-by: [source.ip]
  timespan: 5m
  condition: { field: user.name, gt: 4 }
)";

core::Event drop(int64_t seconds, int port, const std::string& ip = "10.0.0.9") {
  return event({{"event.action", "drop"},
                {"source.ip", ip},
                {"destination.port", std::to_string(port)},
                {"message", "DROP SRC=" + ip + " DPT=" + std::to_string(port)}},
               seconds);
}

core::Event failed(int64_t seconds, const std::string& user, const std::string& ip = "10.1.1.1") {
  core::Event e = event({{"event.outcome", "failure"}, {"source.ip", ip}, {"message", "fail " + user}}, seconds);
  if (!user.empty()) e.set_copy(std::string_view("user.name"), user);
  return e;
}

struct Direct {
  explicit Direct(std::string_view yaml) : rs(load(yaml)), corr(rs, metrics), matcher(rs, metrics) {}
  std::vector<core::Alert> feed(const std::vector<core::Event>& events) {
    std::vector<core::Alert> out;
    for (auto e : events) {
      matcher.process(e, hits);
      for (uint32_t h : hits) corr.on_hit(h, e, out);
    }
    return out;
  }
  uint32_t index(std::string_view id) const { return *rs->find_rule(id); }
  core::Metrics metrics;
  std::shared_ptr<const RuleSet> rs;
  Correlator corr;
  Matcher matcher;
  std::vector<uint32_t> hits;
};

}  // namespace

TEST_CASE("value_count: 20 distinct ports from one source in a minute is a port scan, 19 is not") {
  Direct d(kPortScan);
  std::vector<core::Event> events;
  for (int i = 0; i < 19; ++i) events.push_back(drop(i * 3, 1000 + i));
  CHECK(d.feed(events).empty());
  auto alerts = d.feed({drop(58, 2000)});
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].rule.id == "port-scan");
  CHECK(alerts[0].key == core::KeyValues{{"source.ip", "10.0.0.9"}});
  CHECK(alerts[0].count == 20);
  CHECK(alerts[0].first_seen == at_s(0));
  CHECK(alerts[0].last_seen == at_s(58));
  CHECK(alerts[0].evidence.size() == core::kMaxEvidence);
  CHECK(alerts[0].evidence.back() == "DROP SRC=10.0.0.9 DPT=2000");
  CHECK(d.corr.open_windows() == 0);  // reset on firing
}

TEST_CASE("value_count: many events on few ports, or ports spread wider than the timespan, do not fire") {
  Direct few(kPortScan);
  std::vector<core::Event> events;
  for (int i = 0; i < 60; ++i) events.push_back(drop(i, 22 + i % 3));
  CHECK(few.feed(events).empty());
  Direct spread(kPortScan);
  events.clear();
  for (int i = 0; i < 40; ++i) events.push_back(drop(i * 4, 1000 + i));  // 16 distinct per minute at most
  CHECK(spread.feed(events).empty());
  Direct sources(kPortScan);  // 10 ports from each of two sources: separate keys
  events.clear();
  for (int i = 0; i < 10; ++i) {
    events.push_back(drop(i, 1000 + i, "10.0.0.1"));
    events.push_back(drop(i, 2000 + i, "10.0.0.2"));
  }
  CHECK(sources.feed(events).empty());
}

TEST_CASE("value_count: out-of-order events count by their timestamps") {
  Direct d(kPortScan);
  std::vector<core::Event> events;
  for (int i = 0; i < 10; ++i) events.push_back(drop(100 + i, 1000 + i));
  for (int i = 0; i < 9; ++i) events.push_back(drop(50 + i, 3000 + i));  // older, within the minute
  events.push_back(drop(0, 4000));                                       // too old to share a span
  CHECK(d.feed(events).empty());
  auto alerts = d.feed({drop(60, 5000)});  // 50..109: 9 + 1 + 10 distinct
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].first_seen == at_s(50));
  CHECK(alerts[0].last_seen == at_s(109));
}

TEST_CASE("value_count: a password spray counts distinct accounts; events without the field do not count") {
  Direct d(kSpray);
  CHECK(d.feed({failed(0, "alice"), failed(1, "alice"), failed(2, "bob"), failed(3, ""), failed(4, ""),
                failed(5, "carol"), failed(6, "dave"), failed(7, "")})
            .empty());
  CHECK(d.corr.window_samples() == 5);  // the three without user.name are not kept
  auto alerts = d.feed({failed(8, "erin")});
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].rule.id == "spray");
  CHECK(alerts[0].count == 6);
  // A later spray within suppress_for updates it.
  alerts = d.feed({failed(20, "u1"), failed(21, "u2"), failed(22, "u3"), failed(23, "u4"), failed(24, "u5")});
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].update);
}

TEST_CASE("value_count: values are compared on their first 256 bytes") {
  Direct d(kSpray);
  const std::string base(300, 'x');
  std::vector<core::Event> events;
  for (int i = 0; i < 5; ++i) events.push_back(failed(i, base + std::to_string(i)));
  CHECK(d.feed(events).empty());  // one distinct value as far as the window knows
  CHECK(d.corr.sample_bytes() == 5 * (kMaxCountedValue + std::string("fail ").size() + 301));  // value + raw
}

TEST_CASE("value_count in batch mode gives the alerts of immediate mode") {
  Direct once(kPortScan), batched(kPortScan);
  std::vector<core::Event> events;
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 20; ++i) events.push_back(drop(round * 10 + i / 4, 1000 + i));
  const auto direct = once.feed(events);
  std::vector<core::Alert> out;
  batched.corr.begin_batch();
  auto more = batched.feed(events);
  batched.corr.end_batch(more);
  REQUIRE(direct.size() == 3);
  CHECK(direct[1].update);
  REQUIRE(more.size() == 2);  // one new alert, then one update folding the two repeats
  CHECK_FALSE(more[0].update);
  CHECK(more[1].update);
  CHECK(more[1].id == direct[2].id);
  CHECK(more[1].count == direct[2].count);
  CHECK(more[1].evidence == direct[2].evidence);
}

TEST_CASE("value_count fingerprint: the type and the counted field enter it") {
  Direct ports(kPortScan);
  std::string other(kPortScan);
  other.replace(other.find("destination.port"), 16, "destination.ip");
  Direct ips(other);
  CHECK(ports.corr.fingerprint(ports.index("port-scan")) != ips.corr.fingerprint(ips.index("port-scan")));
  std::string counted(kPortScan);
  counted.replace(counted.find("type: value_count"), 17, "type: event_count");
  counted.replace(counted.find("field: destination.port, "), 25, "");
  Direct events(counted);
  CHECK(events.corr.fingerprint(events.index("port-scan")) != ports.corr.fingerprint(ports.index("port-scan")));
  Direct same(kPortScan);
  CHECK(same.corr.fingerprint(same.index("port-scan")) == ports.corr.fingerprint(ports.index("port-scan")));
}

TEST_CASE("value_count load errors") {
  const std::string base =
      "title: t\nid: r\ndetection: {s: {a: b}, condition: s}\n---\ntitle: c\nid: c\n"
      "correlation:\n  type: value_count\n  rules: [r]\n  timespan: 5m\n";
  auto e = errors_of(base + "  condition: {gte: 2}\n");
  CHECK(any_contains(e, "bad.yml:11: 'condition' must name the field"));
  for (const char* op : {"eq", "lt", "lte"}) {
    CAPTURE(op);
    e = errors_of(base + "  condition: {field: u, " + op + ": 2}\n");
    CHECK(any_contains(e, std::string("condition '") + op + "' is not supported for value_count in streaming"));
  }
  e = errors_of(base + "  condition: {field: u, gte: 100001}\n");
  CHECK(any_contains(e, "at most 100000"));
  e = errors_of(base + "  condition: {field: '', gte: 3}\n");
  CHECK(any_contains(e, "'field' must be a field name"));
  CHECK(errors_of(base + "  condition: {field: u, gt: 3}\n").empty());
  CHECK(skips_of(base + "  condition: {field: u, gt: 3}\n").empty());
}
