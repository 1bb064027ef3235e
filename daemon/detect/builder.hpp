// RuleSetBuilder: turns YAML documents into a RuleSet (internal to the detect module). Loading
// may throw inside yaml-cpp; every exception is caught per document and becomes an Error with
// file:line, so one bad document never hides the errors of the others.
//
// Split by responsibility: loader.cpp (files, documents, metadata, tests), load_rule.cpp
// (detection), load_correlation.cpp (correlation), load_decoder.cpp (decoders), index.cpp (resolution and the
// match index built by finish()).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "detect/condition.hpp"
#include "detect/engine.hpp"
#include "detect/logsource.hpp"

namespace vigie::detect {

// `expand` placeholders: name → the values it stands for (load_placeholders.cpp).
using Placeholders = std::unordered_map<std::string, std::vector<std::string>>;
inline constexpr std::string_view kPlaceholdersFile = "placeholders.yml";

class RuleSetBuilder {
 public:
  RuleSetBuilder(const config::Detection& detection, const LoadOptions& options);

  void add_file(const std::filesystem::path& file);
  void add_text(std::string_view yaml, const std::string& name, const std::filesystem::path& base_dir);
  void error(std::string where, std::string what) { errors_.push_back({std::move(where), std::move(what)}); }
  [[nodiscard]] LoadResult finish();

  // skip.cpp: valid Sigma that uses a construct this version cannot run. The document that
  // reports a skip is dropped whole (its rules, tests and atoms), the others load; rules that
  // depend on a skipped one (a correlation counting it, a test expecting it) are skipped too.
  // `group`: what the load summary counts it under; `detail` completes the reason.
  void skip(std::string where, std::string group, std::string detail = {});
  // logsource.cpp: the logsource mapping rules are compiled with (before any add_file).
  void load_logsources(std::string_view yaml, const std::string& name);
  // Before finish(): skips correlations and tests naming skipped rules.
  void drop_dependents_of_skipped();
  // builtin_rules.cpp: the built-in rules a loaded file did not replace (same id).
  void add_builtin_rules();

 private:
  struct Context {  // the document being loaded
    std::string file;
    std::filesystem::path base_dir;
  };
  struct PendingRef {   // a rule named by a correlation or a test, resolved in finish()
    uint32_t from = 0;  // correlation rule index, or test index
    std::string name;
    std::string where;
  };

  [[nodiscard]] std::string at(const Context& c, const YAML::Node& n) const;
  void add_document(const YAML::Node& doc, const Context& c);
  void report_duplicate_keys(const YAML::Node& n, const Context& c);
  void check_keys(const YAML::Node& map, const Context& c, std::initializer_list<std::string_view> allowed,
                  std::string_view what, bool sigma_metadata = false);
  bool load_metadata(const YAML::Node& doc, const Context& c, CompiledRule& r);
  void load_tests(const YAML::Node& tests, const Context& c, const std::string& rule_id);

  // load_rule.cpp
  void add_detection(const YAML::Node& doc, const Context& c);
  void add_correlation(const YAML::Node& doc, const Context& c);
  // load_correlation.cpp
  void load_count_condition(const YAML::Node& corr, const YAML::Node& cond, const Context& c, const std::string& type,
                            CorrelationSpec& spec);
  void load_aliases(const YAML::Node& node, const Context& c, CompiledRule& r);
  [[nodiscard]] std::optional<uint32_t> load_selection(const YAML::Node& sel, const Context& c, Expr& x);
  [[nodiscard]] std::optional<uint32_t> load_field_item(const std::string& key, const YAML::Node& key_node,
                                                        const YAML::Node& value, const Context& c, Expr& x);
  [[nodiscard]] std::optional<uint32_t> load_keywords(const YAML::Node& list, const Context& c, Expr& x,
                                                      bool all = false);
  [[nodiscard]] uint32_t build_condition(const CondNode& n, const std::vector<uint32_t>& selection_roots, Expr& x);

  // load_placeholders.cpp: the table of the rule file's directory, read once per directory
  // (empty when there is none; errors in it are reported once, at its lines).
  [[nodiscard]] const Placeholders& placeholders_for(const Context& c);
  [[nodiscard]] std::string placeholders_name(const Context& c) const;
  // logsource.cpp: ANDs the predicates of doc's `logsource` to r's condition, or skips r.
  void apply_logsource(const YAML::Node& doc, const Context& c, CompiledRule& r);
  [[nodiscard]] std::optional<uint32_t> logsource_predicate(const YAML::Node& pred, const Context& c, Expr& x);

  // skip.cpp
  struct DocMark {  // sizes before a document, to drop what it added when it is skipped
    std::size_t rules = 0, tests = 0, atoms = 0, skipped = 0, correlation_refs = 0, test_refs = 0;
  };
  [[nodiscard]] DocMark mark() const;
  void drop_if_skipped(const DocMark& m);

  // load_decoder.cpp
  void add_decoder(const YAML::Node& doc, const Context& c);
  void add_kv(const YAML::Node& kv, const Context& c, Decoder& d);  // a decoder's `kv:` block

  // index.cpp
  [[nodiscard]] uint32_t intern_atom(Atom a, const std::string& where);
  void resolve_references();
  // After resolve_references: chains of correlations (cycles are errors), temporal conditions,
  // aliases → CorrelationSpec::part_keys.
  void check_correlations();
  void build_rule_index();
  void build_decoder_index();
  void choose_filters();  // after build_rule_index: DecoderField::filtered
  [[nodiscard]] uint32_t scan_of(const core::FieldRef& field);
  void compile_scans();

  config::Detection detection_;
  LoadOptions options_;
  std::unique_ptr<RuleSet> rs_;
  std::vector<core::Error> errors_;
  std::unordered_map<std::string, uint32_t> atom_ids_;        // dedup key → atom id
  std::unordered_map<std::string, uint32_t> decoder_fields_;  // field name → DecoderField index
  std::unordered_map<std::string, uint32_t> scans_;           // field name → FieldScan index
  std::vector<PendingRef> correlation_refs_;
  std::vector<PendingRef> test_refs_;  // from = index into rs_->tests_, name = expectation rule

  std::unordered_map<std::string, Placeholders> placeholders_;  // placeholders file → table
  std::vector<SkippedRule> skipped_;                            // one per skipped document
  std::unordered_map<std::string, std::string> skipped_rules_;  // id or name of a skipped rule → where
  LogsourceMap logsources_;
};

// Expression helpers (index.cpp): append a node and return its index.
uint32_t add_atom_node(Expr& x, uint32_t atom);
uint32_t add_op_node(Expr& x, ExprNode::Op op, const std::vector<uint32_t>& kids);

// YAML helpers (loader.cpp).
[[nodiscard]] std::string node_line(const YAML::Node& n);  // 1-based line, "" if unknown
[[nodiscard]] std::optional<std::string> scalar_of(const YAML::Node& n);
[[nodiscard]] std::optional<std::vector<std::string>> scalars_of(const YAML::Node& n);  // scalar or list

}  // namespace vigie::detect
