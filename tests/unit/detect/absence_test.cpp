// Vigie's absence correlation (a key already seen heard nothing for its timespan), and folded
// repeats ("message repeated N times") counted N times by event_count, once by value_count.
#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

constexpr std::string_view kSilent = R"(
title: a line from a host
id: heard
detection: { s: { host.hostname|exists: true }, condition: s }
---
title: host gone silent
id: silent
level: medium
suppress_for: 1h
correlation:
  type: absence
  rules: [heard]
  group-by: [host.hostname]
  timespan: 10m
)";

core::Event line(const std::string& host, int64_t seconds) {
  return event({{"host.hostname", host}, {"message", host + " says hello at " + std::to_string(seconds)}}, seconds);
}

std::vector<core::Alert> keep_sending(Engine& engine, const std::string& host, int64_t from, int64_t to) {
  std::vector<core::Alert> out;
  for (int64_t t = from; t <= to; t += 60) {
    auto e = line(host, t);
    engine.process(e, out);
  }
  return out;
}

}  // namespace

TEST_CASE("absence: a host that stops while others send fires once, on event-time progress") {
  core::Metrics metrics;
  const auto rs = load(kSilent);
  Engine engine(rs, metrics);
  std::vector<core::Alert> out;
  auto a = line("srv-a", 0);
  engine.process(a, out);
  // srv-b keeps sending; the watermark (8th latest event time, minus 30 s lateness) passes
  // 0 + 10 min once srv-b's lines reach 10 min 30 s and more.
  auto more = keep_sending(engine, "srv-b", 0, 600);
  CHECK(more.empty());
  more = keep_sending(engine, "srv-b", 660, 1800);
  REQUIRE(more.size() == 1);
  CHECK(more[0].rule.id == "silent");
  CHECK(more[0].key == core::KeyValues{{"host.hostname", "srv-a"}});
  CHECK(more[0].count == 1);
  CHECK(more[0].first_seen == at_s(0));  // when it was last heard
  REQUIRE(more[0].evidence.size() == 1);
  CHECK(more[0].evidence[0] == "srv-a says hello at 0");
  // The watch of srv-a ended with the alert; the end of the input fires nothing for srv-b.
  engine.finish(more);
  CHECK(more.size() == 1);
}

TEST_CASE("absence: a silence noticed only when the key is heard again is still reported") {
  core::Metrics metrics;
  const auto rs = load(kSilent);
  Engine engine(rs, metrics);
  std::vector<core::Alert> out;
  for (const int64_t t : {0, 300, 3900}) {  // nothing else moved the clock in between
    auto e = line("srv-a", t);
    engine.process(e, out);
  }
  REQUIRE(out.size() == 1);
  CHECK(out[0].first_seen == at_s(300));
  engine.finish(out);
  CHECK(out.size() == 1);
}

TEST_CASE("absence: lines within the timespan, or the input ending, fire nothing") {
  core::Metrics metrics;
  const auto rs = load(kSilent);
  Engine engine(rs, metrics);
  auto out = keep_sending(engine, "srv-a", 0, 7200);  // every minute for two hours
  engine.finish(out);
  CHECK(out.empty());
  Engine alone(rs, metrics);
  auto e = line("srv-a", 0);
  alone.process(e, out);
  alone.finish(out);
  CHECK(out.empty());
}

TEST_CASE("absence in serve: the receiver's clock decides; heard again within suppress_for updates the alert") {
  core::Metrics metrics;
  const auto rs = load(kSilent);
  Correlator corr(rs, metrics, EvictionClock::reception_time);
  Matcher matcher(rs, metrics);
  std::vector<uint32_t> hits;
  std::vector<core::Alert> out;
  const auto hear = [&](const std::string& host, int64_t stamped, int64_t received) {
    auto e = line(host, stamped);
    e.ingested = at_s(received);
    matcher.process(e, hits);
    for (const uint32_t h : hits) corr.on_hit(h, e, out);
  };
  // Stamped an hour behind (a wrong zone), received now: the watch runs on reception.
  hear("srv-a", 10'000 - 3600, 10'000);
  corr.advance(at_s(10'000 + 600), out);
  CHECK(out.empty());
  corr.advance(at_s(10'000 + 601), out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].first_seen == at_s(10'000 - 3600));
  CHECK(corr.open_windows() == 0);
  CHECK(corr.open_alerts() == 1);
  // Back, then silent again within suppress_for: the open alert is updated, not a second one.
  hear("srv-a", 11'000 - 3600, 11'000);
  corr.advance(at_s(11'000 + 601), out);
  REQUIRE(out.size() == 2);
  CHECK(out[1].update);
  CHECK(out[1].id == out[0].id);
  CHECK(out[1].count == 2);
}

TEST_CASE("absence keys are bounded and evictions counted") {
  config::Detection det;
  det.max_keys_per_rule = 2;
  const auto rs = load(kSilent, {}, det);
  core::Metrics metrics;
  Correlator corr(rs, metrics);
  Matcher matcher(rs, metrics);
  std::vector<uint32_t> hits;
  std::vector<core::Alert> out;
  for (const char* host : {"a", "b", "c"}) {
    auto e = line(host, 0);
    matcher.process(e, hits);
    for (const uint32_t h : hits) corr.on_hit(h, e, out);
  }
  CHECK(corr.keys_of(*rs->find_rule("silent")) == 2);
  CHECK(metrics.value("vigie_correlation_evicted_total", {{"rule", "silent"}}) == 1);
  corr.advance(at_s(601), out);
  CHECK(out.size() == 2);  // b and c; a's watch was evicted
}

TEST_CASE("absence load errors") {
  std::string with_condition(kSilent);
  with_condition += "  condition: { gte: 1 }\n";
  CHECK(any_contains(errors_of(with_condition), "an absence correlation takes no 'condition'"));
  const std::string chained = std::string(kSilent) +
                              "---\ntitle: o\nid: o\ncorrelation:\n  type: event_count\n  rules: [silent]\n"
                              "  timespan: 1h\n  condition: { gte: 2 }\n";
  CHECK(any_contains(errors_of(chained), "correlation 'silent' is an absence"));
}

TEST_CASE("a folded repeat counts N times in event_count, once in value_count") {
  const std::string yaml = std::string(kSshBruteForce) + R"(
---
title: many ports
id: many-ports
correlation:
  type: value_count
  rules: [ssh-failed]
  group-by: [source.ip]
  timespan: 5m
  condition: { field: source.port, gte: 2 }
)";
  const auto rs = load(yaml);
  core::Metrics metrics;
  Engine engine(rs, metrics);
  std::vector<core::Alert> out;
  auto folded = event({{"event.action", "ssh_login"},
                       {"event.outcome", "failure"},
                       {"source.ip", "203.0.113.9"},
                       {"source.port", "4242"},
                       {"message", "Failed password for root from 203.0.113.9 port 4242 ssh2"}},
                      0);
  folded.repeat = 2;
  engine.process(folded, out);
  CHECK(out.empty());  // 2 of 3 failures; one port
  auto one = event({{"event.action", "ssh_login"},
                    {"event.outcome", "failure"},
                    {"source.ip", "203.0.113.9"},
                    {"source.port", "4242"},
                    {"message", "Failed password for root from 203.0.113.9 port 4242 ssh2"}},
                   10);
  engine.process(one, out);
  REQUIRE(out.size() == 1);  // 2 + 1 = 3 failures; still one distinct port
  CHECK(out[0].rule.id == "ssh-bruteforce");
  CHECK(out[0].count == 3);
}
