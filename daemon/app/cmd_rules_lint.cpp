// `vigie rules lint`: loads the rules as serve does (load errors and skipped rules are reported
// by load_rules_or_report), then reports what the loaded set says about itself (detect/lint.hpp)
// and, with --config, rules whose alerts no route delivers. One line per finding,
// `file:line: warning|error: [check] message`, then a summary; --strict makes warnings errors.
#include <algorithm>
#include <cstdio>
#include <map>

#include "app/commands.hpp"
#include "detect/lint.hpp"
#include "notify/route.hpp"

namespace vigie::app {
namespace {

// A rule whose alerts (its own, or a correlation's) no route of notify.routes accepts, whatever
// the site: stored, never mailed. observer.site is left out of the routes' match, since any
// site may send the line.
void check_routes(const config::Config& cfg, const detect::RuleSet& rules, std::vector<detect::LintFinding>& out) {
  if (cfg.notify.routes.empty()) return;
  std::vector<config::Route> routes = cfg.notify.routes;
  for (auto& r : routes) {
    r.match.erase("observer.site");
    r.match.erase("site");
  }
  for (uint32_t i = 0; i < rules.rule_count(); ++i) {
    const auto& c = rules.compiled(i);
    if (!c.is_correlation && !c.alerts) continue;  // a building block: its correlation alerts
    core::Alert a;
    a.rule = c.info;
    if (std::any_of(routes.begin(), routes.end(), [&](const config::Route& r) { return notify::route_matches(r, a); }))
      continue;
    out.push_back({detect::LintFinding::Severity::warning, c.where, "no-route",
                   "alerts of " + c.info.id + " (level " + std::string(core::level_name(c.info.level)) +
                       ") match no route of notify.routes: stored, mailed to nobody"});
  }
}

}  // namespace

int run_rules_lint(const RulesTestOptions& opts) {
  auto [cfg, rules, exit_code] = load_for_rule_command(opts.config, opts.paths);
  if (!rules) return exit_code;

  std::vector<detect::LintFinding> findings;
  for (const auto& s : rules->skipped())
    if (s.group.rfind("logsource", 0) == 0)
      findings.push_back(
          {detect::LintFinding::Severity::warning, s.where, "logsource-unmapped", s.what + " (the rule is skipped)"});
  for (auto& f : detect::lint(*rules)) findings.push_back(std::move(f));
  if (!opts.config.empty()) check_routes(*cfg, *rules, findings);

  std::size_t errors = 0, warnings = 0;
  std::map<std::string, std::size_t> by_check;
  for (auto& f : findings) {
    if (opts.strict) f.severity = detect::LintFinding::Severity::error;
    (f.severity == detect::LintFinding::Severity::error ? errors : warnings) += 1;
    ++by_check[f.check];
    std::printf("%s\n", f.to_string().c_str());
  }
  std::printf("%zu decoder(s), %zu rule(s), %zu test(s)\n", rules->decoder_count(), rules->rule_count(),
              rules->tests().size());
  std::printf("rules: %s (logsources: %s)\n", detect::load_summary(*rules).c_str(), rules->logsource_file().c_str());
  std::string counts;
  for (const auto& [check, n] : by_check) counts += (counts.empty() ? ": " : ", ") + check + " " + std::to_string(n);
  std::printf("lint: %zu error(s), %zu warning(s)%s\n", errors, warnings, counts.c_str());
  const bool skipped_fail = opts.strict && !rules->skipped().empty();
  if (skipped_fail)
    std::fprintf(stderr, "vigie: %zu skipped rule(s) are errors with --strict\n", rules->skipped().size());
  return errors == 0 && !skipped_fail ? kExitOk : kExitFailed;
}

}  // namespace vigie::app
