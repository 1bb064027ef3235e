#include "detect/ruleset.hpp"

#include <charconv>

#include "detect/pattern.hpp"
#include "intel/formats.hpp"

namespace vigie::detect {

std::optional<uint32_t> RuleSet::find_rule(std::string_view id) const {
  const std::string key(id);
  if (auto it = by_id_.find(key); it != by_id_.end()) return it->second;
  if (auto it = by_name_.find(key); it != by_name_.end()) return it->second;
  return std::nullopt;
}

bool RuleSet::make_slots(std::size_t n) {
  set_copies_.clear();
  regex_copies_.clear();
  for (std::size_t slot = 1; slot < n; ++slot) {
    auto& sets = set_copies_.emplace_back();
    for (const auto& r : recipes_) {
      auto set = std::make_unique<RE2::Set>(r.options, RE2::UNANCHORED);
      for (const auto& p : r.patterns)
        if (set->Add(p, nullptr) < 0) return false;
      if (!set->Compile()) return false;
      sets.push_back(std::move(set));
    }
    auto& regexes = regex_copies_.emplace_back();
    for (const auto& d : decoders_)
      for (const auto& p : d.patterns) {
        if (regexes.size() <= p.flat) regexes.resize(p.flat + 1);
        regexes[p.flat] = std::make_unique<RE2>(p.re->pattern(), p.re->options());
        if (!regexes[p.flat]->ok()) return false;
      }
  }
  return true;
}

std::vector<RuleSet::SetPatterns> RuleSet::set_patterns() const {
  std::vector<SetPatterns> out;
  for (const auto& fs : scans_) {
    if (fs.recipe < 0) continue;
    const SetRecipe& r = recipes_[static_cast<std::size_t>(fs.recipe)];
    out.push_back(SetPatterns{fs.field.name, &r.options, &r.patterns});
  }
  return out;
}

void RuleSet::make_prefilters() {
  for (auto& fs : scans_) fs.prefilter = Prefilter::build(recipes_[static_cast<std::size_t>(fs.recipe)].patterns);
}

bool RuleSet::eval_atom(const Atom& a, const core::Event& e, const intel::IocIndex* iocs) const {
  const auto v = e.get(a.field);
  switch (a.kind) {
    case AtomKind::ioc: {
      if (!v || iocs == nullptr || iocs->empty()) return false;
      const auto type = a.ioc_any ? intel::guess_type(*v) : std::optional(a.ioc_type);
      return type && iocs->find(*type, *v) != nullptr;
    }
    case AtomKind::absent:
      return !v;
    case AtomKind::exists:
      return v.has_value() == a.want;
    case AtomKind::pattern: {
      if (!v) return false;
      std::string repaired;  // as the matcher does (detect/pattern.hpp: matchable)
      const std::string_view text = matchable(*v, repaired);
      return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *a.re);
    }
    case AtomKind::exact:
      return v && (a.cased ? *v == a.text : ascii_fold(*v) == a.text);
    case AtomKind::fieldref: {
      if (!v) return false;
      // Copied: the view get() gives may not outlive the next read (event.hpp).
      const std::string mine(*v);
      const auto other = e.get(a.ref);
      if (!other) return false;
      return a.cased ? mine == *other : ascii_fold(mine) == ascii_fold(*other);
    }
    case AtomKind::cidr: {
      if (!v) return false;
      const auto ip = core::IpAddress::parse(*v);
      return ip && a.cidr.contains(*ip);
    }
    case AtomKind::numeric: {
      if (!v) return false;
      const auto parsed = parse_decimal(*v);
      if (!parsed) return false;
      const double x = *parsed;
      switch (a.op) {
        case NumOp::lt:
          return x < a.number;
        case NumOp::lte:
          return x <= a.number;
        case NumOp::gt:
          return x > a.number;
        case NumOp::gte:
          return x >= a.number;
      }
      return false;
    }
  }
  return false;
}

bool RuleSet::evaluate_naive(uint32_t idx, const core::Event& e) const {
  const CompiledRule& r = rules_[idx];
  if (r.is_correlation) return false;
  return eval_expr(r.expr, r.expr.root, [&](uint32_t atom) { return eval_atom(atoms_[atom], e); });
}

}  // namespace vigie::detect
