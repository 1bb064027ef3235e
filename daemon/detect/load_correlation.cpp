// Sigma correlation rules → CompiledRule::corr: event_count, value_count, temporal,
// temporal_ordered (Sigma 2.0), Vigie's absence; aliases and generate. References to other
// rules (detection rules or correlations) are resolved at the end of loading (index.cpp).
#include <algorithm>

#include "detect/builder.hpp"

namespace vigie::detect {

std::string_view correlation_type_name(CorrelationType t) {
  switch (t) {
    case CorrelationType::event_count:
      return "event_count";
    case CorrelationType::value_count:
      return "value_count";
    case CorrelationType::temporal:
      return "temporal";
    case CorrelationType::temporal_ordered:
      return "temporal_ordered";
    case CorrelationType::absence:
      return "absence";
  }
  return "event_count";
}

namespace {

std::optional<CorrelationType> type_of(std::string_view name) {
  for (const auto t : {CorrelationType::event_count, CorrelationType::value_count, CorrelationType::temporal,
                       CorrelationType::temporal_ordered, CorrelationType::absence})
    if (correlation_type_name(t) == name) return t;
  return std::nullopt;
}

}  // namespace

// The condition of event_count ({gte: N} or {gt: N}), value_count (the same plus `field: F`,
// the field whose distinct values are counted) and temporal types ({gte: N}: N of the rules;
// checked against the number of rules once they are resolved).
void RuleSetBuilder::load_count_condition(const YAML::Node& corr, const YAML::Node& cond, const Context& c,
                                          const std::string& type, CorrelationSpec& spec) {
  const bool values = spec.type == CorrelationType::value_count;
  const std::size_t want = values ? 2 : 1;
  if (!cond || !cond.IsMap() || cond.size() != want || (values && !cond["field"])) {
    error(at(c, cond ? cond : corr), values ? "'condition' must name the field and one comparison, such as "
                                              "{field: destination.port, gte: 20}"
                                            : "'condition' must be one comparison such as {gte: 10}");
    return;
  }
  for (const auto& kv : cond) {
    const std::string op = kv.first.Scalar();
    if (values && op == "field") {
      const auto f = scalar_of(kv.second);
      if (!f || f->empty())
        error(at(c, kv.second), "'field' must be a field name");
      else
        spec.field = core::FieldRef::of(*f);
      continue;
    }
    uint64_t n = 0;
    bool number = true;
    try {
      n = kv.second.as<uint64_t>();
    } catch (const YAML::Exception&) {
      number = false;
    }
    if (op == "eq" || op == "lt" || op == "lte" || op == "neq") {
      error(at(c, kv.first), "condition '" + op + "' is not supported for " + type +
                                 " in streaming (a count is only known to stay below a bound once the window has "
                                 "closed): use gte or gt");
    } else if (op != "gte" && op != "gt") {
      error(at(c, kv.first), "unknown condition operator '" + op + "' (use gte or gt)");
    } else if (!number || (op == "gte" && n == 0) || (op == "gte" ? n > kMaxThreshold : n >= kMaxThreshold)) {
      error(at(c, kv.second), "the threshold must be a positive integer of at most " + std::to_string(kMaxThreshold) +
                                  " (a window keeps every event it counts)");
    } else {
      spec.threshold = op == "gt" ? n + 1 : n;
    }
  }
}

// aliases: { <alias>: { <rule id or name>: <field> } }; each alias must be a group-by name.
void RuleSetBuilder::load_aliases(const YAML::Node& node, const Context& c, CompiledRule& r) {
  if (!node.IsMap() || node.size() == 0) {
    error(at(c, node), "'aliases' must map each alias to {rule: field}");
    return;
  }
  for (const auto& a : node) {
    const std::string name = a.first.Scalar();
    if (std::none_of(r.group_by.begin(), r.group_by.end(), [&](const core::FieldRef& g) { return g.name == name; }))
      error(at(c, a.first), "alias '" + name + "' is not a group-by name of this correlation");
    if (!a.second.IsMap() || a.second.size() == 0) {
      error(at(c, a.second ? a.second : a.first), "alias '" + name + "' must map rule names to fields");
      continue;
    }
    for (const auto& m : a.second) {
      const auto field = scalar_of(m.second);
      if (!field || field->empty()) {
        error(at(c, m.second), "alias '" + name + "': the field for rule '" + m.first.Scalar() + "' must be a name");
        continue;
      }
      r.corr.aliases.push_back({name, m.first.Scalar(), *field, at(c, m.first)});
    }
  }
}

void RuleSetBuilder::add_correlation(const YAML::Node& doc, const Context& c) {
  check_keys(doc, c, {"correlation", "generate", "suppress_for", "tlp", "tests"}, "correlation rule", true);
  CompiledRule r;
  r.is_correlation = true;
  const bool ok = load_metadata(doc, c, r);
  const auto idx = static_cast<uint32_t>(rs_->rules_.size());
  const auto corr = doc["correlation"];
  auto& spec = r.corr;
  if (!corr.IsMap()) {
    error(at(c, corr), "'correlation' must be a mapping");
  } else {
    check_keys(corr, c, {"type", "rules", "group-by", "timespan", "condition", "generate", "aliases", "field"},
               "correlation");
    const auto type = corr["type"] ? scalar_of(corr["type"]).value_or("") : std::string();
    const auto known = type_of(type);
    const bool supported = known.has_value();
    if (known) spec.type = *known;
    if (!supported) {
      static constexpr std::string_view kLater[] = {"value_sum", "value_avg", "value_percentile", "value_median"};
      const bool later = std::find(std::begin(kLater), std::end(kLater), type) != std::end(kLater);
      const std::string where = corr["type"] ? at(c, corr["type"]) : at(c, corr);
      if (later)
        skip(where, "correlation type '" + type + "'",
             " is not supported in this version (event_count, value_count, temporal, temporal_ordered, absence are)");
      else
        error(where, type.empty() ? "correlation has no 'type'" : "unknown correlation type '" + type + "'");
    }
    const auto rules = corr["rules"];
    const auto names = rules ? scalars_of(rules) : std::nullopt;
    if (!names || names->empty())
      error(at(c, rules ? rules : corr), "'rules' must list at least one rule id or name");
    else if (ok)
      for (std::size_t i = 0; i < names->size(); ++i)
        correlation_refs_.push_back({idx, (*names)[i], at(c, rules.IsSequence() ? rules[i] : rules)});
    if (const auto g = corr["group-by"]) {
      const auto fields = scalars_of(g);
      if (!fields) error(at(c, g), "'group-by' must be a list of field names");
      for (const auto& f : fields.value_or(std::vector<std::string>{})) r.group_by.push_back(core::FieldRef::of(f));
    }
    if (const auto a = corr["aliases"]) load_aliases(a, c, r);
    const auto ts = corr["timespan"];
    const auto span = ts ? scalar_of(ts) : std::nullopt;
    const auto d = span ? core::parse_duration(*span) : std::nullopt;
    if (!d || d->count() <= 0)
      error(at(c, ts ? ts : corr), "'timespan' must be a positive duration such as 5m, 1h");
    else
      spec.timespan = *d;
    const auto cond = corr["condition"];
    if (cond) spec.where_condition = at(c, cond);
    if (!supported) {
      // Already reported; other types have other condition shapes, so judging theirs by
      // event_count's would only add a misleading second error.
    } else if (spec.type == CorrelationType::absence) {
      if (cond)
        error(at(c, cond), "an absence correlation takes no 'condition' (it fires when no hit came in 'timespan')");
    } else if (spec.type == CorrelationType::temporal || spec.type == CorrelationType::temporal_ordered) {
      // Sigma 2.0: no condition means all the rules; {gte: N} counts rules. Sigma 2.1's boolean
      // form ("a and b") is valid Sigma this version does not run.
      spec.threshold = 0;
      if (cond && cond.IsScalar())
        skip(at(c, cond), "boolean condition of a temporal correlation", " is not supported in this version");
      else if (cond)
        load_count_condition(corr, cond, c, type, spec);
    } else {
      load_count_condition(corr, cond, c, type, spec);
    }
    for (const auto& g : {doc["generate"], corr["generate"]}) {
      if (!g) continue;
      try {
        spec.generate = spec.generate || g.as<bool>();
      } catch (const YAML::Exception&) {
        error(at(c, g), "'generate' takes true or false");
      }
    }
  }
  if (const auto t = doc["tests"]) load_tests(t, c, r.info.id);
  if (!ok) return;
  rs_->by_id_.emplace(r.info.id, idx);
  if (!r.name.empty()) rs_->by_name_.emplace(r.name, idx);
  rs_->rules_.push_back(std::move(r));
}

}  // namespace vigie::detect

namespace vigie::detect {

// Chains (a correlation counting another's firings) must not loop: the depth-first walk reports
// the first cycle it closes at the reference that closes it, with the whole loop.
void RuleSetBuilder::check_correlations() {
  auto& rules = rs_->rules_;
  const auto where_of = [&](uint32_t from, uint32_t to) {
    for (const auto& ref : correlation_refs_)
      if (ref.from == from && rs_->find_rule(ref.name) == to) return ref.where;
    return rules[from].where;
  };
  enum : uint8_t { kUnseen, kOpen, kDone };
  std::vector<uint8_t> state(rules.size(), kUnseen);
  std::vector<uint32_t> path;
  const auto walk = [&](auto&& self, uint32_t r) -> bool {
    state[r] = kOpen;
    path.push_back(r);
    for (const uint32_t t : rules[r].corr.rules) {
      if (!rules[t].is_correlation) continue;
      if (state[t] == kOpen) {
        std::string loop;
        for (auto it = std::find(path.begin(), path.end(), t); it != path.end(); ++it)
          loop += rules[*it].info.id + " → ";
        error(where_of(r, t), "correlation cycle: " + loop + rules[t].info.id);
        return false;
      }
      if (state[t] == kUnseen && !self(self, t)) return false;
    }
    path.pop_back();
    state[r] = kDone;
    return true;
  };
  for (uint32_t r = 0; r < rules.size(); ++r)
    if (rules[r].is_correlation && state[r] == kUnseen && !walk(walk, r)) return;

  for (uint32_t r = 0; r < rules.size(); ++r) {
    CompiledRule& cr = rules[r];
    if (!cr.is_correlation) continue;
    auto& spec = cr.corr;
    for (const uint32_t t : spec.rules)
      if (rules[t].is_correlation && rules[t].corr.type == CorrelationType::absence)
        error(where_of(r, t), "correlation '" + rules[t].info.id +
                                  "' is an absence: it fires on silence, with no event to take this correlation's "
                                  "group-by from, so it cannot be referenced by another correlation");
    const auto n = static_cast<uint64_t>(spec.rules.size());
    if (spec.type == CorrelationType::temporal) {
      if (spec.threshold == 0) spec.threshold = n;
      if (spec.threshold > n)
        error(spec.where_condition, "the condition asks for " + std::to_string(spec.threshold) +
                                        " of the rules; this temporal correlation lists " + std::to_string(n));
    } else if (spec.type == CorrelationType::temporal_ordered) {
      if (spec.threshold != 0 && spec.threshold != n)
        error(spec.where_condition, "temporal_ordered needs all of its " + std::to_string(n) +
                                        " rules in order: leave 'condition' out or use {gte: " + std::to_string(n) +
                                        "}");
      spec.threshold = n;
    }
    // Aliases: the field each group-by name is read from, per referenced rule.
    spec.part_keys.assign(spec.rules.size(), cr.group_by);
    std::vector<std::vector<bool>> given(cr.group_by.size(), std::vector<bool>(spec.rules.size(), false));
    for (const auto& a : spec.aliases) {
      const auto g = static_cast<std::size_t>(std::find_if(cr.group_by.begin(), cr.group_by.end(),
                                                           [&](const core::FieldRef& f) { return f.name == a.name; }) -
                                              cr.group_by.begin());
      const auto t = rs_->find_rule(a.rule);
      const auto p = t ? std::find(spec.rules.begin(), spec.rules.end(), *t) : spec.rules.end();
      if (p == spec.rules.end()) {
        error(a.where, "alias '" + a.name + "' names rule '" + a.rule + "', which this correlation does not reference");
        continue;
      }
      if (g == cr.group_by.size()) continue;  // reported at load: not a group-by name
      const auto part = static_cast<std::size_t>(p - spec.rules.begin());
      spec.part_keys[part][g] = core::FieldRef::of(a.field);
      given[g][part] = true;
    }
    for (std::size_t g = 0; g < cr.group_by.size(); ++g) {
      const auto first = std::find_if(spec.aliases.begin(), spec.aliases.end(),
                                      [&](const CorrelationAlias& a) { return a.name == cr.group_by[g].name; });
      if (first == spec.aliases.end()) continue;
      for (std::size_t part = 0; part < spec.rules.size(); ++part)
        if (!given[g][part])
          error(first->where, "alias '" + first->name + "' gives no field for rule '" +
                                  rules[spec.rules[part]].info.id + "' (every referenced rule needs one)");
    }
  }
}

}  // namespace vigie::detect
