// vigie: one binary, several subcommands (DESIGN.md §9).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "app/commands.hpp"

namespace {

int run(int argc, char** argv) {
  using namespace vigie::app;
  auto logger = spdlog::stderr_color_mt("vigie");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  CLI::App app{"Vigie: security alert relay and log correlation for a regional health network"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "vigie 0.1.0");
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));

  std::filesystem::path config = kDefaultConfig;
  auto* serve = app.add_subcommand("serve", "run the daemon in the foreground (systemd Type=notify)");
  serve->add_option("-c,--config", config, "configuration file");

  ReloadOptions reload_opts;
  auto* reload = app.add_subcommand("reload", "check the rules, then have the running serve reload them; wait for it");
  reload->add_option("-c,--config", reload_opts.config, "configuration file")->default_val(kDefaultConfig);
  int64_t reload_timeout = 120;
  reload->add_option("--timeout", reload_timeout, "seconds to wait for the daemon's outcome")->default_val(120);

  auto* check = app.add_subcommand("check", "validate the configuration and rules; list every error");
  check->add_option("-c,--config", config, "configuration file");
  bool strict = false;
  check->add_flag("--strict", strict, "a skipped rule (valid Sigma this version cannot run) is an error");

  ReplayOptions replay_opts;
  auto* replay =
      app.add_subcommand("replay", "run log files and packet captures through the pipeline and print the alerts");
  replay->add_option("-c,--config", replay_opts.config, "configuration file")->default_val(kDefaultConfig);
  replay->add_option("--format", replay_opts.format, "json|text")->check(CLI::IsMember({"json", "text"}));
  replay->add_flag("--deliver", replay_opts.deliver, "also store and deliver the alerts");
  replay
      ->add_option("files", replay_opts.files,
                   "log files (one syslog message or JSON object per line) or captures (pcap, pcapng)")
      ->required();

  RulesTestOptions rules_opts;
  auto* rules = app.add_subcommand("rules", "rule tooling");
  rules->require_subcommand(1);
  auto* rules_test = rules->add_subcommand("test", "run the tests: embedded in rule files");
  auto* rules_lint = rules->add_subcommand("lint", "load rules and report every error");
  for (auto* sub : {rules_test, rules_lint}) {
    sub->add_option("-c,--config", rules_opts.config, "configuration file (sites, time zones, rule paths)");
    sub->add_option("paths", rules_opts.paths, "rule files or directories (default: the config's rules.paths)");
    sub->add_flag("-v,--verbose", rules_opts.verbose, "list every test, not only failures");
  }
  rules_lint->add_flag("--strict", rules_opts.strict, "warnings (and skipped rules) are errors");
  RulesExplainOptions explain_opts;
  auto* rules_explain =
      rules->add_subcommand("explain", "show how each line is decoded and which rules match, nearly match, and why");
  rules_explain->add_option("-c,--config", explain_opts.config, "configuration file (sites, time zones, rule paths)");
  rules_explain->add_option("--line", explain_opts.lines, "a log line exactly as a site sends it (repeatable)")
      ->expected(1)
      ->allow_extra_args(false);
  rules_explain->add_option("--file", explain_opts.file, "a file of log lines, one per line");
  rules_explain->add_flag("--json", explain_opts.json, "one JSON object per line, for scripts");
  rules_explain->add_option("paths", explain_opts.paths,
                            "rule files or directories (default: the config's rules.paths)");

  FeedsOptions feeds_opts;
  auto* feeds = app.add_subcommand("feeds", "indicator feeds: status, read now, import a file");
  feeds->require_subcommand(1);
  auto* feeds_list = feeds->add_subcommand("list", "each feed's last read: indicators in force, errors");
  auto* feeds_refresh = feeds->add_subcommand("refresh", "read the feeds now (the running serve's, or here)");
  auto* feeds_import = feeds->add_subcommand("import", "check a file, then drop it in the spool as a feed");
  for (auto* sub : {feeds_list, feeds_refresh, feeds_import})
    sub->add_option("-c,--config", feeds_opts.config, "configuration file")->default_val(kDefaultConfig);
  feeds_refresh->add_option("name", feeds_opts.name, "one feed (default: all)");
  feeds_import->add_option("--format", feeds_opts.format, "csv, zeek-intel, list, stix or misp")->required();
  feeds_import->add_option("--name", feeds_opts.name, "feed name (default: the file name without extension)");
  feeds_import->add_option("path", feeds_opts.path, "file (a directory for misp)")->required();
  int64_t feeds_timeout = 60;
  for (auto* sub : {feeds_refresh, feeds_import})
    sub->add_option("--timeout", feeds_timeout, "seconds to wait for the running daemon to read")->default_val(60);

  ExposureOptions exposure_opts;
  auto* exposure = app.add_subcommand("exposure", "the software seen at each site (SSH, HTTP, TLS, packages)");
  exposure->require_subcommand(1);
  auto* exposure_list = exposure->add_subcommand("list", "the inventory: product, version, host, first and last seen");
  exposure_list->add_option("-c,--config", exposure_opts.config, "configuration file")->default_val(kDefaultConfig);
  exposure_list->add_option("--site", exposure_opts.site, "one site (its id)");
  exposure_list->add_option("--product", exposure_opts.product, "products whose name contains this, any case");
  exposure_list->add_flag("--json", exposure_opts.json, "one JSON object per line");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  spdlog::set_level(spdlog::level::from_str(log_level));

  if (*serve) return run_serve(config);
  if (*check) return run_check(config, strict);
  if (*reload) {
    reload_opts.timeout = std::chrono::seconds(reload_timeout);
    return run_reload(reload_opts);
  }
  if (*replay) return run_replay(replay_opts);
  feeds_opts.timeout = std::chrono::seconds(feeds_timeout);
  if (*feeds_list) return run_feeds_list(feeds_opts);
  if (*feeds_refresh) return run_feeds_refresh(feeds_opts);
  if (*feeds_import) return run_feeds_import(feeds_opts);
  if (*exposure_list) return run_exposure_list(exposure_opts);
  if (*rules_test) return run_rules_test(rules_opts);
  if (*rules_lint) return run_rules_lint(rules_opts);
  if (*rules_explain) return run_rules_explain(explain_opts);
  return kExitUsage;
}

}  // namespace

// The data plane never throws (STYLE.md §1); what does escape (spdlog or CLI11 set-up, an
// allocation failure) ends the process with a message and exit status 1, not std::terminate.
int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vigie: fatal: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "vigie: fatal: unknown exception\n");
  }
  return vigie::app::kExitFailed;
}
