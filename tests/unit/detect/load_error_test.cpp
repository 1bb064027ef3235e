#include <filesystem>

#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

// A valid rule with `extra` appended at the top level and `sel` as its selection body.
std::string rule_with(const std::string& sel, const std::string& extra = "") {
  return "title: t\nid: r\ndetection:\n  sel:\n    " + sel + "\n  condition: sel\n" + extra;
}

bool has(const std::vector<std::string>& errors, std::string_view where, std::string_view what) {
  for (const auto& e : errors)
    if (e.rfind(std::string(where) + ": ", 0) == 0 && e.find(what) != std::string::npos) return true;
  return false;
}

std::string dump(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += e + "\n";
  return out;
}

}  // namespace

TEST_CASE("YAML syntax error") {
  auto e = errors_of("title: t\nid: r\ndetection: [unclosed\n");
  INFO(dump(e));
  REQUIRE(e.size() == 1);
  CHECK(e[0].rfind("bad.yml:", 0) == 0);
  CHECK(e[0].find("YAML syntax error") != std::string::npos);
}

TEST_CASE("unknown keys, modifiers and values, each at its line") {
  auto e = errors_of(rule_with("user.name: x", "colour: blue\n"));
  CHECK(has(e, "bad.yml:7", "unknown key 'colour' in detection rule"));
  e = errors_of(rule_with("user.name|sounds_like: x"));
  CHECK(has(e, "bad.yml:5", "unknown modifier 'sounds_like'"));
  // Valid Sigma this version cannot run: the rule is skipped, not an error (skip_test.cpp).
  e = errors_of(rule_with("destination.ip|ioc: ipv4"));
  CHECK(has(e, "bad.yml:5", "'ipv4' is not an indicator type"));
  e = errors_of(rule_with("destination.ip|ioc|contains: ip"));
  CHECK(has(e, "bad.yml:5", "cannot be combined"));
  e = skips_of(rule_with("x|windash|base64: '-a'"));
  CHECK(has(e, "bad.yml:5", "'windash' with base64 or base64offset is not supported"));
  e = errors_of(rule_with("x|contains|startswith: a"));
  CHECK(has(e, "bad.yml:5", "mutually exclusive"));
  e = errors_of(rule_with("source.ip|cidr: 10.0.0.300/8"));
  CHECK(has(e, "bad.yml:5", "not a CIDR"));
  e = errors_of(rule_with("source.port|gt: many"));
  CHECK(has(e, "bad.yml:5", "not a finite decimal number"));
  for (const char* v : {"nan", "inf", "0x10", "1e999"}) {
    CAPTURE(v);
    CHECK(has(errors_of(rule_with(std::string("f|lt: ") + v)), "bad.yml:5", "not a finite decimal number"));
  }
  e = errors_of(rule_with("x|exists: maybe"));
  CHECK(has(e, "bad.yml:5", "true or false"));
  // A decoder group number that does not fit an int is an error, not a crash.
  e = errors_of("decoder: d\npatterns:\n  - regex: '(a)'\n    fields: { user.name: \"99999999999\" }\n");
  CHECK(has(e, "bad.yml:4", "no capture group '99999999999'"));
  e = errors_of("title: t\nid: r\nlevel: severe\ndetection: {s: {a: b}, condition: s}\n");
  CHECK(has(e, "bad.yml:3", "level must be one of"));
  e = errors_of("title: t\nid: r\ntlp: PURPLE\ndetection: {s: {a: b}, condition: s}\n");
  CHECK(has(e, "bad.yml:3", "tlp must be one of"));
}

TEST_CASE("a key repeated in one mapping is an error at the repeat, wherever it is") {
  // Two selections of the same name; two conditions; one field twice inside a selection.
  auto e = errors_of("title: t\nid: r\ndetection:\n  sel: {f: a}\n  sel: {f: b}\n  condition: sel\n");
  CHECK(has(e, "bad.yml:5", "duplicate key 'sel' (first at line 4)"));
  e = errors_of("title: t\nid: r\ndetection:\n  sel: {f: a}\n  condition: sel\n  condition: not sel\n");
  CHECK(has(e, "bad.yml:6", "duplicate key 'condition' (first at line 5)"));
  e = errors_of("title: t\nid: r\ndetection:\n  sel:\n    f: a\n    f: b\n  condition: sel\n");
  CHECK(has(e, "bad.yml:6", "duplicate key 'f' (first at line 5)"));
  // The same key in different mappings is fine.
  CHECK(errors_of("title: t\nid: r\ndetection:\n  a: {f: x}\n  b: {f: y}\n  condition: a or b\n").empty());
}

TEST_CASE("bad regex carries RE2's message") {
  auto e = errors_of(rule_with("message|re: 'a(b'"));
  INFO(dump(e));
  CHECK(has(e, "bad.yml:5", "missing )"));
  e = errors_of("decoder: d\npatterns:\n  - regex: '(?P<x>a'\n    fields: { user.name: x }\n");
  CHECK(has(e, "bad.yml:3", "bad regex: missing )"));
  e = errors_of("decoder: d\npatterns:\n  - regex: '(?P<x>a)'\n    fields: { user.name: y }\n");
  CHECK(has(e, "bad.yml:4", "no capture group 'y'"));
  e = errors_of("decoder: d\nmatch: x\npatterns: []\n");
  CHECK(has(e, "bad.yml:2", "unknown key 'match' in decoder"));
  CHECK(has(e, "bad.yml:3", "non-empty list"));
}

TEST_CASE("condition errors: unknown identifier, syntax, missing condition") {
  auto e = errors_of("title: t\nid: r\ndetection:\n  sel: {a: b}\n  condition: sel and other\n");
  CHECK(has(e, "bad.yml:5", "unknown identifier 'other'"));
  e = errors_of("title: t\nid: r\ndetection:\n  sel: {a: b}\n  condition: sel and (sel\n");
  CHECK(has(e, "bad.yml:5", "column 13: expected ')'"));
  e = errors_of("title: t\nid: r\ndetection:\n  sel: {a: b}\n");
  CHECK(has(e, "bad.yml:4", "detection has no 'condition'"));
  e = errors_of("title: t\nid: r\ndetection:\n  sel: {}\n  condition: sel\n");
  CHECK(has(e, "bad.yml:4", "empty selection"));
}

TEST_CASE("duplicate ids, missing id or title") {
  auto e = errors_of(rule_with("a: b") + "---\n" + rule_with("a: c"));
  INFO(dump(e));
  CHECK(has(e, "bad.yml:8", "duplicate rule id 'r' (first defined at bad.yml:1)"));
  e = errors_of("title: t\ndetection: {s: {a: b}, condition: s}\n");
  CHECK(has(e, "bad.yml:1", "rule has no 'id'"));
  e = errors_of("id: x\ndetection: {s: {a: b}, condition: s}\n");
  CHECK(has(e, "bad.yml:1", "rule has no 'title'"));
}

TEST_CASE("correlation errors") {
  // Lines: 1-6 the detection rule, 7 ---, 8 title, 9 id, 10 correlation, 11 type, 12 rules, 13 timespan, 14 condition
  const std::string base = rule_with("a: b") + "---\ntitle: c\nid: c\ncorrelation:\n";
  auto e = errors_of(base + "  type: event_count\n  rules: [r, nope]\n  timespan: 5m\n  condition: {gte: 2}\n");
  CHECK(has(e, "bad.yml:12", "correlation references unknown rule 'nope'"));
  e = errors_of(base + "  type: event_count\n  rules: [r]\n  timespan: 5 minutes\n  condition: {gte: 2}\n");
  CHECK(has(e, "bad.yml:13", "'timespan' must be a positive duration"));
  e = skips_of(base + "  type: value_count\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 2, field: u}\n");
  CHECK(e.empty());  // value_count is supported
  e = skips_of(base + "  type: value_sum\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 2, field: u}\n");
  CHECK(has(e, "bad.yml:11", "'value_sum' is not supported in this version"));
  CHECK(e.size() == 1);  // and nothing about its condition's shape
  e = errors_of(base + "  type: temporal\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 2, field: u}\n");
  CHECK(has(e, "bad.yml:14", "'condition' must be one comparison"));
  e = errors_of(base + "  type: absence\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 2}\n");
  CHECK(has(e, "bad.yml:14", "an absence correlation takes no 'condition'"));
  e = errors_of(base + "  type: event_count\n  rules: [r]\n  timespan: 5m\n  condition: {lt: 2}\n");
  CHECK(has(e, "bad.yml:14", "condition 'lt' is not supported for event_count in streaming"));
  e = errors_of(base + "  type: event_count\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 0}\n");
  CHECK(has(e, "bad.yml:14", "positive integer"));
  for (const char* big : {"{gt: 18446744073709551615}", "{gte: 100001}", "{gt: 100000}"}) {
    CAPTURE(big);
    e = errors_of(base + "  type: event_count\n  rules: [r]\n  timespan: 5m\n  condition: " + big + "\n");
    CHECK(has(e, "bad.yml:14", "at most 100000"));
  }
  CHECK(errors_of(base + "  type: event_count\n  rules: [r]\n  timespan: 5m\n  condition: {gt: 99999}\n").empty());
  e = errors_of(base + "  type: event_count\n  rules: [c]\n  timespan: 5m\n  condition: {gte: 2}\n");
  CHECK(has(e, "bad.yml:12", "correlation cycle: c → c"));
}

TEST_CASE("tests: unknown expected rule, missing logs_file, both logs and logs_file") {
  auto e = errors_of(rule_with("a: b", "tests:\n  - logs: [x]\n    expect: [{rule: ghost, count: 1}]\n"));
  CHECK(has(e, "bad.yml:9", "unknown rule 'ghost'"));
  e = errors_of(rule_with("a: b", "tests:\n  - logs_file: missing.log\n    expect: []\n"));
  CHECK(has(e, "bad.yml:8", "cannot read logs_file"));
  e = errors_of(rule_with("a: b", "tests:\n  - logs: [x]\n    logs_file: y.log\n    expect: []\n"));
  CHECK(has(e, "bad.yml:8", "not both"));
}

TEST_CASE("every error of every document is reported at once") {
  const std::string yaml = rule_with("a|bogus: b") +
                           "---\ntitle: t2\nid: r2\ndetection:\n  s: {a: b}\n  condition: s or q\n" +
                           "---\ndecoder: d\npatterns: [{regex: '('}]\n---\njust: a mapping\n";
  auto e = errors_of(yaml);
  INFO(dump(e));
  CHECK(e.size() == 4);
  CHECK(has(e, "bad.yml:5", "unknown modifier 'bogus'"));
  CHECK(has(e, "bad.yml:12", "unknown identifier 'q'"));
  CHECK(has(e, "bad.yml:15", "bad regex"));
  CHECK(has(e, "bad.yml:17", "not a decoder, detection rule or correlation rule"));
}

TEST_CASE("load_rules: directories are walked recursively and sorted; tests and logs_file are loaded") {
  const std::filesystem::path dir = VIGIE_TEST_DATA "/detect/rules";
  auto r = load_rules({dir}, config::Detection{});
  if (!r)
    for (const auto& err : r.error()) MESSAGE(err.to_string());
  REQUIRE(r);
  const auto& rs = **r;
  CHECK(rs.decoder_count() == 1);
  CHECK(rs.rule_count() == 2);
  // a/ comes before b/: the decoder file is loaded before the rules that use its fields.
  CHECK(rs.find_rule("ssh-failed-password") == 0u);
  REQUIRE(rs.find_rule("ssh-bruteforce"));
  CHECK(rs.rule(*rs.find_rule("ssh-bruteforce")).tlp == "AMBER");
  CHECK(rs.compiled(*rs.find_rule("ssh-bruteforce")).suppress_for == std::chrono::minutes(30));
  REQUIRE(rs.tests().size() == 2);
  const auto& t = rs.tests()[1];
  CHECK(t.rule_id == "ssh-bruteforce");
  CHECK(t.where.find("b-rules/ssh.yml:") != std::string::npos);
  CHECK(t.logs.size() == 10);
  REQUIRE(t.expect.size() == 1);
  CHECK(t.expect[0].count == 1);
  CHECK(t.expect[0].key == core::KeyValues{{"source.ip", "183.62.140.253"}});
  CHECK(rs.tests()[0].expect.empty());

  auto missing = load_rules({dir / "nope"}, config::Detection{});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().at(0).what == "no such rule file or directory");
}
