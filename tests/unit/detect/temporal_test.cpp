// temporal and temporal_ordered correlations, aliases, generate, and correlations chained on
// correlations (with cycles rejected at load).
#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

// Three reconnaissance commands on one host by one user (Sigma's temporal example).
constexpr std::string_view kRecon = R"(
title: whoami
id: recon-a
name: recon_cmd_a
detection: { s: { process.command: whoami }, condition: s }
---
title: net user
id: recon-b
name: recon_cmd_b
detection: { s: { process.command: net-user }, condition: s }
---
title: ipconfig
id: recon-c
name: recon_cmd_c
detection: { s: { process.command: ipconfig }, condition: s }
---
title: recon burst
id: recon
level: high
correlation:
  type: TYPE
  rules: [recon_cmd_a, recon_cmd_b, recon_cmd_c]
  group-by: [host.hostname, user.name]
  timespan: 5m
)";

std::string recon(std::string_view type) {
  std::string y(kRecon);
  y.replace(y.find("TYPE"), 4, type);
  return y;
}

core::Event cmd(const std::string& command, int64_t seconds, const std::string& user = "bob") {
  return event({{"process.command", command},
                {"host.hostname", "ws-12"},
                {"user.name", user},
                {"message", command + " by " + user + " t=" + std::to_string(seconds)}},
               seconds);
}

std::vector<core::Alert> run(const std::shared_ptr<const RuleSet>& rs, const std::vector<core::Event>& events) {
  core::Metrics metrics;
  Engine engine(rs, metrics);
  std::vector<core::Alert> out;
  for (auto e : events) engine.process(e, out);
  engine.finish(out);
  return out;
}

std::size_t fresh(const std::vector<core::Alert>& alerts, std::string_view rule) {
  std::size_t n = 0;
  for (const auto& a : alerts) n += !a.update && a.rule.id == rule ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("temporal: all the rules for one key within the timespan, in any order") {
  const auto rs = load(recon("temporal"));
  auto alerts = run(rs, {cmd("ipconfig", 0), cmd("whoami", 60), cmd("net-user", 120)});
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].rule.id == "recon");
  CHECK(alerts[0].count == 3);
  CHECK(alerts[0].first_seen == at_s(0));
  CHECK(alerts[0].last_seen == at_s(120));
  CHECK(alerts[0].key == core::KeyValues{{"host.hostname", "ws-12"}, {"user.name", "bob"}});
  CHECK(alerts[0].evidence.size() == 3);
  // Two of three, or three spread wider than 5 minutes, or three by different users: nothing.
  CHECK(run(rs, {cmd("ipconfig", 0), cmd("whoami", 60), cmd("whoami", 70)}).empty());
  CHECK(run(rs, {cmd("ipconfig", 0), cmd("whoami", 60), cmd("net-user", 301)}).empty());
  CHECK(run(rs, {cmd("ipconfig", 0, "bob"), cmd("whoami", 1, "eve"), cmd("net-user", 2, "bob")}).empty());
  // Out of order by stamp: the span is measured on event time.
  CHECK(fresh(run(rs, {cmd("net-user", 200), cmd("whoami", 10), cmd("ipconfig", 100)}), "recon") == 1);
}

TEST_CASE("temporal: {gte: N} asks for N of the rules") {
  auto y = recon("temporal");
  y += "  condition: { gte: 2 }\n";
  const auto rs = load(y);
  CHECK(fresh(run(rs, {cmd("ipconfig", 0), cmd("ipconfig", 10)}), "recon") == 0);
  CHECK(fresh(run(rs, {cmd("ipconfig", 0), cmd("net-user", 10)}), "recon") == 1);
}

TEST_CASE("temporal_ordered: the rules in the listed order within the timespan") {
  const auto rs = load(recon("temporal_ordered"));
  auto alerts = run(rs, {cmd("whoami", 0), cmd("net-user", 60), cmd("ipconfig", 120)});
  REQUIRE(fresh(alerts, "recon") == 1);
  CHECK(alerts[0].count == 3);
  // Any other order does not fire.
  CHECK(run(rs, {cmd("ipconfig", 0), cmd("whoami", 60), cmd("net-user", 120)}).empty());
  CHECK(run(rs, {cmd("whoami", 0), cmd("ipconfig", 60), cmd("net-user", 120)}).empty());
  // Extra hits in between do not break the chain; a late start gives the tightest span: the
  // whoami at 0 is too early for the ipconfig at 400, the one at 200 is not.
  CHECK(fresh(run(rs, {cmd("whoami", 0), cmd("net-user", 10), cmd("whoami", 200), cmd("net-user", 250),
                       cmd("ipconfig", 400)}),
              "recon") == 1);
  CHECK(run(rs, {cmd("whoami", 0), cmd("net-user", 10), cmd("ipconfig", 400)}).empty());
  // Order is by event time, not arrival: a late whoami stamped first still starts the chain.
  CHECK(fresh(run(rs, {cmd("net-user", 60), cmd("ipconfig", 120), cmd("whoami", 0)}), "recon") == 1);
}

TEST_CASE("temporal load errors: condition beyond the rules, a rule twice, ordered needs all") {
  auto y = recon("temporal");
  CHECK(any_contains(errors_of(y + "  condition: { gte: 4 }\n"),
                     "asks for 4 of the rules; this temporal correlation lists 3"));
  CHECK(any_contains(errors_of(recon("temporal_ordered") + "  condition: { gte: 2 }\n"),
                     "temporal_ordered needs all of its 3 rules in order"));
  std::string twice = recon("temporal_ordered");
  twice.replace(twice.find("recon_cmd_c]"), 12, "recon_cmd_a]");
  CHECK(any_contains(errors_of(twice), "rule 'recon_cmd_a' is listed twice"));
  const auto s = skips_of(y + "  condition: recon_cmd_a and recon_cmd_b\n");
  REQUIRE(s.size() == 1);
  CHECK(s[0].find("boolean condition of a temporal correlation is not supported") != std::string::npos);
}

namespace {

// Sigma's alias example: a 500 from an internal server, and a connection from it to the outside,
// the address of one event's destination being the other's source.
constexpr std::string_view kAliases = R"(
title: internal error
id: internal-error
name: internal_error
detection: { s: { http.response.status_code: 500 }, condition: s }
---
title: new connection
id: new-connection
name: new_network_connection
detection: { s: { event.category: network, event.outcome: success }, condition: s }
---
title: error then connection
id: error-connection
level: medium
correlation:
  type: temporal
  rules: [internal_error, new_network_connection]
  group-by: [internal_ip, remote_ip]
  timespan: 10s
  aliases:
    internal_ip: { internal_error: destination.ip, new_network_connection: source.ip }
    remote_ip: { internal_error: source.ip, new_network_connection: destination.ip }
)";

core::Event http500(const std::string& server, const std::string& client, int64_t s) {
  return event({{"http.response.status_code", "500"},
                {"destination.ip", server},
                {"source.ip", client},
                {"message", "500 " + client + " -> " + server}},
               s);
}
core::Event connection(const std::string& from, const std::string& to, int64_t s) {
  return event({{"event.category", "network"},
                {"event.outcome", "success"},
                {"source.ip", from},
                {"destination.ip", to},
                {"message", "conn " + from + " -> " + to}},
               s);
}

}  // namespace

TEST_CASE("aliases: a group-by name read from a different field in each rule") {
  const auto rs = load(kAliases);
  auto alerts = run(rs, {http500("10.29.1.5", "198.51.100.7", 0), connection("10.29.1.5", "198.51.100.7", 4)});
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].key == core::KeyValues{{"internal_ip", "10.29.1.5"}, {"remote_ip", "198.51.100.7"}});
  // Same fields without the aliases' swap: the connection goes the other way, another key.
  CHECK(run(rs, {http500("10.29.1.5", "198.51.100.7", 0), connection("198.51.100.7", "10.29.1.5", 4)}).empty());
  // Errors: an alias not in group-by, one naming a rule not referenced, one missing a rule.
  const auto no_rule =
      std::string(kAliases).replace(std::string(kAliases).find("new_network_connection: destination"), 22, "nobody");
  CHECK(any_contains(errors_of(no_rule),
                     "alias 'remote_ip' names rule 'nobody', which this correlation does not reference"));
  CHECK(any_contains(errors_of(no_rule), "alias 'remote_ip' gives no field for rule 'new-connection'"));
  const auto stray = std::string(kAliases) + "    stray: { internal_error: host.ip }\n";
  CHECK(any_contains(errors_of(stray), "alias 'stray' is not a group-by name of this correlation"));
}

namespace {

// Sigma's chaining example: many failed logins (a correlation) followed by a success.
constexpr std::string_view kChain = R"(
title: failed login
id: failed
name: failed_login
detection: { s: { event.action: login, event.outcome: failure }, condition: s }
---
title: successful login
id: success
name: successful_login
detection: { s: { event.action: login, event.outcome: success }, condition: s }
---
title: many failed logins
id: many-failed
name: multiple_failed_login
correlation:
  type: event_count
  rules: [failed_login]
  group-by: [user.name]
  timespan: 10m
  condition: { gte: 3 }
---
title: failures then success
id: failures-then-success
level: high
correlation:
  type: temporal_ordered
  rules: [multiple_failed_login, successful_login]
  group-by: [user.name]
  timespan: 10m
)";

core::Event login(const std::string& outcome, int64_t s, const std::string& user = "alice") {
  return event({{"event.action", "login"},
                {"event.outcome", outcome},
                {"user.name", user},
                {"message", "login " + outcome + " " + user + " t=" + std::to_string(s)}},
               s);
}

}  // namespace

TEST_CASE("chaining: a correlation's firings feed the correlation that references it") {
  const auto rs = load(kChain);
  auto alerts = run(rs, {login("failure", 0), login("failure", 10), login("failure", 20), login("success", 30)});
  // The inner correlation is referenced without generate: only the outer one alerts.
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].rule.id == "failures-then-success");
  CHECK(alerts[0].count == 4);  // three failures (the inner firing weighs 3) and the success
  CHECK(alerts[0].first_seen == at_s(20));
  CHECK(alerts[0].last_seen == at_s(30));
  CHECK(alerts[0].key == core::KeyValues{{"user.name", "alice"}});
  // A success before the burst, too few failures, another user: nothing.
  CHECK(run(rs, {login("success", 0), login("failure", 10), login("failure", 20), login("failure", 30)}).empty());
  CHECK(run(rs, {login("failure", 0), login("failure", 10), login("success", 30)}).empty());
  CHECK(
      run(rs, {login("failure", 0), login("failure", 10), login("failure", 20), login("success", 30, "bob")}).empty());
}

TEST_CASE("chaining: generate on the outer one keeps the inner correlation's own alerts") {
  std::string y(kChain);
  y += "  generate: true\n";
  const auto rs = load(y);
  const auto alerts = run(rs, {login("failure", 0), login("failure", 10), login("failure", 20), login("success", 30)});
  CHECK(fresh(alerts, "many-failed") == 1);
  CHECK(fresh(alerts, "success") == 1);  // generate covers every referenced rule (Sigma)
  CHECK(fresh(alerts, "failures-then-success") == 1);
}

TEST_CASE("chaining: cycles are load errors naming the loop") {
  const std::string base = "title: f\nid: f\ndetection: { s: { a: b }, condition: s }\n";
  const auto corr = [](const std::string& id, const std::string& refs) {
    return "---\ntitle: " + id + "\nid: " + id + "\ncorrelation:\n  type: event_count\n  rules: [" + refs +
           "]\n  timespan: 5m\n  condition: { gte: 2 }\n";
  };
  auto e = errors_of(base + corr("a", "f, b") + corr("b", "a"));
  INFO(e.size());
  CHECK(any_contains(e, "correlation cycle: a → b → a"));
  CHECK(any_contains(e, "bad.yml:"));
  e = errors_of(base + corr("self", "self"));
  CHECK(any_contains(e, "correlation cycle: self → self"));
  // A chain without a loop loads.
  CHECK(errors_of(base + corr("a", "f") + corr("b", "a") + corr("c", "b, a")).empty());
}

TEST_CASE("chaining in batch mode (the serve pipeline) gives the alerts of immediate mode") {
  const auto rs = load(kChain);
  std::vector<core::Event> events;
  for (int burst = 0; burst < 2; ++burst) {
    const int64_t t0 = burst * 100;
    for (int i = 0; i < 3; ++i) events.push_back(login("failure", t0 + i * 5));
    events.push_back(login("success", t0 + 20));
  }
  core::Metrics m1, m2;
  Correlator once(rs, m1), batched(rs, m2);
  Matcher matcher(rs, m1);
  std::vector<uint32_t> hits;
  std::vector<core::Alert> direct, more;
  batched.begin_batch();
  for (auto e : events) {
    matcher.process(e, hits);
    for (const uint32_t h : hits) {
      once.on_hit(h, e, direct);
      batched.on_hit(h, e, more);
    }
  }
  batched.end_batch(more);
  REQUIRE(direct.size() == 2);  // the second sequence updates the first alert (suppress_for 1h)
  CHECK(direct[1].update);
  CHECK(direct[1].count == 8);
  REQUIRE(more.size() == 2);
  CHECK_FALSE(more[0].update);
  CHECK(more[1].id == direct[1].id);
  CHECK(more[1].count == direct[1].count);
  CHECK(more[1].evidence == direct[1].evidence);
}
