// Near misses of `vigie rules explain` (explain.hpp).
#include "detect/explain.hpp"

#include <algorithm>
#include <unordered_map>

namespace vigie::detect {
namespace {

constexpr uint32_t kNoNode = UINT32_MAX;

// Evaluates a rule's expression on one event, atoms computed once each; `forced` (a node) may be
// given the value `forced_value` to ask "would the rule match if this part held / did not hold".
class Evaluator {
 public:
  Evaluator(const RuleSet& rs, const Expr& x, const core::Event& e) : rs_(rs), x_(x), e_(e) {}

  bool eval(uint32_t n, uint32_t forced = kNoNode, bool forced_value = false) {
    if (n == forced) return forced_value;
    const ExprNode& node = x_.nodes[n];
    switch (node.op) {
      case ExprNode::Op::atom:
        return atom(node.first);
      case ExprNode::Op::negate:
        return !eval(x_.kids[node.first], forced, forced_value);
      case ExprNode::Op::all:
        for (uint32_t i = 0; i < node.count; ++i)
          if (!eval(x_.kids[node.first + i], forced, forced_value)) return false;
        return true;
      case ExprNode::Op::any:
        for (uint32_t i = 0; i < node.count; ++i)
          if (eval(x_.kids[node.first + i], forced, forced_value)) return true;
        return false;
    }
    return false;
  }

  bool atom(uint32_t id) {
    if (auto it = memo_.find(id); it != memo_.end()) return it->second;
    const bool v = rs_.atom_holds(id, e_);
    memo_.emplace(id, v);
    return v;
  }

 private:
  const RuleSet& rs_;
  const Expr& x_;
  const core::Event& e_;
  std::unordered_map<uint32_t, bool> memo_;
};

// The conjuncts of a selection: its field items when it is a map (AND), the items of each map
// when it is a list of maps (OR of ANDs).
std::vector<std::vector<uint32_t>> and_groups(const Expr& x, uint32_t root) {
  const auto kids = [&](uint32_t n) {
    std::vector<uint32_t> out;
    for (uint32_t i = 0; i < x.nodes[n].count; ++i) out.push_back(x.kids[x.nodes[n].first + i]);
    return out;
  };
  const ExprNode& node = x.nodes[root];
  if (node.op == ExprNode::Op::all) return {kids(root)};
  std::vector<std::vector<uint32_t>> out;
  if (node.op == ExprNode::Op::any)
    for (uint32_t k : kids(root))
      if (x.nodes[k].op == ExprNode::Op::all) out.push_back(kids(k));
  return out;
}

void subtree(const Expr& x, uint32_t n, std::vector<uint32_t>& nodes) {
  nodes.push_back(n);
  const ExprNode& node = x.nodes[n];
  if (node.op == ExprNode::Op::negate) subtree(x, x.kids[node.first], nodes);
  if (node.op == ExprNode::Op::all || node.op == ExprNode::Op::any)
    for (uint32_t i = 0; i < node.count; ++i) subtree(x, x.kids[node.first + i], nodes);
}

// Names `node` as the rule file wrote it (its field item, if it is one) and lists what it reads.
void describe(const RuleSet& rs, const CompiledRule& r, uint32_t node, const core::Event& e, NearMiss& nm) {
  for (const auto& item : r.expr.items)
    if (item.node == node) {
      nm.test = item.name;
      nm.where = item.where;
      break;
    }
  std::vector<uint32_t> nodes;
  subtree(r.expr, node, nodes);
  for (uint32_t n : nodes) {
    if (r.expr.nodes[n].op != ExprNode::Op::atom) continue;
    const Atom& a = rs.atom(r.expr.nodes[n].first);
    for (const auto* f : {&a.field, a.kind == AtomKind::fieldref ? &a.ref : nullptr}) {
      if (f == nullptr) continue;
      if (std::any_of(nm.values.begin(), nm.values.end(), [&](const auto& v) { return v.first == f->name; })) continue;
      const auto v = e.get(*f);
      nm.values.emplace_back(f->name, v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
    }
  }
}

// The first field item under `root` that is false on the event (a logsource's failing test).
uint32_t first_false_item(const CompiledRule& r, uint32_t root, Evaluator& ev) {
  std::vector<uint32_t> nodes;
  subtree(r.expr, root, nodes);
  for (const auto& item : r.expr.items)
    if (std::find(nodes.begin(), nodes.end(), item.node) != nodes.end() && !ev.eval(item.node)) return item.node;
  return root;
}

std::optional<NearMiss> near_miss(const RuleSet& rs, uint32_t idx, const core::Event& e) {
  const CompiledRule& r = rs.compiled(idx);
  if (r.is_correlation || r.outline.condition == RuleOutline::kNone) return std::nullopt;
  Evaluator ev(rs, r.expr, e);
  NearMiss nm;
  nm.rule = idx;
  const auto logsource_holds = [&] {
    return std::all_of(r.outline.logsource.begin(), r.outline.logsource.end(),
                       [&](const ExprPart& p) { return ev.eval(p.node); });
  };
  if (ev.eval(r.outline.condition)) {
    for (const auto& p : r.outline.logsource)
      if (!ev.eval(p.node)) {
        nm.kind = NearMiss::Kind::logsource;
        nm.part = p.name;
        nm.where = p.where;
        describe(rs, r, first_false_item(r, p.node, ev), e, nm);
        if (nm.where.empty()) nm.where = p.where;
        return nm;
      }
    return std::nullopt;  // it matched (the matcher and the reference evaluator agree)
  }
  if (!logsource_holds()) return std::nullopt;
  for (const auto& sel : r.outline.selections) {
    const bool holds = ev.eval(sel.node);
    if (holds) {
      // Would the rule match without this selection? Then it is what excluded the event.
      if (ev.eval(r.outline.condition, sel.node, false)) {
        nm.kind = NearMiss::Kind::filtered;
        nm.part = sel.name;
        nm.where = sel.where;
        describe(rs, r, sel.node, e, nm);
        if (nm.test.empty()) nm.where = sel.where;
        return nm;
      }
      continue;
    }
    for (const auto& group : and_groups(r.expr, sel.node)) {
      if (group.size() < 2) continue;
      uint32_t failed = kNoNode;
      std::size_t failures = 0;
      for (uint32_t k : group)
        if (!ev.eval(k)) ++failures, failed = k;
      if (failures != 1 || !ev.eval(r.outline.condition, failed, true)) continue;
      nm.kind = NearMiss::Kind::one_test;
      nm.part = sel.name;
      describe(rs, r, failed, e, nm);
      if (nm.where.empty()) nm.where = sel.where;
      return nm;
    }
  }
  return std::nullopt;
}

}  // namespace

Explanation explain(Matcher& m, const RuleSet& rs, core::Event& e) {
  Explanation out;
  m.decode(e, out.decoders);
  m.match(e, out.matched);
  for (uint32_t r = 0; r < rs.rule_count(); ++r) {
    if (std::binary_search(out.matched.begin(), out.matched.end(), r)) continue;
    if (auto nm = near_miss(rs, r, e)) out.near_misses.push_back(std::move(*nm));
  }
  return out;
}

}  // namespace vigie::detect
