// Skipped rules (detect/skip.cpp): valid Sigma this version cannot run is left out with a
// one-line reason and counted; it never blocks the other rules. Invalid rules stay errors.
#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

constexpr std::string_view kGood = "title: good\nid: good\ndetection:\n  s: { user.name: root }\n  condition: s\n";

// Line 5 holds the unsupported construct.
constexpr std::string_view kUnsupported =
    "title: dash\nid: dash\ndetection:\n  s:\n    x|windash|base64: '-a'\n  condition: s\n";

std::string docs(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out += std::string(out.empty() ? "" : "---\n") + std::string(p);
  return out;
}

}  // namespace

TEST_CASE("a rule using an unsupported modifier is skipped; the others load and fire") {
  auto r = load_rules_from_string(docs({kUnsupported, kGood}), "bad.yml", config::Detection{});
  REQUIRE(r);
  const auto& rs = *r;
  CHECK(rs->rule_count() == 1);
  CHECK(rs->find_rule("good"));
  CHECK_FALSE(rs->find_rule("dash"));
  REQUIRE(rs->skipped().size() == 1);
  CHECK(rs->skipped()[0].to_string() ==
        "bad.yml:5: modifier 'windash' with base64 or base64offset is not supported in this version "
        "(in 'x|windash|base64')");
  CHECK(rs->skipped()[0].group == "modifier 'windash' with base64 or base64offset");
  // What the skipped document interned is dropped with it: only good's atom remains.
  CHECK(rs->atom_count() == 1);
  CHECK(fires(rs, "good", event({{"user.name", "root"}})));
  CHECK(load_summary(*rs) ==
        "1 rule(s) and 0 correlation(s) loaded, 1 skipped: modifier 'windash' with base64 or base64offset ×1");
}

TEST_CASE("the skipped rule's id is free again, and several reasons make one line") {
  const std::string two =
      "title: t\nid: good\ndetection:\n  s:\n    a|windash|base64: x\n    b|fieldref|contains: y\n  condition: s\n";
  auto r = load_rules_from_string(docs({two, kGood}), "bad.yml", config::Detection{});
  REQUIRE(r);
  REQUIRE((*r)->skipped().size() == 1);
  CHECK((*r)->skipped()[0].what.find("(and 1 more reason)") != std::string::npos);
  CHECK((*r)->rule_count() == 1);
}

TEST_CASE("an invalid rule stays an error beside a skipped one") {
  const std::string bad = "title: b\nid: b\ndetection:\n  s: { x|sounds_like: y }\n  condition: s\n";
  auto e = errors_of(docs({kUnsupported, bad}));
  REQUIRE(e.size() == 1);
  CHECK(e[0] == "bad.yml:11: unknown modifier 'sounds_like' (in 'x|sounds_like')");
  CHECK(errors_of(docs({kUnsupported, "title: c\nid: c\ndetection:\n  s: { a: b }\n  condition: s and\n"})).size() ==
        1);
  CHECK(errors_of(docs({kUnsupported, "title: [unclosed\n"})).size() == 1);
}

TEST_CASE("timeframe and the value_* correlation types are skipped") {
  auto s = skips_of("title: t\nid: t\ndetection:\n  s: { a: b }\n  timeframe: 5m\n  condition: s\n");
  REQUIRE(s.size() == 1);
  CHECK(s[0].rfind("bad.yml:5: 'timeframe' is not supported in this version", 0) == 0);
  s = skips_of(docs({kGood, "title: c\nid: c\ncorrelation:\n  type: value_median\n  rules: [good]\n  timespan: 5m\n"}));
  REQUIRE(s.size() == 1);
  CHECK(s[0].rfind("bad.yml:10: correlation type 'value_median' is not supported", 0) == 0);
  // temporal (no condition: all the rules) loads.
  CHECK(skips_of(docs({kGood, "title: c\nid: c\ncorrelation:\n  type: temporal\n  rules: [good]\n  timespan: 5m\n"}))
            .empty());
}

TEST_CASE("a correlation counting a skipped rule is skipped, so is a test expecting one") {
  const std::string corr =
      "title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [dash]\n  timespan: 5m\n  condition: {gte: 2}\n";
  const std::string tested =
      "title: good\nid: good\ndetection:\n  s: { user.name: root }\n  condition: s\n"
      "tests:\n  - logs: [x]\n    expect: [{rule: dash, count: 1}]\n";
  auto r = load_rules_from_string(docs({kUnsupported, corr, tested}), "bad.yml", config::Detection{});
  REQUIRE(r);
  const auto& rs = *r;
  CHECK(rs->rule_count() == 1);
  CHECK(rs->tests().empty());
  REQUIRE(rs->skipped().size() == 3);
  CHECK(rs->skipped()[1].to_string() == "bad.yml:12: correlation of a skipped rule ('dash')");
  CHECK(rs->skipped()[2].group == "test expecting a skipped rule");
  // A correlation of a loaded rule still references it correctly after the renumbering.
  auto ok = load_rules_from_string(docs({kUnsupported, corr, kGood, std::string(kSshBruteForce)}), "bad.yml",
                                   config::Detection{});
  REQUIRE(ok);
  CHECK((*ok)->rule_count() == 3);
  const auto bf = (*ok)->find_rule("ssh-bruteforce");
  REQUIRE(bf);
  REQUIRE((*ok)->compiled(*bf).corr.rules.size() == 1);
  CHECK((*ok)->rule((*ok)->compiled(*bf).corr.rules[0]).id == "ssh-failed");
}

TEST_CASE("a correlation naming a rule that does not exist at all stays an error") {
  auto e = errors_of(docs({kGood,
                           "title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [ghost]\n"
                           "  timespan: 5m\n  condition: {gte: 2}\n"}));
  REQUIRE(e.size() == 1);
  CHECK(e[0].find("unknown rule 'ghost'") != std::string::npos);
}

TEST_CASE("a reload reports the rules added, removed and changed, by id, whatever the layout") {
  const auto before = load(R"(
title: one
id: r-one
detection: { s: { message|contains: one }, condition: s }
---
title: two
id: r-two
detection: { s: { message|contains: two }, condition: s }
---
title: three
id: r-three
detection: { s: { message|contains: three }, condition: s }
)");
  // r-one: same document, other layout and a comment; r-two: its pattern changed; r-three gone;
  // r-four new.
  const auto after = load(R"(
# tuned on site
title: one
id: r-one
detection:
  s: { message|contains: one }
  condition: s
---
title: two
id: r-two
detection: { s: { message|contains: deux }, condition: s }
---
title: four
id: r-four
detection: { s: { message|contains: four }, condition: s }
)");
  const auto c = rule_changes(*before, *after);
  CHECK(c.added == std::vector<std::string>{"r-four"});
  CHECK(c.removed == std::vector<std::string>{"r-three"});
  CHECK(c.changed == std::vector<std::string>{"r-two"});
  CHECK(reload_summary(c) == "rules reloaded: +1 \u22121 ~1 (added r-four; removed r-three; changed r-two)");
  CHECK(reload_summary(rule_changes(*after, *after)) == "rules reloaded: +0 \u22120 ~0");
}
