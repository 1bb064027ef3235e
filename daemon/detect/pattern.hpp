// String-matching building blocks shared by the rule compiler, the matcher and the naive
// evaluator: Sigma wildcard values turned into RE2 syntax, ASCII case folding for the exact-match
// index, base64 for the `base64` modifier, and the one place that calls RE2::Set::Match.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

namespace vigie::detect {

// How a Sigma string value is anchored once its modifiers are applied.
enum class Anchor : uint8_t { exact, contains, startswith, endswith };

// True if `value` holds an unescaped Sigma wildcard (`*` or `?`).
[[nodiscard]] bool has_wildcard(std::string_view value);

// Removes Sigma escapes (`\*` → `*`, `\?` → `?`, `\\` → `\`) from a value without wildcards.
[[nodiscard]] std::string unescape_value(std::string_view value);

// Translates a Sigma value (wildcards `*`, `?`, escapes) into an RE2 pattern that matches the
// whole field as the anchor requires. `*` becomes `\C*` so that invalid UTF-8 in a log line
// never hides a match; `?` is one character. Case-insensitive unless `cased`.
[[nodiscard]] std::string wildcard_to_regex(std::string_view value, Anchor anchor, bool cased);

// Same, for a value that must be taken literally (no wildcard interpretation), e.g. base64 output.
[[nodiscard]] std::string literal_to_regex(std::string_view value, Anchor anchor, bool cased);

// ASCII lower-casing; other bytes are kept as they are (see README: case-insensitivity).
void ascii_fold(std::string_view in, std::string& out);
[[nodiscard]] inline std::string ascii_fold(std::string_view in) {
  std::string out;
  ascii_fold(in, out);
  return out;
}

// A finite decimal number, the only kind `lt/lte/gt/gte` compare: "-12", "0.5", "1e3". Hex,
// "inf", "nan" and trailing text are not numbers (on either side: rule values and field values).
[[nodiscard]] std::optional<double> parse_decimal(std::string_view s);

// Standard base64 with padding (RFC 4648 §4).
[[nodiscard]] std::string base64_encode(std::string_view in);

// Scans `text` with `set` through RE2::Set::Match with error reporting. On a set error (DFA out
// of memory, inconsistent result) every regex of `singles` (same order as the set) is tried on
// its own, so an error costs time but never a match. `out` receives the matching indices in
// ascending order. Returns "" on success, else the error kind for vigie_regex_errors_total.
[[nodiscard]] std::string_view scan_set(const RE2::Set& set, const std::vector<const RE2*>& singles,
                                        std::string_view text, std::vector<int>& out);

}  // namespace vigie::detect
