// Errors as values (STYLE.md §1). The data plane returns Result<T>; only config and rule
// loading throw, and they catch at their boundary and turn exceptions into Errors.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace vigie::core {

struct Error {
  std::string where;  // "file:line", "peer 10.0.0.1:514", "rules/x.yml:12" — empty if none
  std::string what;   // the reason, in words an operator can act on

  [[nodiscard]] std::string to_string() const { return where.empty() ? what : where + ": " + what; }
};

template <class T>
using Result = tl::expected<T, Error>;

[[nodiscard]] inline tl::unexpected<Error> fail(std::string where, std::string what) {
  return tl::unexpected<Error>(Error{std::move(where), std::move(what)});
}

}  // namespace vigie::core
