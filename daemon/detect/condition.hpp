// Sigma condition expressions: `and`, `or`, `not`, parentheses, `1 of sel*`, `all of sel*`,
// `1 of them`, `all of them`, with Sigma precedence (not > and > or). Keywords are
// case-insensitive; identifiers are the detection's search identifiers, and `sel*` patterns
// use `*` as a wildcard. `them` excludes identifiers starting with `_` (Sigma convention).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace vigie::detect {

struct CondNode {
  enum class Op : uint8_t { all, any, negate, ref };
  Op op = Op::ref;
  uint32_t ref = 0;  // index into the identifier list (Op::ref only)
  std::vector<CondNode> kids;
};

// Parses `text` against `names` (the search identifiers in declaration order). On error returns
// a message naming the column and the problem, e.g. "condition column 12: unknown identifier 'x'".
[[nodiscard]] tl::expected<CondNode, std::string> parse_condition(std::string_view text,
                                                                  const std::vector<std::string>& names);

}  // namespace vigie::detect
