// Indicators of compromise in the engine: the matcher looks decoded observables up in the IOC
// index and writes a match as threat.* fields; the built-in rule (vigie-ioc-match) and `|ioc`
// atoms read it; the correlator carries the indicator into the alert, with the stricter TLP.
#include "helpers.hpp"
#include "intel/ioc_index.hpp"
#include "intel/observe.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

intel::Indicator ind(intel::IocType t, std::string v, std::string tlp = "AMBER") {
  intel::Indicator i;
  i.type = t;
  i.value = std::move(v);
  i.feed = "certfr-ioc";
  i.advisory = "CERTFR-2026-IOC-001";
  i.description = "C2 Cobalt Strike";
  i.tlp = std::move(tlp);
  i.confidence = 80;
  return i;
}

std::shared_ptr<const RuleSet> with_builtin(std::string_view yaml = "") {
  LoadOptions opts;
  opts.builtin_rules = true;
  auto r = load_rules(std::vector<std::filesystem::path>{}, config::Detection{}, opts);
  if (yaml.empty()) {
    REQUIRE(r);
    return *r;
  }
  return load(yaml, opts);
}

std::vector<std::string> hits_with(const std::shared_ptr<const RuleSet>& rs, const intel::IocIndex& iocs,
                                   core::Event& e) {
  core::Metrics metrics;
  Matcher m(rs, metrics);
  m.set_iocs(&iocs);
  std::vector<uint32_t> idx;
  m.process(e, idx);
  std::vector<std::string> out;
  for (uint32_t i : idx) out.push_back(rs->rule(i).id);
  return out;
}

}  // namespace

TEST_CASE("the built-in rule fires on an observable listed in the index, and only then") {
  const auto rs = with_builtin();
  REQUIRE(rs->find_rule(kIocRuleId));
  const intel::IocIndex iocs({ind(intel::IocType::ip, "198.51.100.23"), ind(intel::IocType::domain, "evil.example")});
  auto listed = event({{"source.ip", "198.51.100.23"}, {"message", "x"}});
  CHECK(hits_with(rs, iocs, listed) == std::vector<std::string>{"vigie-ioc-match"});
  CHECK(listed.get(intel::kThreatValue) == "198.51.100.23");
  CHECK(listed.get(intel::kThreatField) == "source.ip");
  CHECK(listed.get(intel::kThreatFeed) == "certfr-ioc");
  CHECK(listed.get(intel::kThreatReference) == "CERTFR-2026-IOC-001");
  CHECK(listed.get(intel::kThreatConfidence) == "80");
  auto parent = event({{"dns.question.name", "a.b.EVIL.example"}, {"message", "x"}});
  CHECK(hits_with(rs, iocs, parent) == std::vector<std::string>{"vigie-ioc-match"});
  CHECK(parent.get(intel::kThreatObserved) == "a.b.EVIL.example");
  CHECK(parent.get(intel::kThreatValue) == "evil.example");
  auto other = event({{"source.ip", "198.51.100.24"}, {"dns.question.name", "notevil.example"}, {"message", "x"}});
  CHECK(hits_with(rs, iocs, other).empty());
  CHECK_FALSE(other.get(intel::kThreatValue));
  // Without an index (or an empty one) nothing is looked up.
  auto again = event({{"source.ip", "198.51.100.23"}, {"message", "x"}});
  CHECK(hits(rs, again).empty());
  const intel::IocIndex none;
  CHECK(hits_with(rs, none, again).empty());
}

TEST_CASE("Sysmon's Hashes field is split into its algorithms") {
  const auto rs = with_builtin();
  const std::string sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  const intel::IocIndex iocs({ind(intel::IocType::sha256, sha)});
  auto e = event(
      {{"Hashes", "SHA1=A94A8FE5CCB19BA61C4C0873D391E987982FBBD3,SHA256=" + sha + ",IMPHASH=00"}, {"message", "x"}});
  CHECK(hits_with(rs, iocs, e) == std::vector<std::string>{"vigie-ioc-match"});
  CHECK(e.get(intel::kThreatType) == "sha256");
}

TEST_CASE("|ioc atoms: the field's value in the index, of the type named (or the value's own, `any`)") {
  const auto rs = load(R"(
title: connection to a listed address
id: c2-connect
detection:
  s: { destination.ip|ioc: ip }
  condition: s
---
title: anything listed in the user agent field
id: any-listed
detection:
  s: { user_agent.original|ioc: any }
  condition: s
)");
  CHECK_FALSE(rs->find_rule(kIocRuleId));  // not asked for
  const intel::IocIndex iocs({ind(intel::IocType::ip, "203.0.113.0/24"), ind(intel::IocType::domain, "evil.example")});
  auto in_range = event({{"destination.ip", "203.0.113.9"}, {"message", "x"}});
  CHECK(hits_with(rs, iocs, in_range) == std::vector<std::string>{"c2-connect"});
  auto outside = event({{"destination.ip", "203.0.114.9"}, {"message", "x"}});
  CHECK(hits_with(rs, iocs, outside).empty());
  auto domain = event({{"user_agent.original", "www.evil.example"}, {"message", "x"}});
  CHECK(hits_with(rs, iocs, domain) == std::vector<std::string>{"any-listed"});
  // A domain where an ip is asked for is no match.
  auto wrong_type = event({{"destination.ip", "evil.example"}, {"message", "x"}});
  CHECK(hits_with(rs, iocs, wrong_type).empty());
}

TEST_CASE("the alert cites the indicator, keeps it across updates, and carries the stricter TLP") {
  const auto rs = with_builtin();
  const intel::IocIndex iocs({ind(intel::IocType::ip, "198.51.100.23", "RED")});
  core::Metrics metrics;
  Matcher m(rs, metrics);
  m.set_iocs(&iocs);
  Correlator c(rs, metrics);
  std::vector<core::Alert> out;
  for (int i = 0; i < 3; ++i) {
    auto e = event({{"source.ip", "198.51.100.23"}, {"observer.site", "ch-quimper"}, {"message", "seen"}}, i * 10);
    std::vector<uint32_t> idx;
    m.process(e, idx);
    REQUIRE(idx.size() == 1);
    c.on_hit(idx[0], e, out);
  }
  REQUIRE(out.size() == 3);
  CHECK_FALSE(out[0].update);
  CHECK(out[2].update);
  CHECK(out[2].count == 3);
  for (const auto& a : out) {
    REQUIRE(a.ioc);
    CHECK(a.ioc->value == "198.51.100.23");
    CHECK(a.ioc->feed == "certfr-ioc");
    CHECK(a.ioc->field == "source.ip");
    CHECK(a.ioc->confidence == 80);
    CHECK(a.rule.tlp == "RED");  // the rule says AMBER, the indicator RED
  }
  CHECK(out[0].key == core::KeyValues{{"observer.site", "ch-quimper"}, {"threat.indicator.value", "198.51.100.23"}});
  const std::string json = core::to_json(out[0]);
  CHECK(json.find(R"("ioc":{"type":"ip","value":"198.51.100.23","field":"source.ip")") != std::string::npos);
}

TEST_CASE("a rule file defining vigie-ioc-match replaces the built-in one") {
  const auto rs = with_builtin(R"(
title: IOC, site's own level
id: vigie-ioc-match
level: critical
detection:
  s: { threat.indicator.type: ip }
  condition: s
)");
  const auto id = rs->find_rule(kIocRuleId);
  REQUIRE(id);
  CHECK(rs->rule(*id).level == core::Level::critical);
  CHECK(rs->rule_count() == 1);
}
