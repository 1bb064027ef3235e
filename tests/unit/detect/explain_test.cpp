// Introspection for `vigie rules explain`: the decode trace of the Matcher (each decoder's
// outcome and the fields it set) and near misses (explain.hpp).
#include "detect/explain.hpp"

#include "core/metrics.hpp"
#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

constexpr std::string_view kDecoders = R"(decoder: sshd
when: { process.name: [sshd, sshd-session] }
patterns:
  - regex: '^Accepted (?P<m>\S+) for (?P<u>\S+) from (?P<ip>\S+) port (?P<p>\d+)'
    fields: { ssh.auth.method: m, user.name: u, source.ip: ip, source.port: p, event.action: "=ssh_login", event.outcome: "=success" }
---
decoder: fw
kv: { prefix: fw., require: [devid, logid], map: { srcip: source.ip } }
---
)";

constexpr std::string_view kRules = R"(title: root password login
id: root-password
level: medium
logsource: { product: linux, service: sshd }
detection:
  selection:
    event.action: ssh_login
    event.outcome: success
    user.name: root
    ssh.auth.method: password
  condition: selection
---
title: any ssh login
id: any-login
level: low
logsource: { product: linux, service: sudo }
detection:
  selection: { event.action: ssh_login }
  condition: selection
---
title: logins not from the bastion
id: not-bastion
level: low
detection:
  selection: { event.action: ssh_login }
  bastion: { source.ip|cidr: 10.9.0.0/24 }
  condition: selection and not bastion
)";

struct Fixture {
  core::Metrics metrics;
  std::shared_ptr<const RuleSet> rules = load(std::string(kDecoders) + std::string(kRules));
  Matcher matcher{rules, metrics};

  Explanation run(std::initializer_list<std::pair<std::string, std::string>> fields) {
    auto e = event(fields);
    return explain(matcher, *rules, e);
  }
};

const NearMiss* miss_of(const Fixture& f, const Explanation& ex, std::string_view id) {
  for (const auto& nm : ex.near_misses)
    if (f.rules->rule(nm.rule).id == id) return &nm;
  return nullptr;
}

}  // namespace

TEST_CASE("explain: each decoder says whether it applied, why not, and which fields it set") {
  Fixture f;
  auto ex = f.run({{"process.name", "sshd"}, {"message", "Accepted publickey for root from 10.9.0.4 port 50122 ssh2"}});
  REQUIRE(ex.decoders.size() == 2);
  CHECK(ex.decoders[0].outcome == DecodeStep::Outcome::applied);
  CHECK(ex.decoders[0].pattern == 0);
  const std::vector<std::pair<std::string, std::string>> set{
      {"ssh.auth.method", "publickey"}, {"user.name", "root"},         {"source.ip", "10.9.0.4"},
      {"source.port", "50122"},         {"event.action", "ssh_login"}, {"event.outcome", "success"}};
  CHECK(ex.decoders[0].set == set);
  CHECK(ex.decoders[1].outcome == DecodeStep::Outcome::kv_rejected);
  CHECK(ex.decoders[1].detail == "required key 'devid' missing");

  auto other = f.run({{"process.name", "cron"}, {"message", "Accepted publickey for root from 10.9.0.4 port 1"}});
  CHECK(other.decoders[0].outcome == DecodeStep::Outcome::when_failed);
  CHECK(other.decoders[0].detail == "process.name is 'cron', wants 'sshd' or 'sshd-session'");
  CHECK(other.decoders[0].set.empty());

  auto nomatch = f.run({{"process.name", "sshd"}, {"message", "Connection closed by 10.9.0.4 port 1 [preauth]"}});
  CHECK(nomatch.decoders[0].outcome == DecodeStep::Outcome::no_pattern);

  auto half = f.run({{"message", "devid=FG100E logdesc=x srcip=192.0.2.1"}});
  CHECK(half.decoders[1].outcome == DecodeStep::Outcome::kv_rejected);
  CHECK(half.decoders[1].detail == "required key 'logid' missing");
  auto kv = f.run({{"message", "devid=FG100E logid=0100032002 srcip=192.0.2.1"}});
  CHECK(kv.decoders[1].outcome == DecodeStep::Outcome::applied);
  CHECK(kv.decoders[1].pattern == -1);
  CHECK(kv.decoders[1].set.size() == 4);  // three prefixed pairs and source.ip
}

TEST_CASE("explain: the trace changes nothing: the traced event and its hits are the plain Matcher's") {
  Fixture f;
  auto traced =
      event({{"process.name", "sshd"}, {"message", "Accepted password for root from 192.0.2.9 port 22 ssh2"}});
  auto plain = traced;
  auto ex = explain(f.matcher, *f.rules, traced);
  std::vector<uint32_t> hits;
  f.matcher.process(plain, hits);
  CHECK(ex.matched == hits);
  REQUIRE(hits.size() == 2);  // root-password and not-bastion
  plain.for_each([&](std::string_view k, std::string_view v) { CHECK(traced.get(k) == v); });
}

TEST_CASE("explain: a selection failing on one field item is a near miss naming the item and the value") {
  Fixture f;
  auto ex = f.run({{"process.name", "sshd"}, {"message", "Accepted publickey for root from 10.9.0.4 port 50122 ssh2"}});
  CHECK(ex.matched.empty());  // not-bastion: the bastion excludes it
  const NearMiss* nm = miss_of(f, ex, "root-password");
  REQUIRE(nm != nullptr);
  CHECK(nm->kind == NearMiss::Kind::one_test);
  CHECK(nm->part == "selection");
  CHECK(nm->test == "ssh.auth.method: password");
  CHECK(nm->where == "test.yml:19");
  REQUIRE(nm->values.size() == 1);
  CHECK(nm->values[0] == std::pair<std::string, std::optional<std::string>>{"ssh.auth.method", "publickey"});
  // Two failing items is not near: a different user and method.
  auto far = f.run({{"process.name", "sshd"}, {"message", "Accepted publickey for bob from 10.9.0.4 port 50122 ssh2"}});
  CHECK(miss_of(f, far, "root-password") == nullptr);
}

TEST_CASE("explain: a detection that holds outside its logsource names the logsource and the field") {
  Fixture f;
  auto ex = f.run({{"process.name", "sshd"}, {"message", "Accepted password for root from 192.0.2.9 port 22 ssh2"}});
  const NearMiss* nm = miss_of(f, ex, "any-login");
  REQUIRE(nm != nullptr);
  CHECK(nm->kind == NearMiss::Kind::logsource);
  CHECK(nm->part == "service 'sudo'");
  CHECK(nm->where.find("logsources.yml:") != std::string::npos);
  REQUIRE(!nm->values.empty());
  CHECK(nm->values[0] == std::pair<std::string, std::optional<std::string>>{"process.name", "sshd"});
}

TEST_CASE("explain: a filter selection that excludes the event is named") {
  Fixture f;
  auto ex = f.run({{"process.name", "sshd"}, {"message", "Accepted password for alice from 10.9.0.4 port 22 ssh2"}});
  const NearMiss* nm = miss_of(f, ex, "not-bastion");
  REQUIRE(nm != nullptr);
  CHECK(nm->kind == NearMiss::Kind::filtered);
  CHECK(nm->part == "bastion");
  CHECK(nm->test == "source.ip|cidr: 10.9.0.0/24");
  // From elsewhere it matches: no near miss, a hit.
  auto hit = f.run({{"process.name", "sshd"}, {"message", "Accepted password for alice from 192.0.2.9 port 22 ssh2"}});
  CHECK(miss_of(f, hit, "not-bastion") == nullptr);
  CHECK(hit.matched.size() == 1);
}
