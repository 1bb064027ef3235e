// Skipped rules: valid Sigma that this version cannot run is left out with a reason, so that
// one such rule never blocks the others (SigmaHQ's folders load as published). An invalid rule
// stays an error: the two are told apart where the loader finds them (skip() or error()),
// never by the wording of a message.
#include <algorithm>
#include <map>

#include "detect/builder.hpp"

namespace vigie::detect {

void RuleSetBuilder::skip(std::string where, std::string group, std::string detail) {
  skipped_.push_back({std::move(where), group + detail, group});
}

RuleSetBuilder::DocMark RuleSetBuilder::mark() const {
  return {rs_->rules_.size(), rs_->tests_.size(),       rs_->atoms_.size(),
          skipped_.size(),    correlation_refs_.size(), test_refs_.size()};
}

// Drops what the document added since `m` when it reported a skip: its rule, its tests, the
// atoms only it interned (they would otherwise stay in the sets, scanned for nobody). One line
// per skipped document: the first reason, and how many more there were.
void RuleSetBuilder::drop_if_skipped(const DocMark& m) {
  if (skipped_.size() == m.skipped) return;
  if (const std::size_t more = skipped_.size() - m.skipped - 1; more > 0) {
    skipped_[m.skipped].what += " (and " + std::to_string(more) + " more reason" + (more > 1 ? "s" : "") + ")";
    skipped_.resize(m.skipped + 1);
  }
  auto& rs = *rs_;
  for (std::size_t i = m.rules; i < rs.rules_.size(); ++i) {
    const CompiledRule& r = rs.rules_[i];
    for (const std::string* key : {&r.info.id, &r.name}) {
      if (key->empty()) continue;
      skipped_rules_.emplace(*key, r.where);
      for (auto* map : {&rs.by_id_, &rs.by_name_})
        if (auto it = map->find(*key); it != map->end() && it->second == i) map->erase(it);
    }
  }
  rs.rules_.erase(rs.rules_.begin() + static_cast<std::ptrdiff_t>(m.rules), rs.rules_.end());
  rs.tests_.erase(rs.tests_.begin() + static_cast<std::ptrdiff_t>(m.tests), rs.tests_.end());
  for (auto it = atom_ids_.begin(); it != atom_ids_.end();)
    it = it->second >= m.atoms ? atom_ids_.erase(it) : std::next(it);
  rs.atoms_.erase(rs.atoms_.begin() + static_cast<std::ptrdiff_t>(m.atoms), rs.atoms_.end());
  correlation_refs_.resize(m.correlation_refs);
  test_refs_.resize(m.test_refs);
}

// A correlation counting a skipped rule (or a skipped correlation: chains follow) is skipped;
// so is a test expecting a skipped rule. Repeated until nothing changes,
// then the survivors are renumbered. Hands the list of skips to the rule set.
void RuleSetBuilder::drop_dependents_of_skipped() {
  auto& rs = *rs_;
  std::vector<bool> drop_rule(rs.rules_.size(), false);
  std::vector<bool> drop_test(rs.tests_.size(), false);
  const auto gone = [&](const std::string& name) {
    const auto target = rs.find_rule(name);
    return target ? drop_rule[*target] : skipped_rules_.count(name) > 0;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& ref : correlation_refs_) {
      if (drop_rule[ref.from]) continue;
      if (!gone(ref.name)) continue;
      drop_rule[ref.from] = true;
      changed = true;
      skip(ref.where, "correlation of a skipped rule", " ('" + ref.name + "')");
    }
  }
  for (uint32_t t = 0; t < rs.tests_.size(); ++t) {
    const auto own = rs.find_rule(rs.tests_[t].rule_id);
    if (own && drop_rule[*own]) drop_test[t] = true;
  }
  for (const auto& ref : test_refs_)
    if (!drop_test[ref.from] && gone(ref.name)) {
      drop_test[ref.from] = true;
      skip(rs.tests_[ref.from].where, "test expecting a skipped rule", " ('" + ref.name + "')");
    }

  if (std::find(drop_rule.begin(), drop_rule.end(), true) != drop_rule.end()) {
    std::vector<uint32_t> renumber(rs.rules_.size(), UINT32_MAX);
    std::vector<CompiledRule> kept;
    for (uint32_t i = 0; i < rs.rules_.size(); ++i) {
      if (drop_rule[i]) continue;
      renumber[i] = static_cast<uint32_t>(kept.size());
      kept.push_back(std::move(rs.rules_[i]));
    }
    rs.rules_ = std::move(kept);
    rs.by_id_.clear();
    rs.by_name_.clear();
    for (uint32_t i = 0; i < rs.rules_.size(); ++i) {
      rs.by_id_.emplace(rs.rules_[i].info.id, i);
      if (!rs.rules_[i].name.empty()) rs.by_name_.emplace(rs.rules_[i].name, i);
    }
    std::vector<PendingRef> refs;
    for (auto& ref : correlation_refs_)
      if (renumber[ref.from] != UINT32_MAX)
        refs.push_back({renumber[ref.from], std::move(ref.name), std::move(ref.where)});
    correlation_refs_ = std::move(refs);
  }
  if (std::find(drop_test.begin(), drop_test.end(), true) != drop_test.end()) {
    std::vector<uint32_t> renumber(rs.tests_.size(), UINT32_MAX);
    std::vector<RuleTest> kept;
    for (uint32_t t = 0; t < rs.tests_.size(); ++t) {
      if (drop_test[t]) continue;
      renumber[t] = static_cast<uint32_t>(kept.size());
      kept.push_back(std::move(rs.tests_[t]));
    }
    rs.tests_ = std::move(kept);
    std::vector<PendingRef> refs;
    for (auto& ref : test_refs_)
      if (renumber[ref.from] != UINT32_MAX)
        refs.push_back({renumber[ref.from], std::move(ref.name), std::move(ref.where)});
    test_refs_ = std::move(refs);
  }
  rs.skipped_ = skipped_;
}

RuleChanges rule_changes(const RuleSet& before, const RuleSet& after) {
  RuleChanges out;
  for (uint32_t i = 0; i < after.rule_count(); ++i) {
    const auto& id = after.rule(i).id;
    const auto old = before.find_rule(id);
    if (!old || before.rule(*old).id != id)
      out.added.push_back(id);
    else if (before.compiled(*old).content != after.compiled(i).content)
      out.changed.push_back(id);
  }
  for (uint32_t i = 0; i < before.rule_count(); ++i) {
    const auto& id = before.rule(i).id;
    const auto now = after.find_rule(id);
    if (!now || after.rule(*now).id != id) out.removed.push_back(id);
  }
  return out;
}

std::string reload_summary(const RuleChanges& changes) {
  std::string out = "rules reloaded: +" + std::to_string(changes.added.size()) + " \u2212" +
                    std::to_string(changes.removed.size()) + " ~" + std::to_string(changes.changed.size());
  std::string detail;
  const auto list = [&](const char* what, const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    detail += (detail.empty() ? "" : "; ") + std::string(what);
    for (std::size_t i = 0; i < ids.size() && i < 5; ++i) detail += (i ? ", " : " ") + ids[i];
    if (ids.size() > 5) detail += " and " + std::to_string(ids.size() - 5) + " more";
  };
  list("added", changes.added);
  list("removed", changes.removed);
  list("changed", changes.changed);
  return detail.empty() ? out : out + " (" + detail + ")";
}

std::string load_summary(const RuleSet& rules) {
  std::size_t loaded = 0;
  for (uint32_t i = 0; i < rules.rule_count(); ++i) loaded += rules.compiled(i).is_correlation ? 0 : 1;
  std::string out = std::to_string(loaded) + " rule(s) and " + std::to_string(rules.rule_count() - loaded) +
                    " correlation(s) loaded, " + std::to_string(rules.skipped().size()) + " skipped";
  if (rules.skipped().empty()) return out;
  std::map<std::string, std::size_t> groups;
  for (const auto& s : rules.skipped()) ++groups[s.group];
  std::vector<std::pair<std::string, std::size_t>> sorted(groups.begin(), groups.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  out += ":";
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i == 8) {
      out += " and " + std::to_string(sorted.size() - i) + " other reason(s)";
      break;
    }
    out += (i ? ", " : " ") + sorted[i].first + " ×" + std::to_string(sorted[i].second);
  }
  return out;
}

}  // namespace vigie::detect
