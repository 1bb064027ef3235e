// Subcommands of the `vigie` binary (DESIGN.md §9). Each returns the process exit code:
// 0 success, 1 a check/test failed or bad input, 2 usage error.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "detect/engine.hpp"

namespace vigie::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

inline const std::filesystem::path kDefaultConfig = "/etc/vigie/vigie.yml";

struct ReplayOptions {
  std::filesystem::path config;
  std::string format = "json";  // json | text
  bool deliver = false;
  std::vector<std::filesystem::path> files;
};

struct RulesTestOptions {
  std::filesystem::path config;              // optional: sites and time zones for parsing test lines
  std::vector<std::filesystem::path> paths;  // rule files/dirs; default: the config's rules.paths
  bool verbose = false;
  bool strict = false;  // lint: a skipped rule is an error
};

struct RulesExplainOptions {
  std::filesystem::path config;              // optional: sites and time zones for parsing the lines
  std::vector<std::filesystem::path> paths;  // rule files/dirs; default: the config's rules.paths
  std::vector<std::string> lines;            // --line, in order
  std::filesystem::path file;                // --file: one line each, after the --line ones
  bool json = false;                         // one JSON object per line instead of text
};

int run_serve(const std::filesystem::path& config);
struct ReloadOptions {
  std::filesystem::path config;
  std::chrono::seconds timeout{120};  // for the daemon to compile and report (the Sigma trees take a few seconds)
};
int run_reload(const ReloadOptions& opts);
// strict: a skipped rule (valid Sigma this version cannot run) is an error, not a warning.
struct FeedsOptions {
  std::filesystem::path config;
  std::string name;                  // refresh: one feed; import: the feed name (default: the file's stem)
  std::string format;                // import
  std::filesystem::path path;        // import: file, or directory for misp
  std::chrono::seconds timeout{60};  // refresh/import: for the running daemon to read
};
int run_feeds_list(const FeedsOptions& opts);
int run_feeds_refresh(const FeedsOptions& opts);
int run_feeds_import(const FeedsOptions& opts);

struct ExposureOptions {
  std::filesystem::path config;
  std::string site;     // one site's inventory
  std::string product;  // a part of the product's name, any case
  bool json = false;    // one JSON object per line
};
int run_exposure_list(const ExposureOptions& opts);

int run_check(const std::filesystem::path& config, bool strict = false);
int run_replay(const ReplayOptions& opts);
int run_rules_test(const RulesTestOptions& opts);
int run_rules_lint(const RulesTestOptions& opts);
int run_rules_explain(const RulesExplainOptions& opts);

// Shared loading steps: print every error (file:line: reason) to stderr and return nullptr.
// Skipped rules are printed too (file:line: skipped: reason) with the load summary; with
// `strict` they are errors.
std::shared_ptr<const config::Config> load_config_or_report(const std::filesystem::path& file);
// `slots`: matcher slots (detect::LoadOptions::matcher_slots); the pipeline's commands pass
// cfg.worker_threads() so that each worker scans its own copies of the regex sets. `builtin`:
// with the built-in rules (the IOC rule) that serve runs; the rule tooling leaves them out.
std::shared_ptr<const detect::RuleSet> load_rules_or_report(const config::Config& cfg,
                                                            const std::vector<std::filesystem::path>& paths,
                                                            std::size_t slots = 1, bool strict = false,
                                                            bool builtin = true);

// What `rules test`, `rules lint` and `rules explain` work on: the configuration given (or the
// defaults) and the rules of `paths`, or of its rules.paths. When `rules` is null, what failed
// was reported and `exit_code` says how to exit.
struct RuleCommandInput {
  std::shared_ptr<const config::Config> cfg;
  std::shared_ptr<const detect::RuleSet> rules;
  int exit_code = 0;
};
RuleCommandInput load_for_rule_command(const std::filesystem::path& config,
                                       const std::vector<std::filesystem::path>& paths);

}  // namespace vigie::app
