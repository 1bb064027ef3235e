// `vigie rules test`: runs the `tests:` embedded in rule files through the same parser and
// engine (detect::Engine = Matcher + Correlator) as serve, each test in a fresh engine.
// Lines are stamped with a fixed virtual reception time so year inference is repeatable.
#include <cstdio>
#include <map>

#include "app/commands.hpp"
#include "core/metrics.hpp"
#include "ingest/syslog/parser.hpp"

namespace vigie::app {
namespace {

bool key_matches(const core::KeyValues& want, const core::KeyValues& have) {
  for (const auto& [k, v] : want) {
    bool found = false;
    for (const auto& [hk, hv] : have)
      if (hk == k && hv == v) found = true;
    if (!found) return false;
  }
  return true;
}

std::string describe(const core::Alert& a) {
  std::string s = a.rule.id + " {";
  for (std::size_t i = 0; i < a.key.size(); ++i) s += (i ? ", " : "") + a.key[i].first + ": " + a.key[i].second;
  return s + "} count=" + std::to_string(a.count);
}

// Returns the failure messages of one test (empty = passed).
std::vector<std::string> run_one(const detect::RuleTest& test, const std::shared_ptr<const detect::RuleSet>& rules,
                                 const std::shared_ptr<const config::Config>& cfg, core::TimePoint received) {
  core::Metrics metrics;
  ingest::syslog::SyslogParser parser(cfg, metrics);
  detect::Engine engine(rules, metrics);
  std::vector<core::Alert> alerts;
  const std::string input = "test:" + test.where;
  for (const auto& line : test.logs) {
    ingest::RawMessage raw;
    raw.data = line;
    raw.received = received;
    auto e = parser.parse(std::move(raw), input);
    engine.process(e, alerts);
  }
  engine.finish(alerts);

  std::vector<const core::Alert*> raised;
  for (const auto& a : alerts)
    if (!a.update) raised.push_back(&a);
  std::vector<bool> covered(raised.size(), false);
  std::vector<std::string> failures;
  for (const auto& exp : test.expect) {
    uint64_t n = 0;
    for (std::size_t i = 0; i < raised.size(); ++i) {
      if (raised[i]->rule.id == exp.rule && key_matches(exp.key, raised[i]->key)) {
        ++n;
        covered[i] = true;
      }
    }
    if (n != exp.count)
      failures.push_back("expected " + std::to_string(exp.count) + " alert(s) of " + exp.rule + ", got " +
                         std::to_string(n));
  }
  for (std::size_t i = 0; i < raised.size(); ++i)
    if (!covered[i]) failures.push_back("unexpected alert " + describe(*raised[i]));
  return failures;
}

}  // namespace

int run_rules_test(const RulesTestOptions& opts) {
  auto [cfg, rules, exit_code] = load_for_rule_command(opts.config, opts.paths);
  if (!rules) return exit_code;

  // A fixed reception time: tests give the same result whatever the day they run.
  const auto received = core::parse_rfc3339("2026-06-15T12:00:00Z").value();
  std::size_t passed = 0, failed = 0;
  for (const auto& test : rules->tests()) {
    auto failures = run_one(test, rules, cfg, received);
    if (failures.empty()) {
      ++passed;
      if (opts.verbose)
        std::printf("ok    %s  %s — %s\n", test.where.c_str(), test.rule_id.c_str(), test.description.c_str());
      continue;
    }
    ++failed;
    std::printf("FAIL  %s  %s — %s\n", test.where.c_str(), test.rule_id.c_str(), test.description.c_str());
    for (const auto& f : failures) std::printf("        %s\n", f.c_str());
  }
  std::size_t untested = 0;
  std::map<std::string, bool> has_test;
  for (const auto& t : rules->tests()) has_test[t.rule_id] = true;
  for (uint32_t i = 0; i < rules->rule_count(); ++i)
    if (!has_test.count(rules->rule(i).id)) {
      ++untested;
      if (opts.verbose) std::printf("note  rule %s has no tests\n", rules->rule(i).id.c_str());
    }
  std::printf("%zu passed, %zu failed\n", passed, failed);
  if (untested) std::printf("(%zu rule(s) without tests)\n", untested);
  return failed == 0 ? kExitOk : kExitFailed;
}

}  // namespace vigie::app
