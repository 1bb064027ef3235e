// `vigie rules lint` checks (detect/lint.hpp): each class of problem found on a small rule set
// written for it, and not found on its corrected twin.
#include "detect/lint.hpp"

#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

std::vector<std::string> findings(std::string_view yaml, const LintOptions& o = {}) {
  std::vector<std::string> out;
  for (const auto& f : lint(*load(yaml), o)) out.push_back(f.to_string());
  return out;
}

std::string rule(const std::string& id, const std::string& detection, const std::string& extra = "") {
  return "title: " + id + "\nid: " + id + "\nlevel: low\n" + extra + "detection:\n" + detection + "\n---\n";
}

}  // namespace

TEST_CASE("lint: a condition asking one field for two values is unreachable, either value alone is not") {
  const std::string sels = "  a: { event.action: ssh_login }\n  b: { event.action: sudo_denied }\n";
  auto f = findings(rule("both", sels + "  condition: a and b") + rule("either", sels + "  condition: a or b"));
  REQUIRE(f.size() == 1);
  CHECK(f[0].find("test.yml:1: warning: [unreachable] rule both can never match") == 0);
}

TEST_CASE("lint: contradictions of presence, numbers, negation, literals against patterns and networks") {
  CHECK(any_contains(findings(rule("r",
                                   "  a: { user.name: null }\n  b: { user.name|contains: adm }\n"
                                   "  condition: a and b")),
                     "rule r can never match"));
  CHECK(any_contains(findings(rule("r", "  a: { uid|gt: 10 }\n  b: { uid|lt: 5 }\n  condition: a and b")),
                     "rule r can never match"));
  CHECK(findings(rule("r", "  a: { uid|gte: 5 }\n  b: { uid|lte: 5 }\n  condition: a and b")).empty());
  CHECK(any_contains(findings(rule("r", "  a: { event.action: x }\n  condition: a and not a")),
                     "rule r can never match"));
  CHECK(any_contains(findings(rule("r",
                                   "  a: { event.action: sudo_denied }\n  b: { event.action|startswith: ssh_ }\n"
                                   "  condition: a and b")),
                     "rule r can never match"));
  CHECK(findings(rule("r",
                      "  a: { event.action: ssh_login }\n  b: { event.action|startswith: SSH_ }\n"
                      "  condition: a and b"))
            .empty());
  CHECK(any_contains(findings(rule("r",
                                   "  a: { source.ip: 192.0.2.7 }\n  b: { source.ip|cidr: 10.0.0.0/8 }\n"
                                   "  condition: a and b")),
                     "rule r can never match"));
  CHECK(findings(rule("r",
                      "  a: { source.ip: 10.1.2.3 }\n  b: { source.ip|cidr: 10.0.0.0/8 }\n"
                      "  condition: a and b"))
            .empty());
  CHECK(any_contains(findings(rule("r",
                                   "  a: { user.name|exists: true }\n  b: { user.name|exists: false }\n"
                                   "  condition: a and b")),
                     "rule r can never match"));
}

TEST_CASE("lint: a logsource that contradicts the rule's own condition makes it unreachable") {
  // service sshd is process.name ∈ {sshd, sshd-session, sshd-auth} in the built-in mapping.
  auto f = findings(rule("wrong-program", "  s: { process.name: sudo, event.action: sudo_denied }\n  condition: s",
                         "logsource: { product: linux, service: sshd }\n"));
  REQUIRE(f.size() == 1);
  CHECK(f[0].find("[unreachable] rule wrong-program") != std::string::npos);
  CHECK(findings(rule("right-program", "  s: { process.name: sshd-session }\n  condition: s",
                      "logsource: { product: linux, service: sshd }\n"))
            .empty());
}

TEST_CASE("lint: a correlation counting only unreachable rules can never fire") {
  auto f = findings(rule("dead", "  a: { n: 1 }\n  b: { n: 2 }\n  condition: a and b") +
                    "title: c\nid: burst\nlevel: high\ncorrelation:\n  type: event_count\n  rules: [dead]\n"
                    "  group-by: [source.ip]\n  timespan: 5m\n  condition: { gte: 3 }\n");
  REQUIRE(f.size() == 2);
  CHECK(any_contains(f, "[unreachable] correlation burst can never fire"));
}

TEST_CASE("lint: a decoder no rule reads is unused; read through a rule, a kv prefix or a chained decoder it is not") {
  const std::string decoders = R"(decoder: app
when: { process.name: app }
patterns:
  - regex: 'user (?P<u>\S+) denied'
    fields: { app.user: u, app.verdict: "=denied" }
---
decoder: firewall
kv: { prefix: fw., require: [fw_id] }
---
decoder: inner
field: app.user
patterns:
  - regex: '^(?P<d>[^\\]+)\\'
    fields: { user.domain: d }
---
)";
  auto none = findings(decoders + rule("r", "  s: { event.action: x }\n  condition: s"));
  REQUIRE(none.size() == 3);
  CHECK(any_contains(none, "test.yml:1: warning: [unused-decoder] decoder app: no rule reads a field it sets"));
  CHECK(any_contains(none, "decoder firewall"));
  CHECK(any_contains(none, "decoder inner"));
  // inner reads app.user, which app sets: a rule on user.domain uses both; fw.* uses firewall.
  auto used = findings(decoders + rule("r", "  s: { user.domain: corp, fw.action: deny }\n  condition: s"));
  CHECK(used.empty());
}

TEST_CASE("lint: regexes whose RE2 program is above the threshold are expensive") {
  const std::string yaml = rule("big", "  s: { message|re: '[a-z]{3,900}x' }\n  condition: s") +
                           rule("small", "  s: { message|re: 'Failed password for \\S+' }\n  condition: s");
  auto f = findings(yaml);
  REQUIRE(f.size() == 1);
  CHECK(f[0].find("[expensive-regex] rule big 'message|re: [a-z]{3,900}x'") != std::string::npos);
  CHECK(f[0].find("above 1000") != std::string::npos);
  LintOptions tight;
  tight.max_program_size = 10;
  CHECK(findings(yaml, tight).size() == 2);
  // Decoder patterns are checked too.
  CHECK(any_contains(findings("decoder: d\npatterns:\n  - regex: '(?P<x>[a-z]{1,900})'\n    fields: { user.name: x }\n"
                              "---\n" +
                              rule("r", "  s: { user.name: root }\n  condition: s")),
                     "[expensive-regex] decoder d pattern 1"));
}

TEST_CASE("lint: two rules with the same condition and logsource are duplicates, whatever the order of items") {
  auto f =
      findings(rule("one", "  s: { a: 1, b: 2 }\n  condition: s") + rule("two", "  t: { b: 2, a: 1 }\n  condition: t") +
               rule("three", "  s: { a: 1, b: 3 }\n  condition: s"));
  REQUIRE(f.size() == 1);
  CHECK(f[0].find("[duplicate-detection] rule two has the same condition and logsource as one (test.yml:1)") !=
        std::string::npos);
}

TEST_CASE("lint: findings are sorted by file and line") {
  auto f = lint(*load(rule("x", "  a: { n: 1 }\n  b: { n: 2 }\n  condition: a and b") +
                      rule("y", "  a: { n: 1 }\n  b: { n: 2 }\n  condition: a and b")));
  REQUIRE(f.size() >= 2);
  CHECK(f[0].where == "test.yml:1");
}
