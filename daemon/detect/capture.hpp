// Decoder captures through PCRE2's JIT, answering for RE2 (detect/README.md, "Captures").
//
// RE2 decides whether a decoder pattern matches and where its match ends (its DFA); only the
// split into groups is asked of PCRE2, whose JIT does it in 0.04 – 0.25 µs where RE2's BitState
// takes 0.5 – 2.5 µs for the shipped patterns. Both engines give Perl's leftmost-first
// submatches for the syntax they share; what they write differently is translated (`\s` is
// RE2's [\t\n\f\r ], without PCRE2's vertical tab) and a pattern using what could mean
// something else (`\C`, Unicode classes, case folding beyond ASCII) gets no PCRE2 twin. A
// result whose whole match differs from RE2's, a PCRE2 error or its match limit falls back to
// RE2's own capturing match: PCRE2 can make a capture faster, never different or unbounded.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <re2/re2.h>

namespace vigie::detect {

class PcreTwin {
 public:
  // nullptr when `re` has no faithful PCRE2 form or PCRE2 refuses it.
  [[nodiscard]] static std::unique_ptr<PcreTwin> build(const RE2& re);
  ~PcreTwin();
  PcreTwin(const PcreTwin&) = delete;
  PcreTwin& operator=(const PcreTwin&) = delete;

  // What PCRE2 reads for RE2 pattern `pattern`, or "" when nothing faithful exists.
  [[nodiscard]] static std::string translate(std::string_view pattern);

 private:
  friend class CaptureScratch;
  PcreTwin() = default;
  void* code_ = nullptr;  // pcre2_code_8, immutable once JIT-compiled: shared by all threads
};

// Per thread: PCRE2 match data and match context (its limit).
class CaptureScratch {
 public:
  CaptureScratch();
  ~CaptureScratch();
  CaptureScratch(const CaptureScratch&) = delete;
  CaptureScratch& operator=(const CaptureScratch&) = delete;

  // RE2::Match(text, UNANCHORED) with `n` submatches, as RE2 gives them, cheaper when `lead`
  // (required_lead) is not empty: an unanchored capturing match runs a forward DFA, a reverse
  // DFA, then BitState; here memmem finds where `lead` occurs and each such place is tried
  // anchored, in order, so the leftmost match wins as it does unanchored. After a few failed
  // places (a text full of `lead`) the unanchored match decides: the cost stays linear.
  // `twin` (may be null) makes the captures of a match cheaper (match_at). `text` must be valid
  // UTF-8 (detect/pattern.hpp: matchable), as PCRE2 is told not to check it.
  bool leftmost(const RE2& re, const PcreTwin* twin, std::string_view lead, std::string_view text,
                re2::StringPiece* groups, int n);

  // Groups 0..n-1 of `re` matched at `at` (anchored there) in `text`, as RE2::Match would give
  // them; false if `re` does not match there. `twin` may be null (RE2 alone).
  bool match_at(const RE2& re, const PcreTwin* twin, std::string_view text, std::size_t at, re2::StringPiece* groups,
                int n);

 private:
  static constexpr std::size_t kAnyEnd = static_cast<std::size_t>(-1);
  // `twin` matched anchored at `at`: 1 (groups 0..n-1 set), 0 no match, -1 undecided (its match
  // limit, an error, more groups than the match data holds, or a match not ending at `end`).
  int twin_at(const PcreTwin& twin, std::string_view text, std::size_t at, re2::StringPiece* groups, int n,
              std::size_t end = kAnyEnd);
  // Groups of the match `whole` (RE2's, a view of `text`): PCRE2's when they agree, else RE2's.
  bool groups_at(const RE2& re, const PcreTwin* twin, std::string_view text, re2::StringPiece whole,
                 re2::StringPiece* groups, int n);

  void* data_ = nullptr;     // pcre2_match_data_8
  void* context_ = nullptr;  // pcre2_match_context_8
};

}  // namespace vigie::detect
