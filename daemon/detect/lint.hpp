// `vigie rules lint`: what a loaded RuleSet says about itself beyond load errors — rules that can
// never match, decoders nothing reads, regexes whose automaton is expensive, rules that say the
// same as another. Pure analysis of the compiled set (the one serve runs): no event is matched.
// What is detected, precisely, is in daemon/detect/README.md ("Lint").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "detect/ruleset.hpp"

namespace vigie::detect {

struct LintFinding {
  enum class Severity : uint8_t { warning, error };
  Severity severity = Severity::warning;
  std::string where;    // file:line
  std::string check;    // "unreachable", "unused-decoder", "expensive-regex", "duplicate-detection"
  std::string message;  // one line

  [[nodiscard]] std::string to_string() const;
};

// RE2 compiles a regex into a program of instructions; its DFA states are sets of them, so a
// program past this many instructions (forward, or reverse: RE2 runs the reverse program to find
// where an unanchored match starts) means large, slow-to-build DFA states and a DFA cache that
// fills and is flushed on ordinary lines. No regex of the shipped packs comes near it (the
// integration test lints them clean); long bounded repetitions (`[a-z]{3,900}`) pass it.
inline constexpr int kMaxProgramSize = 1000;

struct LintOptions {
  int max_program_size = kMaxProgramSize;
  // Disjunctive normal form of a condition explored at most this many terms; past it the rule is
  // assumed reachable (never a false "unreachable").
  std::size_t max_terms = 512;
};

// Findings sorted by where (file, then line), then check.
[[nodiscard]] std::vector<LintFinding> lint(const RuleSet& rs, const LintOptions& options = {});

// The checks one by one (lint() runs them all); exposed for tests.
[[nodiscard]] bool condition_satisfiable(const RuleSet& rs, uint32_t rule, std::size_t max_terms = 512);

}  // namespace vigie::detect
