// RuleSet: decoders and rules compiled for matching (DESIGN.md §5). Built once by load_rules,
// then immutable and shared across worker threads as std::shared_ptr<const RuleSet>; every
// member function is const and thread-safe (RE2 and RE2::Set are safe for concurrent matching).
//
// Layout, as the matcher walks it per event (rspamd re_cache style, see README.md):
//   scans_           per scanned field: one RE2::Set of the decoder patterns reading it, then
//                    of the rule pattern atoms testing it (one pass tells both)
//   decoder_fields_  per decoder source field: its scan → lowest matching pattern per decoder
//   atoms_           every leaf test of every rule, deduplicated across rules
//   fields_          per field: its scan's pattern atoms + exact-literal hash maps
//   atom_rules_      atom → rules owning it (candidates when the atom is true)
//   always_          rules that must be evaluated even when none of their indexed atoms is true
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

#include "config/config.hpp"
#include "core/alert.hpp"
#include "core/event.hpp"
#include "core/net.hpp"
#include "detect/capture.hpp"
#include "detect/kv.hpp"
#include "detect/prefilter.hpp"
#include "detect/transform.hpp"
#include "intel/ioc_index.hpp"

namespace vigie::detect {

struct Expectation {
  std::string rule;
  uint64_t count = 0;   // number of alerts (new, not updates) expected for `rule` with `key`
  core::KeyValues key;  // subset of the alert key that must match
};

// A rule document left out at load time: valid Sigma that uses what this version cannot run.
struct SkippedRule {
  std::string where;  // file:line of the construct
  std::string what;   // one-line reason
  std::string group;  // what the load summary counts it under ("modifier 'windash'")

  [[nodiscard]] std::string to_string() const { return where.empty() ? what : where + ": " + what; }
};

struct RuleTest {
  std::string where;  // file:line of the test entry
  std::string rule_id;
  std::string description;
  std::vector<std::string> logs;  // inline lines, or the lines of logs_file (read at load time)
  std::vector<Expectation> expect;
};

// One leaf test on one field. Pattern and exact atoms are "indexed": the matcher learns their
// truth from one scan per field. The others are computed on demand for candidate rules.
// fieldref (Sigma `fieldref`): the field's value equals the value of field `ref` of the same
// event (ASCII case folding unless `cased`); false when either is absent.
enum class AtomKind : uint8_t { pattern, exact, absent, exists, cidr, numeric, fieldref, ioc };
enum class NumOp : uint8_t { lt, lte, gt, gte };

struct Atom {
  AtomKind kind = AtomKind::exact;
  core::FieldRef field;
  std::string text;  // pattern: RE2 syntax; exact: the literal, ASCII-folded unless `cased`
  bool cased = false;
  bool want = true;  // exists: expected presence
  core::Cidr cidr{};
  NumOp op = NumOp::gt;
  double number = 0;
  core::FieldRef ref;                            // fieldref: the other field (its name is also in `text`)
  intel::IocType ioc_type = intel::IocType::ip;  // ioc: the type looked up (`text` names it)
  bool ioc_any = false;                          // ioc: `any`, the type the value's shape says
  std::unique_ptr<RE2> re;                       // pattern: the regex alone (Set fallback, naive evaluation)

  [[nodiscard]] bool indexed() const { return kind == AtomKind::pattern || kind == AtomKind::exact; }
};

// Boolean expression over atoms, stored flat per rule. all/any take kids_[first, first+count).
struct ExprNode {
  enum class Op : uint8_t { all, any, negate, atom };
  Op op = Op::atom;
  uint32_t first = 0;  // atom id (Op::atom) or first kid slot
  uint32_t count = 0;
};

// A part of an expression named as the rule file wrote it, for `vigie rules explain` and
// `vigie rules lint` (introspection only: the matcher never reads it).
struct ExprPart {
  std::string name;   // "selection", "service 'sshd'", "user.name|contains: [root, admin]"
  uint32_t node = 0;  // index into Expr::nodes
  std::string where;  // file:line
};

struct Expr {
  std::vector<ExprNode> nodes;
  std::vector<uint32_t> kids;
  uint32_t root = 0;
  std::vector<ExprPart> items;  // each field item of a map selection (the rule's and its logsource's)
};

// Where a detection rule's expression came from (introspection, as ExprPart).
struct RuleOutline {
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t condition = kNone;        // root of the detection's condition, before the logsource
  std::vector<ExprPart> selections;  // search identifiers, in file order
  std::vector<ExprPart> logsource;   // one per logsource key mapped, ANDed to `condition`
};

// event_count and value_count keep every counted event of a window until it fires: thresholds
// are bounded so a rule cannot make one key's window hold millions of lines.
inline constexpr uint64_t kMaxThreshold = 100'000;
// value_count: the bytes of the counted field's value a window sample keeps; values alike in
// their first kMaxCountedValue bytes count as one.
inline constexpr std::size_t kMaxCountedValue = 256;

enum class CorrelationType : uint8_t { event_count, value_count, temporal, temporal_ordered, absence };

// Sigma `aliases`: group-by name `name` is read from field `field` in the hits of rule `rule`
// (an id or name among the correlation's `rules`); resolved at the end of loading.
struct CorrelationAlias {
  std::string name;
  std::string rule;
  std::string field;
  std::string where;
};

struct CorrelationSpec {
  CorrelationType type = CorrelationType::event_count;
  std::vector<uint32_t> rules;  // indices of the rules it counts (detection rules or correlations), in listed order
  core::Duration timespan{};
  // event_count: fires when a span holds at least this many events; value_count: this many
  // distinct values of `field`; temporal: this many of `rules` (0 until resolved: all of them);
  // temporal_ordered: all of `rules`, in order. absence: unused.
  uint64_t threshold = 1;
  core::FieldRef field;  // value_count only: the field whose distinct values are counted
  bool generate = false;
  std::vector<CorrelationAlias> aliases;
  // Per referenced rule (same order as `rules`): the field read for each group-by name in the
  // hits of that rule — the group-by field itself, or its alias for that rule.
  std::vector<std::vector<core::FieldRef>> part_keys;
  std::string where_condition;  // file:line of `condition` (temporal: checked once rules are known)
};

[[nodiscard]] std::string_view correlation_type_name(CorrelationType t);

struct CompiledRule {
  core::RuleInfo info;
  std::string where;  // file:line of the document
  std::string name;   // Sigma `name`, may be empty
  // Hash of the document as YAML reads it (comments and layout aside): what a reload compares.
  uint64_t content = 0;
  bool is_correlation = false;
  Expr expr;            // detection rules only
  RuleOutline outline;  // detection rules only
  std::vector<core::FieldRef> group_by;
  core::Duration suppress_for{};
  // Raises alerts of its own: false for a rule (or a correlation) that correlations reference,
  // unless one of them says generate: true.
  bool alerts = true;
  std::vector<uint32_t> correlations;       // correlation rules consuming this rule's hits (or firings)
  std::vector<uint32_t> correlation_parts;  // for each: this rule's position in its `rules`
  CorrelationSpec corr;                     // correlation rules only
};

// What a set was built from, so that each matcher slot compiles a copy of its own.
struct SetRecipe {
  RE2::Options options;
  std::vector<std::string> patterns;  // in Add() order: same indices in every copy
};

// One RE2::Set per scanned field, shared by the decoders that read the field and by the rules
// that test it: one pass over `message` tells which decoder patterns and which rule patterns
// match (the two used to be scanned apart, each pass costing as much as a whole small set).
// Set indices [0, decoder_patterns) are decoder patterns, in decoder order; the rest are the
// pattern atoms of FieldIndex `rules` (-1 when no rule tests the field with a pattern).
struct FieldScan {
  core::FieldRef field;
  std::unique_ptr<RE2::Set> set;
  int32_t recipe = -1;                   // index into RuleSet::recipes_
  std::unique_ptr<Prefilter> prefilter;  // candidates; rule atoms are confirmed by `singles`
  std::vector<const RE2*> singles;       // set index → the same regex alone
  uint32_t decoder_patterns = 0;
  int32_t rules = -1;  // the FieldIndex whose pattern atoms follow the decoder patterns
};

struct FieldIndex {
  core::FieldRef field;
  int32_t scan = -1;                                              // FieldScan of its pattern atoms, if any
  std::vector<uint32_t> set_atoms;                                // set index - base → atom id
  uint32_t base = 0;                                              // set index of set_atoms[0]
  std::unordered_map<std::string, std::vector<uint32_t>> folded;  // folded literal → atom ids
  std::unordered_map<std::string, std::vector<uint32_t>> cased;
};

struct DecoderAssign {
  core::FieldRef target;
  int group = -1;  // capture group number, or -1 for the literal
  std::string literal;
  Transform transform = Transform::none;  // `group|hex`, `group|url` (detect/transform.hpp)
};

struct DecoderPattern {
  std::unique_ptr<RE2> re;
  uint32_t flat = 0;  // position among all decoder patterns (per-slot copies of `re`)
  std::vector<DecoderAssign> assigns;
  int groups = 0;                  // captures needed (highest group used)
  std::string lead;                // literal every match starts with (required_lead)
  bool at_start = false;           // every match starts at the start of the text (starts_anchored)
  std::unique_ptr<PcreTwin> twin;  // faster captures, when PCRE2 reads the pattern the same
};

struct Decoder {
  std::string name;
  std::string where;
  uint32_t source = 0;  // index into decoder_fields_
  std::vector<std::pair<core::FieldRef, std::vector<std::string>>> when;
  std::vector<DecoderPattern> patterns;
  uint32_t set_base = 0;          // set index of patterns[0] in its field's set
  std::unique_ptr<KvDecoder> kv;  // `kv:` pairs, read before the patterns (detect/kv.hpp)
  // A kv decoder with `require` enters its field's set with its longest required key
  // (`key=`), at set index kv_entry: a line without it costs no more than the scan it has
  // anyway (and a repeated line not even that, the scan being remembered).
  std::unique_ptr<RE2> kv_probe;
  int32_t kv_entry = -1;
};

struct DecoderField {
  core::FieldRef field;
  int32_t scan = -1;            // FieldScan of the decoder patterns reading this field
  std::vector<uint32_t> owner;  // set index → decoder index
  // Rules scan the field too: its scan, needed anyway, chooses the decoders to try.
  bool filtered = false;
};

class RuleSet {
 public:
  [[nodiscard]] std::size_t rule_count() const { return rules_.size(); }
  [[nodiscard]] std::size_t decoder_count() const { return decoders_.size(); }
  [[nodiscard]] const std::vector<RuleTest>& tests() const { return tests_; }
  // Documents left out because they use what this version cannot run (an unsupported modifier,
  // a logsource mapped to nothing...): where + one-line reason. The other rules are loaded.
  [[nodiscard]] const std::vector<SkippedRule>& skipped() const { return skipped_; }
  // The logsource mapping the rules were compiled with (a path, or the built-in copy).
  [[nodiscard]] const std::string& logsource_file() const { return logsource_file_; }
  [[nodiscard]] const core::RuleInfo& rule(uint32_t idx) const { return rules_[idx].info; }
  [[nodiscard]] const CompiledRule& compiled(uint32_t idx) const { return rules_[idx]; }
  // By `id`, then by Sigma `name`.
  [[nodiscard]] std::optional<uint32_t> find_rule(std::string_view id) const;
  [[nodiscard]] const config::Detection& detection() const { return detection_; }
  [[nodiscard]] const std::vector<Decoder>& decoders() const { return decoders_; }
  // The field a decoder reads (`field:`, default message).
  [[nodiscard]] const core::FieldRef& decoder_source(const Decoder& d) const { return decoder_fields_[d.source].field; }
  [[nodiscard]] std::size_t atom_count() const { return atoms_.size(); }
  // Introspection (`rules explain`, `rules lint`): an atom, and its truth on `e` computed alone.
  [[nodiscard]] const Atom& atom(uint32_t id) const { return atoms_[id]; }
  [[nodiscard]] bool atom_holds(uint32_t id, const core::Event& e) const { return eval_atom(atoms_[id], e); }
  // Rules evaluated on every event whatever the index says (negations, cidr/numeric/exists
  // only): the fewer, the faster.
  [[nodiscard]] std::size_t always_evaluated() const { return always_.size(); }

  // Per scanned field: its name and what its RE2::Set was built from (options, patterns in set
  // order: decoder entries, then rule atoms). For measurements (bench_stages scans the same
  // patterns with RE2::Set alone) and for tools that report a set's size.
  struct SetPatterns {
    std::string_view field;
    const RE2::Options* options = nullptr;
    const std::vector<std::string>* patterns = nullptr;
  };
  [[nodiscard]] std::vector<SetPatterns> set_patterns() const;

  // Copies of the compiled regexes (LoadOptions::matcher_slots); slot 0 is the original.
  [[nodiscard]] std::size_t slots() const { return 1 + set_copies_.size(); }

  // Reference evaluation of detection rule `idx`: every atom computed on its own, no index.
  // For tests (differential against the matcher) and `vigie rules explain`; slow.
  [[nodiscard]] bool evaluate_naive(uint32_t idx, const core::Event& e) const;

 private:
  friend class RuleSetBuilder;
  friend class Matcher;

  // The copy of a set or decoder regex that matcher slot `slot` scans with.
  [[nodiscard]] const RE2::Set& set_in(std::size_t slot, const FieldScan& s) const {
    return slot == 0 ? *s.set : *set_copies_[slot - 1][static_cast<std::size_t>(s.recipe)];
  }
  [[nodiscard]] const RE2& regex_in(std::size_t slot, const DecoderPattern& p) const {
    return slot == 0 ? *p.re : *regex_copies_[slot - 1][p.flat];
  }
  // Builds slots 1..n-1; false if a copy does not compile (memory budget).
  [[nodiscard]] bool make_slots(std::size_t n);
  // Vectorscan prefilters for the sets it can take (none without Vectorscan).
  void make_prefilters();

  // Truth of a non-indexed atom, or of any atom when computed alone (naive path).
  [[nodiscard]] bool eval_atom(const Atom& a, const core::Event& e, const intel::IocIndex* iocs = nullptr) const;

  config::Detection detection_;
  std::vector<CompiledRule> rules_;
  std::vector<RuleTest> tests_;
  std::vector<SkippedRule> skipped_;
  std::string logsource_file_;
  std::vector<Decoder> decoders_;
  std::vector<DecoderField> decoder_fields_;
  // Decoders a scan cannot rule out (source not filtered, kv without a required key): tried
  // on every event (Matcher::choose_decoders).
  std::vector<uint32_t> unfiltered_decoders_;
  std::vector<Atom> atoms_;
  std::vector<FieldScan> scans_;
  std::vector<FieldIndex> fields_;
  std::vector<std::vector<uint32_t>> atom_rules_;
  std::vector<SetRecipe> recipes_;
  std::vector<std::vector<std::unique_ptr<RE2::Set>>> set_copies_;  // [slot - 1][recipe]
  std::vector<std::vector<std::unique_ptr<RE2>>> regex_copies_;     // [slot - 1][DecoderPattern::flat]
  std::vector<uint32_t> always_;
  std::unordered_map<std::string, uint32_t> by_id_;
  std::unordered_map<std::string, uint32_t> by_name_;
};

// Evaluates `x` with `atom(id) -> bool`. Recursion depth is the condition's nesting depth.
template <class AtomFn>
[[nodiscard]] bool eval_expr(const Expr& x, uint32_t node, AtomFn&& atom) {
  const ExprNode& n = x.nodes[node];
  switch (n.op) {
    case ExprNode::Op::atom:
      return atom(n.first);
    case ExprNode::Op::negate:
      return !eval_expr(x, x.kids[n.first], atom);
    case ExprNode::Op::all:
      for (uint32_t i = 0; i < n.count; ++i)
        if (!eval_expr(x, x.kids[n.first + i], atom)) return false;
      return true;
    case ExprNode::Op::any:
      for (uint32_t i = 0; i < n.count; ++i)
        if (eval_expr(x, x.kids[n.first + i], atom)) return true;
      return false;
  }
  return false;
}

}  // namespace vigie::detect
