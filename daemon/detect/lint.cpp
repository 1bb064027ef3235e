// Lint checks over a compiled RuleSet (lint.hpp). README.md ("Lint") defines each one.
#include "detect/lint.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "detect/pattern.hpp"

namespace vigie::detect {
namespace {

struct Lit {
  uint32_t atom = 0;
  bool pos = true;
};
using Term = std::vector<Lit>;  // a conjunction of literals

std::string folded(const Atom& a) { return a.cased ? ascii_fold(a.text) : a.text; }

// Can an event satisfy every literal of `t`? Decided field by field on what the atoms say; what
// it cannot decide (two patterns, a pattern and a number) it takes as satisfiable.
bool consistent(const RuleSet& rs, const Term& t) {
  std::map<std::string, std::vector<Lit>> by_field;
  std::set<std::pair<uint32_t, bool>> seen;
  for (const Lit& l : t) {
    if (seen.count({l.atom, !l.pos})) return false;  // x and not x
    seen.insert({l.atom, l.pos});
    const Atom& a = rs.atom(l.atom);
    by_field[a.field.name].push_back(l);
    if (a.kind == AtomKind::fieldref && l.pos) by_field[a.ref.name].push_back({UINT32_MAX, true});
  }
  for (const auto& [field, lits] : by_field) {
    bool present = false, absent = false;
    double lo = -1e308, hi = 1e308;
    bool lo_open = false, hi_open = false;
    std::vector<const Atom*> exact, negated_exact, patterns, cidrs;
    for (const Lit& l : lits) {
      if (l.atom == UINT32_MAX) {  // the other side of a fieldref
        present = true;
        continue;
      }
      const Atom& a = rs.atom(l.atom);
      switch (a.kind) {
        case AtomKind::absent:
          (l.pos ? absent : present) = true;
          break;
        case AtomKind::exists:
          ((l.pos == a.want) ? present : absent) = true;
          break;
        default:
          if (!l.pos) {
            if (a.kind == AtomKind::exact) negated_exact.push_back(&a);
            break;
          }
          present = true;
          if (a.kind == AtomKind::exact) exact.push_back(&a);
          if (a.kind == AtomKind::pattern && a.re && a.re->ok()) patterns.push_back(&a);
          if (a.kind == AtomKind::cidr) cidrs.push_back(&a);
          if (a.kind == AtomKind::numeric) {
            const bool strict = a.op == NumOp::gt || a.op == NumOp::lt;
            if ((a.op == NumOp::gt || a.op == NumOp::gte) && (a.number > lo || (a.number == lo && strict)))
              lo = a.number, lo_open = strict;
            if ((a.op == NumOp::lt || a.op == NumOp::lte) && (a.number < hi || (a.number == hi && strict)))
              hi = a.number, hi_open = strict;
          }
      }
    }
    if (present && absent) return false;
    if (lo > hi || (lo == hi && (lo_open || hi_open))) return false;
    for (std::size_t i = 0; i < exact.size(); ++i) {
      const Atom& x = *exact[i];
      for (std::size_t j = i + 1; j < exact.size(); ++j) {
        const Atom& y = *exact[j];
        if (x.cased && y.cased ? x.text != y.text : folded(x) != folded(y)) return false;
      }
      // x forces the value; a negated y excludes it when it accepts x's value.
      for (const Atom* y : negated_exact)
        if (y->cased ? x.cased && x.text == y->text : folded(x) == y->text) return false;
      // A case-insensitive pattern ("(?is)" of wildcards, "(?i)" of re|i) or a cased literal is
      // decided on the literal itself.
      for (const Atom* p : patterns)
        if ((x.cased || p->text.rfind("(?i", 0) == 0) &&
            !RE2::PartialMatch(re2::StringPiece(x.text.data(), x.text.size()), *p->re))
          return false;
      for (const Atom* c : cidrs) {
        const auto ip = core::IpAddress::parse(x.text);
        if (!ip || !c->cidr.contains(*ip)) return false;
      }
    }
  }
  return true;
}

// Disjunctive normal form of node `n` (negated when `neg`), inconsistent terms dropped as they
// appear; nullopt past `cap` terms.
std::optional<std::vector<Term>> dnf(const RuleSet& rs, const Expr& x, uint32_t n, bool neg, std::size_t cap) {
  const ExprNode& node = x.nodes[n];
  switch (node.op) {
    case ExprNode::Op::atom:
      return std::vector<Term>{Term{Lit{node.first, !neg}}};
    case ExprNode::Op::negate:
      return dnf(rs, x, x.kids[node.first], !neg, cap);
    case ExprNode::Op::all:
    case ExprNode::Op::any:
      break;
  }
  const bool conjunction = (node.op == ExprNode::Op::all) != neg;
  std::vector<Term> out;
  if (conjunction) out.push_back({});
  for (uint32_t i = 0; i < node.count; ++i) {
    auto kid = dnf(rs, x, x.kids[node.first + i], neg, cap);
    if (!kid) return std::nullopt;
    if (!conjunction) {
      out.insert(out.end(), kid->begin(), kid->end());
      if (out.size() > cap) return std::nullopt;
      continue;
    }
    std::vector<Term> next;
    for (const Term& a : out)
      for (const Term& b : *kid) {
        Term t = a;
        t.insert(t.end(), b.begin(), b.end());
        if (!consistent(rs, t)) continue;
        next.push_back(std::move(t));
        if (next.size() > cap) return std::nullopt;
      }
    out = std::move(next);
    if (out.empty()) break;
  }
  if (!conjunction)
    out.erase(std::remove_if(out.begin(), out.end(), [&](const Term& t) { return !consistent(rs, t); }), out.end());
  return out;
}

// A canonical text of a condition: kids of and/or sorted, atoms by id (atoms are interned).
std::string canonical(const Expr& x, uint32_t n) {
  const ExprNode& node = x.nodes[n];
  switch (node.op) {
    case ExprNode::Op::atom:
      return "a" + std::to_string(node.first);
    case ExprNode::Op::negate:
      return "!(" + canonical(x, x.kids[node.first]) + ")";
    case ExprNode::Op::all:
    case ExprNode::Op::any:
      break;
  }
  std::vector<std::string> kids;
  for (uint32_t i = 0; i < node.count; ++i) kids.push_back(canonical(x, x.kids[node.first + i]));
  std::sort(kids.begin(), kids.end());
  std::string s = node.op == ExprNode::Op::all ? "&(" : "|(";
  for (const auto& k : kids) s += k + ",";
  return s + ")";
}

void collect_atoms(const Expr& x, uint32_t n, std::vector<uint32_t>& out) {
  const ExprNode& node = x.nodes[n];
  if (node.op == ExprNode::Op::atom) {
    out.push_back(node.first);
    return;
  }
  if (node.op == ExprNode::Op::negate) {
    collect_atoms(x, x.kids[node.first], out);
    return;
  }
  for (uint32_t i = 0; i < node.count; ++i) collect_atoms(x, x.kids[node.first + i], out);
}

// "file:line" ordered by file, then line as a number.
bool where_less(const std::string& a, const std::string& b) {
  const auto split = [](const std::string& w) {
    const auto colon = w.rfind(':');
    if (colon == std::string::npos) return std::pair<std::string, long>{w, 0};
    return std::pair<std::string, long>{w.substr(0, colon), std::strtol(w.c_str() + colon + 1, nullptr, 10)};
  };
  return split(a) < split(b);
}

void check_unreachable(const RuleSet& rs, const LintOptions& o, std::vector<LintFinding>& out) {
  std::vector<bool> dead(rs.rule_count(), false);
  for (uint32_t r = 0; r < rs.rule_count(); ++r) {
    const CompiledRule& c = rs.compiled(r);
    if (c.is_correlation || condition_satisfiable(rs, r, o.max_terms)) continue;
    dead[r] = true;
    out.push_back({LintFinding::Severity::warning, c.where, "unreachable",
                   "rule " + c.info.id +
                       " can never match: every way its condition (and logsource) can hold asks one field for "
                       "contradictory values"});
  }
  for (uint32_t r = 0; r < rs.rule_count(); ++r) {
    const CompiledRule& c = rs.compiled(r);
    if (!c.is_correlation || c.corr.rules.empty()) continue;
    if (std::all_of(c.corr.rules.begin(), c.corr.rules.end(), [&](uint32_t k) { return dead[k]; }))
      out.push_back({LintFinding::Severity::warning, c.where, "unreachable",
                     "correlation " + c.info.id + " can never fire: none of the rules it counts can match"});
  }
}

// A decoder is used when a rule reads a field it sets (README.md, "Lint").
void check_unused_decoders(const RuleSet& rs, std::vector<LintFinding>& out) {
  std::set<std::string> reads;
  for (uint32_t r = 0; r < rs.rule_count(); ++r) {
    const CompiledRule& c = rs.compiled(r);
    for (const auto& g : c.group_by) reads.insert(g.name);
    if (c.is_correlation) {
      if (c.corr.type == CorrelationType::value_count) reads.insert(c.corr.field.name);
      continue;
    }
    std::vector<uint32_t> atoms;
    collect_atoms(c.expr, c.expr.root, atoms);
    for (uint32_t a : atoms) {
      reads.insert(rs.atom(a).field.name);
      if (rs.atom(a).kind == AtomKind::fieldref) reads.insert(rs.atom(a).ref.name);
    }
  }
  const auto& decs = rs.decoders();
  const auto sets = [&](const Decoder& d, const std::set<std::string>& fields) {
    const auto read = [&](const std::string& f) { return fields.count(f) != 0; };
    for (const auto& p : d.patterns)
      for (const auto& a : p.assigns) {
        if (read(a.target.name)) return true;
        if ((a.target.name == "source.ip" && read("source.domain")) ||
            (a.target.name == "destination.ip" && read("destination.domain")))
          return true;
      }
    if (d.kv) {
      for (const auto& [key, ref] : d.kv->map)
        if (read(ref.name)) return true;
      if (!d.kv->prefix.empty())
        for (auto it = fields.lower_bound(d.kv->prefix); it != fields.end() && it->rfind(d.kv->prefix, 0) == 0; ++it)
          return true;
    }
    return false;
  };
  // A decoder reading what a used decoder sets (its `when`, its source field) is used too: a
  // fixpoint, at most one round per decoder.
  std::vector<bool> used(decs.size(), false);
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < decs.size(); ++i) {
      if (used[i] || !sets(decs[i], reads)) continue;
      used[i] = changed = true;
      for (const auto& [field, values] : decs[i].when) reads.insert(field.name);
      reads.insert(rs.decoder_source(decs[i]).name);
    }
  }
  for (std::size_t i = 0; i < decs.size(); ++i)
    if (!used[i])
      out.push_back({LintFinding::Severity::warning, decs[i].where, "unused-decoder",
                     "decoder " + decs[i].name + ": no rule reads a field it sets"});
}

void check_regex(const RE2& re, const std::string& where, const std::string& what, const LintOptions& o,
                 std::vector<LintFinding>& out) {
  if (!re.ok()) return;
  const int fwd = re.ProgramSize(), rev = re.ReverseProgramSize();
  if (fwd <= o.max_program_size && rev <= o.max_program_size) return;
  out.push_back({LintFinding::Severity::warning, where, "expensive-regex",
                 what + ": RE2 program of " + std::to_string(fwd) + " instructions (reverse " + std::to_string(rev) +
                     "), above " + std::to_string(o.max_program_size) + ": its DFA is slow to build and large"});
}

void check_expensive(const RuleSet& rs, const LintOptions& o, std::vector<LintFinding>& out) {
  for (const auto& d : rs.decoders())
    for (std::size_t i = 0; i < d.patterns.size(); ++i)
      if (d.patterns[i].re)
        check_regex(*d.patterns[i].re, d.where, "decoder " + d.name + " pattern " + std::to_string(i + 1), o, out);
  // Atoms are shared by rules: each is reported once, at the first item that uses it.
  std::set<uint32_t> done;
  for (uint32_t r = 0; r < rs.rule_count(); ++r) {
    const CompiledRule& c = rs.compiled(r);
    if (c.is_correlation) continue;
    for (const auto& item : c.expr.items) {
      std::vector<uint32_t> atoms;
      collect_atoms(c.expr, item.node, atoms);
      for (uint32_t a : atoms) {
        const Atom& atom = rs.atom(a);
        if (atom.kind != AtomKind::pattern || !atom.re || !done.insert(a).second) continue;
        check_regex(*atom.re, item.where, "rule " + c.info.id + " '" + item.name + "'", o, out);
      }
    }
  }
}

void check_duplicates(const RuleSet& rs, std::vector<LintFinding>& out) {
  std::unordered_map<std::string, uint32_t> first;
  for (uint32_t r = 0; r < rs.rule_count(); ++r) {
    const CompiledRule& c = rs.compiled(r);
    if (c.is_correlation) continue;
    const auto [it, fresh] = first.emplace(canonical(c.expr, c.expr.root), r);
    if (fresh) continue;
    const CompiledRule& o = rs.compiled(it->second);
    out.push_back(
        {LintFinding::Severity::warning, c.where, "duplicate-detection",
         "rule " + c.info.id + " has the same condition and logsource as " + o.info.id + " (" + o.where + ")"});
  }
}

}  // namespace

std::string LintFinding::to_string() const {
  return where + ": " + (severity == Severity::error ? "error" : "warning") + ": [" + check + "] " + message;
}

bool condition_satisfiable(const RuleSet& rs, uint32_t rule, std::size_t max_terms) {
  const CompiledRule& c = rs.compiled(rule);
  if (c.is_correlation) return true;
  const auto terms = dnf(rs, c.expr, c.expr.root, false, max_terms);
  return !terms || !terms->empty();
}

std::vector<LintFinding> lint(const RuleSet& rs, const LintOptions& options) {
  std::vector<LintFinding> out;
  check_unreachable(rs, options, out);
  check_unused_decoders(rs, out);
  check_expensive(rs, options, out);
  check_duplicates(rs, out);
  std::stable_sort(out.begin(), out.end(), [](const LintFinding& a, const LintFinding& b) {
    if (a.where != b.where) return where_less(a.where, b.where);
    return a.check < b.check;
  });
  return out;
}

}  // namespace vigie::detect
