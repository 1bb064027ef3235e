// RuleSetBuilder::finish(): resolves names across files, then builds the match index — the
// RE2::Sets and hash maps the matcher scans once per field, and the candidate lists.
#include <algorithm>
#include <cstdio>
#include <optional>

#include "detect/builder.hpp"
#include "detect/pattern.hpp"

namespace vigie::detect {
namespace {

enum class Tri : uint8_t { no, yes, maybe };

// Value of the expression when every indexed atom is false and the others are unknown (Kleene
// logic). A rule that is not surely false then must be evaluated on every event.
Tri when_unindexed(const Expr& x, uint32_t node, const std::vector<Atom>& atoms) {
  const ExprNode& n = x.nodes[node];
  switch (n.op) {
    case ExprNode::Op::atom:
      return atoms[n.first].indexed() ? Tri::no : Tri::maybe;
    case ExprNode::Op::negate: {
      const Tri t = when_unindexed(x, x.kids[n.first], atoms);
      return t == Tri::maybe ? t : (t == Tri::yes ? Tri::no : Tri::yes);
    }
    case ExprNode::Op::all:
    case ExprNode::Op::any: {
      const Tri absorbing = n.op == ExprNode::Op::all ? Tri::no : Tri::yes;
      bool unknown = false;
      for (uint32_t i = 0; i < n.count; ++i) {
        const Tri t = when_unindexed(x, x.kids[n.first + i], atoms);
        if (t == absorbing) return absorbing;
        unknown = unknown || t == Tri::maybe;
      }
      return unknown ? Tri::maybe : (absorbing == Tri::no ? Tri::yes : Tri::no);
    }
  }
  return Tri::maybe;
}

// A cover of an expression: indexed atoms at least one of which is true whenever the expression
// is; nullopt when none exists (the expression can hold with every indexed atom false). For an
// AND the cheapest kid's cover is enough — cost is how many rules share the atoms, so that a
// rule is not woken up by a field value every rule of its family tests (event.action: ssh_login)
// when it also tests a rarer one (user.name: bob).
std::optional<std::vector<uint32_t>> cover(const Expr& x, uint32_t node, const std::vector<Atom>& atoms,
                                           const std::vector<uint32_t>& popularity) {
  const ExprNode& n = x.nodes[node];
  switch (n.op) {
    case ExprNode::Op::atom:
      if (!atoms[n.first].indexed()) return std::nullopt;
      return std::vector<uint32_t>{n.first};
    case ExprNode::Op::negate:
      return std::nullopt;
    case ExprNode::Op::any: {
      std::vector<uint32_t> out;
      for (uint32_t i = 0; i < n.count; ++i) {
        auto k = cover(x, x.kids[n.first + i], atoms, popularity);
        if (!k) return std::nullopt;
        out.insert(out.end(), k->begin(), k->end());
      }
      return out;
    }
    case ExprNode::Op::all: {
      std::optional<std::vector<uint32_t>> best;
      uint64_t best_cost = UINT64_MAX;
      for (uint32_t i = 0; i < n.count; ++i) {
        auto k = cover(x, x.kids[n.first + i], atoms, popularity);
        if (!k) continue;
        uint64_t cost = 0;
        for (uint32_t a : *k) cost += uint64_t{popularity[a]} * (atoms[a].kind == AtomKind::exact ? 2U : 3U);
        if (cost < best_cost) {
          best_cost = cost;
          best = std::move(k);
        }
      }
      return best;
    }
  }
  return std::nullopt;
}

std::string atom_key(const Atom& a) {
  std::string k;
  k += static_cast<char>('0' + static_cast<int>(a.kind));
  k += a.cased ? 'c' : 'i';
  k += a.want ? 'y' : 'n';
  k += static_cast<char>('0' + static_cast<int>(a.op));
  k += a.field.name;
  k += '\x1f';
  k += a.text;
  if (a.kind == AtomKind::cidr) k += a.cidr.to_string();
  if (a.kind == AtomKind::numeric) {  // exact: to_string keeps 6 decimals, merging 1e-7 and 4e-7
    char buf[32];
    std::snprintf(buf, sizeof buf, "%a", a.number);
    k += buf;
  }
  return k;
}

}  // namespace

uint32_t add_atom_node(Expr& x, uint32_t atom) {
  x.nodes.push_back({ExprNode::Op::atom, atom, 0});
  return static_cast<uint32_t>(x.nodes.size() - 1);
}

uint32_t add_op_node(Expr& x, ExprNode::Op op, const std::vector<uint32_t>& kids) {
  x.nodes.push_back({op, static_cast<uint32_t>(x.kids.size()), static_cast<uint32_t>(kids.size())});
  x.kids.insert(x.kids.end(), kids.begin(), kids.end());
  return static_cast<uint32_t>(x.nodes.size() - 1);
}

uint32_t RuleSetBuilder::intern_atom(Atom a, const std::string& where) {
  const std::string key = atom_key(a);
  if (auto it = atom_ids_.find(key); it != atom_ids_.end()) return it->second;
  if (a.kind == AtomKind::pattern) {
    RE2::Options opts;
    opts.set_log_errors(false);
    a.re = std::make_unique<RE2>(a.text, opts);
    if (!a.re->ok()) error(where, "bad regex '" + a.text + "': " + a.re->error());
  }
  const auto id = static_cast<uint32_t>(rs_->atoms_.size());
  rs_->atoms_.push_back(std::move(a));
  atom_ids_.emplace(key, id);
  return id;
}

void RuleSetBuilder::resolve_references() {
  auto& rules = rs_->rules_;
  for (const auto& ref : correlation_refs_) {
    const auto target = rs_->find_rule(ref.name);
    if (!target) {
      error(ref.where, "correlation references unknown rule '" + ref.name + "'");
      continue;
    }
    auto& spec = rules[ref.from].corr;
    auto& counted = spec.rules;
    if (std::find(counted.begin(), counted.end(), *target) != counted.end()) {
      // The same rule twice: harmless for counts, meaningless for temporal types.
      if (spec.type == CorrelationType::temporal || spec.type == CorrelationType::temporal_ordered)
        error(ref.where, "rule '" + ref.name + "' is listed twice in this " +
                             std::string(correlation_type_name(spec.type)) + " correlation");
      continue;
    }
    counted.push_back(*target);
    rules[*target].correlations.push_back(ref.from);
    rules[*target].correlation_parts.push_back(static_cast<uint32_t>(counted.size() - 1));
  }
  // Sigma: a rule referenced by correlations (a detection rule, or a correlation chained into
  // another) raises no alert of its own unless one of them says generate: true.
  for (auto& r : rules) {
    if (r.correlations.empty()) continue;
    r.alerts =
        std::any_of(r.correlations.begin(), r.correlations.end(), [&](uint32_t c) { return rules[c].corr.generate; });
  }
  for (const auto& ref : test_refs_)
    if (!rs_->find_rule(ref.name)) error(ref.where, "test expects an alert from unknown rule '" + ref.name + "'");
  if (errors_.empty()) check_correlations();
}

void RuleSetBuilder::build_rule_index() {
  auto& rs = *rs_;
  std::unordered_map<std::string, uint32_t> by_field;
  for (uint32_t id = 0; id < rs.atoms_.size(); ++id) {
    const Atom& a = rs.atoms_[id];
    if (!a.indexed()) continue;
    auto [it, fresh] = by_field.emplace(a.field.name, static_cast<uint32_t>(rs.fields_.size()));
    if (fresh) rs.fields_.push_back(FieldIndex{a.field, -1, {}, 0, {}, {}});
    FieldIndex& fi = rs.fields_[it->second];
    if (a.kind == AtomKind::exact) {
      (a.cased ? fi.cased : fi.folded)[a.text].push_back(id);
      continue;
    }
    if (fi.scan < 0) {
      fi.scan = static_cast<int32_t>(scan_of(fi.field));
      rs.scans_[static_cast<std::size_t>(fi.scan)].rules = static_cast<int32_t>(it->second);
    }
    fi.set_atoms.push_back(id);
  }

  // Candidates: each rule is registered under the atoms of one cover of its condition; a rule
  // with no cover that can hold with its indexed atoms all false is evaluated on every event.
  std::vector<uint32_t> popularity(rs.atoms_.size(), 0);
  std::vector<std::vector<uint32_t>> rule_atoms(rs.rules_.size());
  for (uint32_t r = 0; r < rs.rules_.size(); ++r) {
    if (rs.rules_[r].is_correlation) continue;
    auto& atoms = rule_atoms[r];
    for (const auto& n : rs.rules_[r].expr.nodes)
      if (n.op == ExprNode::Op::atom) atoms.push_back(n.first);
    std::sort(atoms.begin(), atoms.end());
    atoms.erase(std::unique(atoms.begin(), atoms.end()), atoms.end());
    for (uint32_t a : atoms) ++popularity[a];
  }
  rs.atom_rules_.assign(rs.atoms_.size(), {});
  for (uint32_t r = 0; r < rs.rules_.size(); ++r) {
    const CompiledRule& rule = rs.rules_[r];
    if (rule.is_correlation) continue;
    if (when_unindexed(rule.expr, rule.expr.root, rs.atoms_) != Tri::no) {
      rs.always_.push_back(r);
      continue;
    }
    auto atoms = cover(rule.expr, rule.expr.root, rs.atoms_, popularity);
    if (!atoms) {  // surely false without an indexed atom, but no simple cover: use them all
      atoms = std::vector<uint32_t>();
      for (uint32_t a : rule_atoms[r])
        if (rs.atoms_[a].indexed()) atoms->push_back(a);
    }
    std::sort(atoms->begin(), atoms->end());
    atoms->erase(std::unique(atoms->begin(), atoms->end()), atoms->end());
    for (uint32_t a : *atoms) rs.atom_rules_[a].push_back(r);
  }
}

void RuleSetBuilder::build_decoder_index() {
  auto& rs = *rs_;
  uint32_t flat_patterns = 0;
  for (uint32_t d = 0; d < rs.decoders_.size(); ++d) {
    Decoder& dec = rs.decoders_[d];
    DecoderField& df = rs.decoder_fields_[dec.source];
    if (df.scan < 0) df.scan = static_cast<int32_t>(scan_of(df.field));
    FieldScan& fs = rs.scans_[static_cast<std::size_t>(df.scan)];
    if (dec.kv_probe) {
      dec.kv_entry = static_cast<int32_t>(fs.decoder_patterns++);
      df.owner.push_back(d);
    }
    dec.set_base = fs.decoder_patterns;
    for (auto& p : dec.patterns) {
      p.flat = flat_patterns++;
      ++fs.decoder_patterns;
      df.owner.push_back(d);
    }
  }
}

void RuleSetBuilder::choose_filters() {
  auto& rs = *rs_;
  for (auto& df : rs.decoder_fields_)
    df.filtered = df.scan >= 0 && rs.scans_[static_cast<std::size_t>(df.scan)].rules >= 0;
  for (uint32_t d = 0; d < rs.decoders_.size(); ++d) {
    const Decoder& dec = rs.decoders_[d];
    if (!rs.decoder_fields_[dec.source].filtered || (dec.kv && dec.kv_entry < 0)) rs.unfiltered_decoders_.push_back(d);
  }
}

uint32_t RuleSetBuilder::scan_of(const core::FieldRef& field) {
  auto [it, fresh] = scans_.emplace(field.name, static_cast<uint32_t>(rs_->scans_.size()));
  if (fresh) rs_->scans_.push_back(FieldScan{field, nullptr, -1, nullptr, {}, 0, -1});
  return it->second;
}

// Each scan's set holds its decoder patterns (decoder order, as set_base says), then the
// pattern atoms of the rules testing the field (FieldIndex::base on).
void RuleSetBuilder::compile_scans() {
  auto& rs = *rs_;
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(options_.set_max_mem);
  for (uint32_t s = 0; s < rs.scans_.size(); ++s) {
    FieldScan& fs = rs.scans_[s];
    fs.set = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
    fs.recipe = static_cast<int32_t>(rs.recipes_.size());
    SetRecipe& recipe = rs.recipes_.emplace_back(SetRecipe{opts, {}});
    // `entry` is what the set scans for; `re` is the regex alone (RE2::Set error fallback).
    const auto add = [&](const std::string& entry, const RE2& re, const std::string& where) {
      std::string why;
      if (fs.set->Add(entry, &why) < 0) {
        error(where, "regex '" + entry + "' rejected by RE2::Set: " + why);
        return;
      }
      recipe.patterns.push_back(entry);
      fs.singles.push_back(&re);
    };
    for (const auto& dec : rs.decoders_)
      if (rs.decoder_fields_[dec.source].scan == static_cast<int32_t>(s)) {
        if (dec.kv_probe) add(dec.kv_probe->pattern(), *dec.kv_probe, dec.where);
        for (const auto& p : dec.patterns) add(decoder_scan_entry(*p.re), *p.re, dec.where);
      }
    if (fs.rules >= 0) {
      FieldIndex& fi = rs.fields_[static_cast<std::size_t>(fs.rules)];
      fi.base = fs.decoder_patterns;
      for (uint32_t id : fi.set_atoms) add(rs.atoms_[id].re->pattern(), *rs.atoms_[id].re, "");
    }
    if (!errors_.empty()) return;
    if (!fs.set->Compile())
      error("", "the regex set of field '" + fs.field.name + "' (" + std::to_string(fs.singles.size()) +
                    " patterns of decoders and rules) does not fit in the regex memory budget");
  }
}

LoadResult RuleSetBuilder::finish() {
  resolve_references();
  if (errors_.empty()) build_decoder_index();
  if (errors_.empty()) build_rule_index();
  if (errors_.empty()) choose_filters();
  if (errors_.empty()) compile_scans();
  if (errors_.empty() && options_.prefilter) rs_->make_prefilters();
  if (errors_.empty() && !rs_->make_slots(options_.matcher_slots))
    error("", "a copy of the regex sets for matcher threads does not fit in the regex memory budget");
  if (!errors_.empty()) return tl::unexpected(std::move(errors_));
  return std::shared_ptr<const RuleSet>(std::move(rs_));
}

}  // namespace vigie::detect
