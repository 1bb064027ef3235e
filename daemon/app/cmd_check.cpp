// `vigie check` and the loading steps every subcommand shares.
#include <cstdio>

#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "ingest/syslog/server.hpp"
#include "intel/feeds.hpp"

namespace vigie::app {

std::shared_ptr<const config::Config> load_config_or_report(const std::filesystem::path& file) {
  auto cfg = config::load_config(file);
  if (!cfg) {
    for (const auto& e : cfg.error()) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    std::fprintf(stderr, "vigie: %zu error(s) in configuration %s\n", cfg.error().size(), file.c_str());
    return nullptr;
  }
  return *cfg;
}

std::shared_ptr<const detect::RuleSet> load_rules_or_report(const config::Config& cfg,
                                                            const std::vector<std::filesystem::path>& paths,
                                                            std::size_t slots, bool strict, bool builtin) {
  detect::LoadOptions options;
  options.matcher_slots = slots;
  options.builtin_rules = builtin;
  options.prefilter = cfg.detection.prefilter;
  auto rules = detect::load_rules(paths, cfg.detection, options);
  if (!rules) {
    for (const auto& e : rules.error()) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    std::fprintf(stderr, "vigie: %zu error(s) in rules\n", rules.error().size());
    return nullptr;
  }
  // Skipped rules (valid Sigma this version cannot run) are warnings: the others load.
  const auto& skipped = (*rules)->skipped();
  for (const auto& s : skipped)
    std::fprintf(stderr, "%s: %s: %s\n", s.where.c_str(), strict ? "error, skipped rule" : "skipped", s.what.c_str());
  if (skipped.empty()) return *rules;
  std::fprintf(stderr, "vigie: %s\n", detect::load_summary(**rules).c_str());
  if (strict) {
    std::fprintf(stderr, "vigie: %zu skipped rule(s) are errors with --strict\n", skipped.size());
    return nullptr;
  }
  return *rules;
}

RuleCommandInput load_for_rule_command(const std::filesystem::path& config,
                                       const std::vector<std::filesystem::path>& paths) {
  RuleCommandInput in;
  in.cfg = config.empty() ? std::make_shared<const config::Config>() : load_config_or_report(config);
  in.exit_code = kExitFailed;
  if (!in.cfg) return in;
  const auto& from = paths.empty() ? in.cfg->rules.paths : paths;
  if (from.empty()) {
    std::fprintf(stderr, "vigie: no rule paths given and none in the configuration\n");
    in.exit_code = kExitUsage;
    return in;
  }
  in.rules = load_rules_or_report(*in.cfg, from, 1, false, false);  // the files' rules, as written
  if (in.rules) in.exit_code = 0;
  return in;
}

int run_check(const std::filesystem::path& config, bool strict) {
  auto cfg = load_config_or_report(config);
  if (!cfg) return kExitFailed;
  auto rules = load_rules_or_report(*cfg, cfg->rules.paths, 1, strict);
  if (!rules) return kExitFailed;
  // What serve would refuse at start, under the limits this process runs with (ExecStartPre
  // shares the unit's LimitNOFILE).
  if (auto fd = ingest::syslog::check_fd_limit(*cfg); !fd) {
    std::fprintf(stderr, "%s\n", fd.error().to_string().c_str());
    return kExitFailed;
  }
  std::printf("%s: OK — %zu site(s), %zu syslog input(s), %zu decoder(s), %zu rule(s), %zu receiver(s), %zu route(s)\n",
              config.c_str(), cfg->sites.size(), cfg->inputs.syslog.size(), rules->decoder_count(), rules->rule_count(),
              cfg->notify.receivers.size(), cfg->notify.routes.size());
  std::printf("rules: %s (logsources: %s)\n", detect::load_summary(*rules).c_str(), rules->logsource_file().c_str());
  for (const auto& p : cfg->inputs.pcap)
    std::printf("capture: %s%s%s\n", p.interface.c_str(), p.filter.empty() ? "" : ", filter ", p.filter.c_str());
  if (const auto& sp = cfg->inputs.spool; !sp.dir.empty())
    std::printf("spool: %s, read files %s\n", sp.dir.c_str(),
                sp.after == config::Spool::After::move ? ("moved to " + sp.done_dir.string()).c_str() : "deleted");
  // Feeds are read as serve reads them. One that cannot be read is a warning: serve runs
  // without it (and keeps a previous good read when it has one); --strict makes it an error.
  std::size_t unreadable = 0;
  for (const auto& f : cfg->feeds) {
    if (!f.enabled) continue;
    if (!f.url.empty()) {  // no network here (check runs as ExecStartPre): serve fetches it
      std::printf("feed %s: fetched by serve from %s\n", f.name.c_str(), f.url.c_str());
      continue;
    }
    intel::ParseReport report;
    if (config::is_advisory_format(f.format)) {
      const auto got = intel::read_advisory_path(f.path, f.format, f.name, report);
      if (!got) {
        ++unreadable;
        std::fprintf(stderr, "%s: feed %s: %s\n", strict ? "error" : "warning", f.name.c_str(), got.error().c_str());
      } else {
        std::printf("feed %s: %zu advisory(ies) (%zu invalid)%s\n", f.name.c_str(), got->size(), report.invalid,
                    f.relay ? ", relayed" : "");
      }
      continue;
    }
    const auto got = intel::read_feed_path(f.path, f.format, intel::format_options(f), report);
    if (!got) {
      ++unreadable;
      std::fprintf(stderr, "%s: feed %s: %s\n", strict ? "error" : "warning", f.name.c_str(), got.error().c_str());
      continue;
    }
    std::printf("feed %s: %zu indicator(s) from %zu record(s) (%zu unsupported, %zu invalid, %zu withdrawn)\n",
                f.name.c_str(), got->size(), report.records, report.unsupported, report.invalid, report.withdrawn);
  }
  return strict && unreadable > 0 ? kExitFailed : kExitOk;
}

}  // namespace vigie::app
