// `vigie rules explain`: what the engine serve runs did with one event, and why. The event is
// decoded and matched by a Matcher (the workers' code, through Matcher::decode with a trace and
// Matcher::match); only the "why not" of rules that did not match is worked out afterwards, atom
// by atom, with the reference evaluator (RuleSet::atom_holds). README.md ("Explain") defines a
// near miss.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "detect/engine.hpp"

namespace vigie::detect {

struct NearMiss {
  enum class Kind : uint8_t {
    logsource,  // the detection's condition holds; a logsource predicate excluded the event
    one_test,   // one field item of a selection failed, and the rule would match if it held
    filtered,   // a selection held and excluded the event (`... and not filter`)
  };
  uint32_t rule = 0;
  Kind kind = Kind::one_test;
  std::string part;   // logsource: "service 'sudo'"; otherwise the selection's name
  std::string test;   // the failing (or excluding) field item as written, "" when it is not one item
  std::string where;  // file:line of `test` (or of the part)
  // The fields `test` reads and their values in the event (nullopt: absent), in first-read order.
  std::vector<std::pair<std::string, std::optional<std::string>>> values;
};

struct Explanation {
  DecodeTrace decoders;           // one step per decoder, in load order
  std::vector<uint32_t> matched;  // detection rules that matched, ascending
  std::vector<NearMiss> near_misses;
};

// Decodes and matches `e` with `m` (whose rule set is `rs`); `e` keeps the decoded fields.
[[nodiscard]] Explanation explain(Matcher& m, const RuleSet& rs, core::Event& e);

}  // namespace vigie::detect
