// Prefilter: a Vectorscan (Hyperscan) database over the patterns of one RE2::Set, compiled in
// prefilter mode (HS_FLAG_PREFILTER): a scan yields every pattern that may match — a superset,
// never fewer — and RE2 confirms each candidate (or, for decoders, the capturing match does).
// Scanning 1,000 patterns this way costs about half an RE2::Set scan (tests/bench/README.md).
//
// Optional: built only when Vectorscan is found (Debian libvectorscan-dev, CMake option
// VIGIE_VECTORSCAN); without it, or for a set it cannot take, build() returns nullptr and the
// matcher scans with RE2::Set alone. A database is immutable and shared by every thread; each
// thread scans with its own PrefilterScratch.
//
// Patterns Vectorscan would read differently are left to RE2 ("residual": candidates on every
// scan): non-ASCII bytes (Vectorscan folds case in ASCII only), RE2-only syntax (`(?U)`,
// `\pN`…). `\C` (any byte) becomes `(?s:.)`: texts are valid UTF-8 once detect/pattern.hpp's
// matchable() has repaired them. A set with more than kMaxResidual such patterns gets none.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::detect {

class PrefilterScratch;

class Prefilter {
 public:
  static constexpr std::size_t kMaxResidual = 16;

  // nullptr when Vectorscan is not built in or cannot take this set.
  [[nodiscard]] static std::unique_ptr<Prefilter> build(const std::vector<std::string>& patterns);
  ~Prefilter();
  Prefilter(const Prefilter&) = delete;
  Prefilter& operator=(const Prefilter&) = delete;

  // Candidate indices (into `patterns`), ascending, into `out`. False on a scan error: the
  // caller then scans with RE2::Set. `text` must be valid UTF-8.
  [[nodiscard]] bool candidates(std::string_view text, PrefilterScratch& scratch, std::vector<int>& out) const;

  // Whether this build has Vectorscan at all.
  [[nodiscard]] static bool available();

 private:
  Prefilter() = default;
  friend class PrefilterScratch;
  void* db_ = nullptr;         // hs_database_t*
  std::vector<int> residual_;  // always candidates, ascending
};

// Per-thread scan space, grown for every prefilter it is prepared for.
class PrefilterScratch {
 public:
  PrefilterScratch() = default;
  ~PrefilterScratch();
  PrefilterScratch(const PrefilterScratch&) = delete;
  PrefilterScratch& operator=(const PrefilterScratch&) = delete;
  // False if Vectorscan could not allocate it (the matcher then scans with RE2::Set alone).
  [[nodiscard]] bool prepare(const Prefilter& p);

 private:
  friend class Prefilter;
  void* scratch_ = nullptr;  // hs_scratch_t*
};

}  // namespace vigie::detect
