// Logsource as a filter (logsource.hpp): the mapping file, and each rule's logsource turned into
// predicates ANDed to its condition.
#include <algorithm>
#include <cctype>

#include "detect/builder.hpp"

namespace vigie::detect {
namespace {

constexpr std::string_view kKeys[] = {"product", "category", "service"};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return out;
}

}  // namespace

const LogsourceEntry* LogsourceMap::find(const std::string& key, std::string_view name) const {
  const auto k = keys.find(key);
  if (k == keys.end()) return nullptr;
  const auto e = k->second.find(lower(name));
  return e == k->second.end() ? nullptr : &e->second;
}

// Every predicate is compiled once here, by a builder of its own (its atoms must not reach this
// rule set unless a rule uses them), so that an entry no rule names is still checked: `vigie
// check` must refuse a broken mapping whatever the rules are.
void RuleSetBuilder::load_logsources(std::string_view yaml, const std::string& name) {
  logsources_ = LogsourceMap{};
  logsources_.file = name;
  rs_->logsource_file_ = name;
  const std::size_t errors_before = errors_.size();
  const Context c{name, {}};
  try {
    const YAML::Node doc = YAML::Load(std::string(yaml));
    report_duplicate_keys(doc, c);
    if (!doc.IsMap()) {
      error(name, "a logsource mapping must be a mapping with product, service and category keys");
      return;
    }
    for (const auto& kv : doc) {
      const std::string key = kv.first.Scalar();
      if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys)) {
        error(at(c, kv.first), "unknown key '" + key + "' in the logsource mapping (product, service, category)");
        continue;
      }
      if (!kv.second.IsMap()) {
        error(at(c, kv.second), "'" + key + "' must map names to predicates");
        continue;
      }
      auto& names = logsources_.keys[key];
      for (const auto& entry : kv.second) {
        const std::string n = lower(entry.first.Scalar());
        if (names.count(n)) {
          error(at(c, entry.first), key + " '" + n + "' is mapped twice (names are case-insensitive)");
          continue;
        }
        names.emplace(n, LogsourceEntry{entry.second, at(c, entry.first)});
      }
    }
    RuleSetBuilder scratch(detection_, options_);
    for (const auto& [key, names] : logsources_.keys)
      for (const auto& [n, entry] : names) {
        Expr x;
        if (!scratch.logsource_predicate(entry.predicate, c, x) && scratch.errors_.empty())
          scratch.error(entry.where, "empty predicate");
      }
    for (auto& e : scratch.errors_) errors_.push_back(std::move(e));
    for (auto& e : scratch.skipped_)
      errors_.push_back({std::move(e.where), e.what + " (a logsource predicate must be supported by this version)"});
  } catch (const YAML::Exception& ex) {
    error(ex.mark.is_null() ? name : name + ":" + std::to_string(ex.mark.line + 1), "YAML syntax error: " + ex.msg);
  }
  logsources_.valid = errors_.size() == errors_before;
}

// A predicate is a selection, or named selections with a `condition` (e.g. `not windows`).
std::optional<uint32_t> RuleSetBuilder::logsource_predicate(const YAML::Node& pred, const Context& c, Expr& x) {
  if (!pred.IsMap() || !pred["condition"]) return load_selection(pred, c, x);
  std::vector<std::string> names;
  std::vector<uint32_t> roots;
  std::optional<YAML::Node> cond;
  bool complete = true;
  for (const auto& kv : pred) {
    const std::string key = kv.first.Scalar();
    if (key == "condition") {
      cond.emplace(kv.second);
      continue;
    }
    names.push_back(key);
    const auto root = load_selection(kv.second, c, x);
    roots.push_back(root.value_or(0));
    complete = complete && root.has_value();
  }
  const auto text = scalar_of(*cond);
  if (!text) {
    error(at(c, *cond), "a logsource condition must be a string");
    return std::nullopt;
  }
  auto parsed = parse_condition(*text, names);
  if (!parsed) {
    error(at(c, *cond), parsed.error());
    return std::nullopt;
  }
  if (!complete) return std::nullopt;
  return build_condition(*parsed, roots, x);
}

void RuleSetBuilder::apply_logsource(const YAML::Node& doc, const Context& c, CompiledRule& r) {
  const auto ls = doc["logsource"];
  if (!ls || ls.IsNull()) return;
  if (!ls.IsMap()) {
    error(at(c, ls), "'logsource' must be a mapping (product, service, category)");
    return;
  }
  const Context mapping{logsources_.file, {}};
  std::vector<uint32_t> parts;
  for (const auto key : kKeys) {
    const auto v = ls[std::string(key)];
    if (!v || v.IsNull()) continue;
    const auto name = scalar_of(v);
    if (!name) {
      error(at(c, v), "logsource " + std::string(key) + " must be a string");
      continue;
    }
    if (!logsources_.valid) continue;  // its errors are reported; the load fails anyway
    const LogsourceEntry* e = logsources_.find(std::string(key), *name);
    if (!e) {
      skip(at(c, v), "logsource " + std::string(key) + " '" + *name + "'", " maps to nothing in " + logsources_.file);
      continue;
    }
    if (auto root = logsource_predicate(e->predicate, mapping, r.expr)) {
      parts.push_back(*root);
      r.outline.logsource.push_back({std::string(key) + " '" + *name + "'", *root, e->where});
    }
  }
  if (parts.empty()) return;
  parts.push_back(r.expr.root);
  r.expr.root = add_op_node(r.expr, ExprNode::Op::all, parts);
}

}  // namespace vigie::detect
