// Decoder value transforms (rules/README.md, "Value transforms"): a captured or key=value value
// is rewritten before it is set, e.g. auditd's hex-encoded arguments or a percent-encoded URL.
//
// Small and general on purpose: a transform knows nothing of the program that wrote the value,
// only of one encoding. A value the encoding does not describe is set as written.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/arena.hpp"

namespace vigie::detect {

enum class Transform : uint8_t {
  none,
  // Hexadecimal text (an even number of 0-9 A-F a-f, at least 2) → the bytes it encodes; a NUL
  // byte becomes a space (Linux audit writes a command line as its NUL-separated arguments).
  // Anything else is kept as written: auditd writes plain text quoted and hex-encodes only what
  // it cannot quote, and `a0=2F62696E` vs `pid=1234` cannot be told apart by their bytes — a kv
  // decoder therefore applies it only to the keys it names and never to a quoted value.
  hex,
  // Percent-decoding of a URL as a browser or a scanner sends it: `%XX` → the byte, `+` → a
  // space; a `%` not followed by two hex digits is kept. One pass (`%252e` → `%2e`), so a rule
  // can tell double encoding apart.
  url,
};

// "hex", "url"; nullopt for any other name.
[[nodiscard]] std::optional<Transform> transform_named(std::string_view name);
[[nodiscard]] std::string_view transform_name(Transform t);

// `value` rewritten by `t`, copied into `arena` when it changes; `value` itself otherwise.
[[nodiscard]] std::string_view apply_transform(Transform t, std::string_view value, core::Arena& arena);

}  // namespace vigie::detect
