// Section loaders of load_config (internal). Each reads one top-level section into Config and
// reports problems through the context's Diagnostics; none stops at the first error.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "config/reader.hpp"

namespace vigie::config::detail {

struct LoadContext {
  Diagnostics diag;
  std::filesystem::path base_dir;  // absolute directory of the config file

  // Relative paths in the file are relative to the file, not to the working directory.
  [[nodiscard]] std::filesystem::path resolve(const std::string& p) const {
    const std::filesystem::path path(p);
    return (path.is_absolute() ? path : base_dir / path).lexically_normal();
  }
};

// Reads a path-valued scalar, resolved; reports an empty string.
[[nodiscard]] std::optional<std::filesystem::path> read_path(const Value& v, const LoadContext& ctx);
// Reads a path that must name a readable regular file (secrets, certificates).
[[nodiscard]] std::optional<std::filesystem::path> read_readable_file(const Value& v, const LoadContext& ctx);
// "UTC" or a zone of the system tz database; the reason otherwise.
[[nodiscard]] std::optional<std::string> time_zone_problem(std::string_view name);

void load_inputs(const Value& v, LoadContext& ctx, Config& cfg);
// After load_inputs: sites without `timezone` take inputs.default_timezone.
void load_sites(const Value& v, LoadContext& ctx, Config& cfg);
// After load_sites: routes may name site ids.
void load_notify(const Value& v, LoadContext& ctx, Config& cfg);
// Embedded receiver/route defaults (see README), once the notify section is read.
void apply_notify_defaults(Notify& notify);
// feeds: (load_feeds.cpp) and detection.ioc.
void load_feeds(const Value& v, LoadContext& ctx, Config& cfg);
void load_ioc(const Value& v, Config& cfg);
// advisories: (load_feeds.cpp).
void load_advisories(const Value& v, Config& cfg);

}  // namespace vigie::config::detail
