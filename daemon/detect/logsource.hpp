// Logsource mapping (rules/logsources.yml): what a Sigma `logsource` means in terms of event
// fields. A rule whose logsource names a product, service or category sees only the events
// the mapping's predicates accept: each predicate is ANDed to the rule's condition at load
// time, as ordinary atoms, so the matcher and its index know nothing of logsources.
//
// File format (one YAML document):
//   product:  { <name>: <predicate>, ... }
//   service:  { <name>: <predicate>, ... }
//   category: { <name>: <predicate>, ... }
// A predicate is a Sigma selection (a map of field tests, AND; or a list of maps, OR), or a
// small Sigma detection: named selections and a `condition`. Names are compared
// case-insensitively. The three keys of a rule's logsource are mapped independently and ANDed;
// a key whose name has no entry makes the rule skipped ("maps to nothing").
//
// Which file: a file named logsources.yml found in the rule paths (the rules it sits beside);
// more than one is an error; none: the copy of rules/logsources.yml built into the binary.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace vigie::detect {

inline constexpr std::string_view kLogsourceFileName = "logsources.yml";

struct LogsourceEntry {
  YAML::Node predicate;  // a selection, or a map of selections with `condition`
  std::string where;     // file:line of the entry
};

struct LogsourceMap {
  std::string file;  // where it came from, for messages ("built-in rules/logsources.yml")
  // "product" / "service" / "category" → lower-cased name → entry
  std::unordered_map<std::string, std::unordered_map<std::string, LogsourceEntry>> keys;
  bool valid = false;  // false: not loaded, or its predicates do not compile (errors reported)

  [[nodiscard]] const LogsourceEntry* find(const std::string& key, std::string_view name) const;
};

// rules/logsources.yml as shipped, embedded at build time (daemon/detect/CMakeLists.txt).
[[nodiscard]] std::string_view builtin_logsources();

}  // namespace vigie::detect
