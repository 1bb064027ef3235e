// Schema-checked access to a parsed YAML tree, for the config loader only (not public API).
// Every accessor reports what is wrong with the node it reads into a shared Diagnostics and
// returns nullopt, so a loader keeps going and the operator gets every error in one run.
//
// Contract: a Value always carries the dotted path shown in messages ("notify.routes[1].match")
// and the 1-based line reported with them (a map entry's line is its key's line, because a
// nested block value starts on the next line and a missing value has no line of its own).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/error.hpp"
#include "core/time.hpp"

namespace vigie::config::detail {

// Collects errors while a file is loaded. Not thread-safe; one per load.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  // line 0 = the file as a whole (I/O errors); otherwise 1-based.
  void error(int line, std::string what);
  [[nodiscard]] bool empty() const { return entries_.empty(); }
  // All errors ordered by line (document order), then in the order they were found.
  [[nodiscard]] std::vector<core::Error> take();

 private:
  struct Entry {
    int line;
    core::Error error;
  };
  std::string file_;
  std::vector<Entry> entries_;
};

class Map;

class Value {
 public:
  Value(Diagnostics& diag, YAML::Node node, std::string path, int line)
      : diag_(&diag), node_(std::move(node)), path_(std::move(path)), line_(line) {}

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] int line() const { return line_; }
  [[nodiscard]] bool is_null() const { return node_.IsNull(); }
  // A child path: field("smtp") → "notify.smtp", index(2) → "sites[2]".
  [[nodiscard]] std::string field(std::string_view key) const;

  // Reports "<path>: <what>" at this value's line.
  void error(const std::string& what) const;
  // Reports `what` as is (it already names what it is about).
  void error_verbatim(std::string what) const;

  [[nodiscard]] std::optional<std::string> string() const;
  [[nodiscard]] std::optional<bool> boolean() const;
  [[nodiscard]] std::optional<int64_t> integer(int64_t min, int64_t max) const;
  // core::parse_duration syntax ("30s", "5m", "4h", "1d", "250ms"); zero only if allow_zero.
  [[nodiscard]] std::optional<core::Duration> duration(bool allow_zero) const;
  // A list of scalars; null is the empty list. With scalar_is_list, `x` means `[x]`.
  [[nodiscard]] std::optional<std::vector<std::string>> strings(bool scalar_is_list = false) const;
  // Items of a sequence; null is the empty sequence.
  [[nodiscard]] std::optional<std::vector<Value>> sequence() const;
  // A mapping whose keys must all be in `known` (unknown and duplicate keys are reported and
  // skipped); null is the empty mapping.
  [[nodiscard]] std::optional<Map> map(std::initializer_list<std::string_view> known) const;

 private:
  [[nodiscard]] bool expect_scalar(const char* what) const;

  Diagnostics* diag_;
  YAML::Node node_;
  std::string path_;
  int line_;
};

class Map {
 public:
  [[nodiscard]] std::optional<Value> get(std::string_view key) const;
  [[nodiscard]] bool has(std::string_view key) const { return get(key).has_value(); }
  // For keys the design names but this version does not implement: present → an error that
  // says so, because silently ignoring them would let an operator believe they are active.
  void reject_unsupported(std::string_view key) const;

 private:
  friend class Value;
  std::vector<std::pair<std::string, Value>> entries_;
};

// 1-based line of a node, 0 when yaml-cpp has no mark for it.
[[nodiscard]] int line_of(const YAML::Node& node);
// The known key closest to `key` by edit distance, if close enough to be a likely typo.
[[nodiscard]] std::optional<std::string_view> closest(std::string_view key,
                                                      std::initializer_list<std::string_view> known);

}  // namespace vigie::config::detail
