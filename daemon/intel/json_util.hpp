// The simdjson DOM helpers the JSON feed readers share (format_stix.cpp, format_json.cpp); not
// part of the API. A field that is absent or of another type reads as nullopt / "" / false: no
// exception, whatever the body.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "intel/formats.hpp"

namespace vigie::intel::detail {

// The document lives as long as `parser` (and until its next parse).
inline tl::expected<simdjson::dom::element, std::string> parse_json(simdjson::dom::parser& parser,
                                                                    std::string_view body) {
  if (trim(body).empty()) return tl::unexpected(std::string("empty body, not JSON"));
  simdjson::dom::element root;
  if (auto err = parser.parse(body.data(), body.size()).get(root))
    return tl::unexpected(std::string("not JSON: ") + simdjson::error_message(err));
  return root;
}

inline std::optional<std::string_view> str_at(simdjson::dom::object o, std::string_view key) {
  std::string_view s;
  if (o.at_key(key).get_string().get(s)) return std::nullopt;
  return s;
}
inline std::string_view str_or(simdjson::dom::object o, std::string_view key) { return str_at(o, key).value_or(""); }

// MISP writes numbers and flags either as JSON values or as strings ("1722272240", "0", "1").
inline std::optional<int64_t> int_at(simdjson::dom::object o, std::string_view key) {
  auto v = o.at_key(key);
  int64_t i = 0;
  if (!v.get_int64().get(i)) return i;
  if (auto s = str_at(o, key)) return parse_time(*s);
  return std::nullopt;
}
inline bool flag_at(simdjson::dom::object o, std::string_view key) {
  bool b = false;
  if (!o.at_key(key).get_bool().get(b)) return b;
  const auto i = int_at(o, key);
  return i && *i != 0;
}

}  // namespace vigie::intel::detail
