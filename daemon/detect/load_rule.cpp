// Sigma detection rules → CompiledRule (expressions over interned atoms); correlations are in
// load_correlation.cpp.
#include <algorithm>
#include <cstdlib>

#include "detect/builder.hpp"
#include "detect/pattern.hpp"
#include "intel/indicator.hpp"

namespace vigie::detect {
namespace {

constexpr uint32_t kBad = UINT32_MAX;

// A value as the rule file wrote it, on one line (`[root, admin]`, `null`): for ExprPart names.
std::string flow_text(const YAML::Node& n) {
  if (n.IsNull()) return "null";
  if (n.IsScalar()) return n.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << n;
  return out.c_str();
}

struct Modifiers {
  Anchor anchor = Anchor::exact;
  int anchors = 0;  // how many of contains/startswith/endswith were given
  bool all = false, re = false, cidr = false, exists = false, base64 = false, base64offset = false, cased = false;
  bool windash = false, neq = false, fieldref = false, expand = false, ioc = false;
  Utf16 utf16 = Utf16::none;
  std::string re_flags;
  std::optional<NumOp> num;
  [[nodiscard]] bool encoded() const { return base64 || base64offset; }
  std::string unsupported;  // valid Sigma this version cannot run ("modifier 'x'"): the rule is skipped
};

std::string unsupported(Modifiers& m, std::string group, const std::string& rest) {
  m.unsupported = std::move(group);
  return rest;
}

// Parses "field|mod|mod"; returns an error message or "".
std::string parse_modifiers(const std::vector<std::string>& mods, Modifiers& m) {
  bool utf16_after_base64 = false;
  for (const auto& mod : mods) {
    if (mod == "contains")
      m.anchor = Anchor::contains, ++m.anchors;
    else if (mod == "startswith")
      m.anchor = Anchor::startswith, ++m.anchors;
    else if (mod == "endswith")
      m.anchor = Anchor::endswith, ++m.anchors;
    else if (mod == "all")
      m.all = true;
    else if (mod == "re")
      m.re = true;
    else if (mod == "i" || mod == "m" || mod == "s")
      m.re_flags += mod;
    else if (mod == "cidr")
      m.cidr = true;
    else if (mod == "exists")
      m.exists = true;
    else if (mod == "base64")
      m.base64 = true;
    else if (mod == "base64offset")
      m.base64offset = true;
    else if (mod == "utf16le" || mod == "wide" || mod == "utf16be" || mod == "utf16") {
      if (m.utf16 != Utf16::none) return "only one of utf16le, utf16be, utf16 and wide may be given";
      m.utf16 = mod == "utf16be" ? Utf16::be : mod == "utf16" ? Utf16::bom_le : Utf16::le;
      utf16_after_base64 = m.encoded();
    } else if (mod == "windash")
      m.windash = true;
    else if (mod == "cased")
      m.cased = true;
    else if (mod == "neq")
      m.neq = true;
    else if (mod == "fieldref")
      m.fieldref = true;
    else if (mod == "expand")
      m.expand = true;
    else if (mod == "lt")
      m.num = NumOp::lt;
    else if (mod == "lte")
      m.num = NumOp::lte;
    else if (mod == "gt")
      m.num = NumOp::gt;
    else if (mod == "gte")
      m.num = NumOp::gte;
    else if (mod == "ioc")
      m.ioc = true;
    else
      return "unknown modifier '" + mod + "'";
  }
  if (m.anchors > 1) return "contains, startswith and endswith are mutually exclusive";
  if (!m.re_flags.empty() && !m.re) return "modifiers i, m, s apply to 're' only";
  if (m.base64 && m.base64offset) return "base64 and base64offset are mutually exclusive";
  // Sigma: the UTF-16 modifiers are only used before a base64 modifier; a log line carries
  // UTF-8, so a UTF-16 value alone could never match.
  if (m.utf16 != Utf16::none && (!m.encoded() || utf16_after_base64))
    return "utf16le, utf16be, utf16 and wide must come before base64 or base64offset";
  if (m.windash && m.encoded())
    return unsupported(m, "modifier 'windash' with base64 or base64offset", " is not supported in this version");
  if (m.fieldref && m.anchors > 0)  // valid Sigma: the other field's value as a substring
    return unsupported(m, "modifier 'fieldref' with contains, startswith or endswith",
                       " is not supported in this version");
  const int kinds = int(m.re) + int(m.cidr) + int(m.exists) + int(m.num.has_value()) + int(m.fieldref) + int(m.ioc);
  const bool strings = m.anchors > 0 || m.encoded() || m.windash || m.expand;
  if (kinds > 1 || (kinds == 1 && (strings || (m.cased && !m.fieldref))))
    return "re, cidr, exists, fieldref, ioc and lt/lte/gt/gte cannot be combined with each other or with string "
           "modifiers";
  if (m.neq && (m.exists || m.all)) return "neq cannot be combined with exists or all";
  return "";
}

// `%name%` placeholders of an `expand` value: letters, digits, `_`, `-`, `.` between two `%`.
bool placeholder_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

// Every value `v` stands for once each placeholder is replaced by each of its values (all
// combinations, at most kMaxExpansion). Returns an error message, or "" with `out` filled.
constexpr std::size_t kMaxExpansion = 4096;
std::string expand_value(const std::string& v, const Placeholders& table, const std::string& table_name,
                         std::vector<std::string>& out) {
  out = {""};
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i + 1;
    if (v[i] == '%')
      while (j < v.size() && placeholder_char(v[j])) ++j;
    if (v[i] != '%' || j == i + 1 || j >= v.size() || v[j] != '%') {
      for (auto& o : out) o += v[i];
      ++i;
      continue;
    }
    const std::string name = v.substr(i + 1, j - i - 1);
    const auto it = table.find(name);
    if (it == table.end())
      return "unknown placeholder '%" + name + "%' (expand reads the 'placeholders:' mapping of " + table_name + ")";
    if (out.size() * it->second.size() > kMaxExpansion)
      return "placeholders expand to more than " + std::to_string(kMaxExpansion) + " values";
    std::vector<std::string> next;
    for (const auto& o : out)
      for (const auto& alt : it->second) next.push_back(o + alt);
    out = std::move(next);
    i = j + 1;
  }
  return "";
}

// The atoms of string values (after expand): plain, windash or base64-encoded, anchored as the
// modifiers say. Returns an error message or "".
std::string string_forms(const std::vector<std::string>& values, const Modifiers& m, const core::FieldRef& ref,
                         std::vector<Atom>& out) {
  for (const auto& v : values) {
    auto add = [&](AtomKind kind, std::string text, bool cased) {
      Atom a;
      a.kind = kind;
      a.field = ref;
      a.cased = kind == AtomKind::exact && cased;
      a.text = std::move(text);
      out.push_back(std::move(a));
    };
    if (m.encoded()) {
      // Base64 text is case-sensitive ("QUJD" is "ABC", "quJd" is not): base64 implies cased.
      // As pySigma: a wildcard has no base64 form (its encoding would be literal text).
      if (has_wildcard(v)) return "a wildcard in '" + v + "' cannot be base64-encoded (escape it as \\* or \\?)";
      const std::string bytes = utf16_encode(unescape_value(v), m.utf16);
      const auto encoded = m.base64 ? std::vector<std::string>{base64_encode(bytes)} : base64_offsets(bytes);
      for (const auto& e : encoded) {
        if (e.empty()) return "'" + v + "' is too short for base64offset (an encoded form would be empty)";
        if (m.anchor == Anchor::exact)
          add(AtomKind::exact, e, true);
        else
          add(AtomKind::pattern, literal_to_regex(e, m.anchor, true), true);
      }
    } else if (m.windash && has_windash_position(v)) {
      add(AtomKind::pattern, wildcard_to_regex(v, m.anchor, m.cased, true), m.cased);
    } else if (m.anchor == Anchor::exact && !has_wildcard(v)) {
      const std::string lit = unescape_value(v);
      add(AtomKind::exact, m.cased ? lit : ascii_fold(lit), m.cased);
    } else {
      add(AtomKind::pattern, wildcard_to_regex(v, m.anchor, m.cased), m.cased);
    }
  }
  return "";
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

}  // namespace

void RuleSetBuilder::add_detection(const YAML::Node& doc, const Context& c) {
  check_keys(doc, c, {"detection", "suppress_for", "tlp", "tests", "group-by"}, "detection rule", true);
  CompiledRule r;
  const bool ok = load_metadata(doc, c, r);
  const auto det = doc["detection"];
  if (!det.IsMap()) {
    error(at(c, det), "'detection' must be a mapping of search identifiers and a condition");
  } else {
    std::vector<std::string> names;
    std::vector<uint32_t> roots;
    std::optional<YAML::Node> cond;  // not a YAML::Node: assigning one writes through to the tree
    bool complete = true;
    for (const auto& kv : det) {
      const std::string key = kv.first.Scalar();
      if (key == "condition") {
        cond.emplace(kv.second);
        continue;
      }
      if (key == "timeframe") {
        skip(at(c, kv.first), "'timeframe'",
             " is not supported in this version (a correlation rule with a timespan is)");
        continue;
      }
      names.push_back(key);
      const auto root = load_selection(kv.second, c, r.expr);
      roots.push_back(root.value_or(kBad));
      complete = complete && root.has_value();
      if (root) r.outline.selections.push_back({key, *root, at(c, kv.first)});
    }
    if (!cond) {
      error(at(c, det), "detection has no 'condition'");
    } else {
      const auto texts = scalars_of(*cond);
      if (!texts || texts->empty()) error(at(c, *cond), "condition must be a string (or a list of strings)");
      std::vector<uint32_t> parts;
      for (const auto& text : texts.value_or(std::vector<std::string>{})) {
        auto parsed = parse_condition(text, names);
        if (!parsed)
          error(at(c, *cond), parsed.error());
        else if (complete)
          parts.push_back(build_condition(*parsed, roots, r.expr));
      }
      // A list of conditions is the legacy Sigma form: any of them.
      if (complete && !parts.empty() && parts.size() == texts->size()) {
        r.expr.root = parts.size() == 1 ? parts[0] : add_op_node(r.expr, ExprNode::Op::any, parts);
        r.outline.condition = r.expr.root;
        apply_logsource(doc, c, r);
      }
    }
  }
  r.group_by = {core::FieldRef::of("observer.site")};
  if (const auto g = doc["group-by"]) {
    const auto fields = scalars_of(g);
    if (!fields) error(at(c, g), "'group-by' must be a list of field names");
    r.group_by.clear();
    for (const auto& f : fields.value_or(std::vector<std::string>{})) r.group_by.push_back(core::FieldRef::of(f));
  }
  if (const auto t = doc["tests"]) load_tests(t, c, r.info.id);
  if (!ok) return;
  const auto idx = static_cast<uint32_t>(rs_->rules_.size());
  rs_->by_id_.emplace(r.info.id, idx);
  if (!r.name.empty()) rs_->by_name_.emplace(r.name, idx);
  rs_->rules_.push_back(std::move(r));
}

std::optional<uint32_t> RuleSetBuilder::load_selection(const YAML::Node& sel, const Context& c, Expr& x) {
  if (sel.IsMap()) {
    if (sel.size() == 0) {
      error(at(c, sel), "empty selection");
      return std::nullopt;
    }
    std::vector<uint32_t> kids;
    bool ok = true;
    for (const auto& kv : sel) {
      auto k = load_field_item(kv.first.Scalar(), kv.first, kv.second, c, x);
      if (k) {
        kids.push_back(*k);
        x.items.push_back({kv.first.Scalar() + ": " + flow_text(kv.second), *k, at(c, kv.first)});
      }
      ok = ok && k.has_value();
    }
    if (!ok) return std::nullopt;
    return kids.size() == 1 ? kids[0] : add_op_node(x, ExprNode::Op::all, kids);
  }
  if (sel.IsSequence()) {
    if (sel.size() == 0) {
      error(at(c, sel), "empty selection");
      return std::nullopt;
    }
    bool maps = true, scalars = true;
    for (const auto& item : sel) {
      maps = maps && item.IsMap();
      scalars = scalars && item.IsScalar();
    }
    if (scalars) return load_keywords(sel, c, x);
    if (!maps) {
      error(at(c, sel), "a selection list must hold either field maps (OR) or keyword strings, not both");
      return std::nullopt;
    }
    std::vector<uint32_t> kids;
    bool ok = true;
    for (const auto& item : sel) {
      auto k = load_selection(item, c, x);
      if (k) kids.push_back(*k);
      ok = ok && k.has_value();
    }
    if (!ok) return std::nullopt;
    return kids.size() == 1 ? kids[0] : add_op_node(x, ExprNode::Op::any, kids);
  }
  if (sel.IsScalar()) return load_keywords(sel, c, x);
  error(at(c, sel), "empty selection");
  return std::nullopt;
}

// Keywords: the message contains the value, case-insensitively; several values are OR-ed (AND-ed
// for `'|all'`).
std::optional<uint32_t> RuleSetBuilder::load_keywords(const YAML::Node& list, const Context& c, Expr& x, bool all) {
  std::vector<uint32_t> kids;
  const auto values = scalars_of(list).value_or(std::vector<std::string>{});
  for (const auto& v : values) {
    Atom a;
    a.kind = AtomKind::pattern;
    a.field = core::FieldRef::of("message");
    a.text = wildcard_to_regex(v, Anchor::contains, false);
    kids.push_back(add_atom_node(x, intern_atom(std::move(a), at(c, list))));
  }
  return kids.size() == 1 ? kids[0] : add_op_node(x, all ? ExprNode::Op::all : ExprNode::Op::any, kids);
}

std::optional<uint32_t> RuleSetBuilder::load_field_item(const std::string& key, const YAML::Node& key_node,
                                                        const YAML::Node& value, const Context& c, Expr& x) {
  auto parts = split(key, '|');
  const std::string field = parts[0];
  parts.erase(parts.begin());
  if (field.empty() && parts == std::vector<std::string>{"all"} && scalars_of(value)) {
    // Sigma's `'|all': [a, b]`: keywords that must all appear in the message.
    return load_keywords(value, c, x, true);
  }
  if (field.empty()) {
    error(at(c, key_node), "empty field name in '" + key + "'");
    return std::nullopt;
  }
  Modifiers m;
  if (auto why = parse_modifiers(parts, m); !why.empty()) {
    if (!m.unsupported.empty())
      skip(at(c, key_node), m.unsupported, why + " (in '" + key + "')");
    else
      error(at(c, key_node), why + " (in '" + key + "')");
    return std::nullopt;
  }
  std::vector<YAML::Node> items;
  if (value.IsSequence())
    for (const auto& v : value) items.push_back(v);
  else
    items.push_back(value);
  if (items.empty()) {
    error(at(c, key_node), "empty value list for '" + key + "'");
    return std::nullopt;
  }
  const auto ref = core::FieldRef::of(field);
  const Placeholders* table = m.expand ? &placeholders_for(c) : nullptr;
  std::vector<uint32_t> kids;
  bool ok = true;
  for (const auto& item : items) {
    const std::string where = at(c, item);
    // The atoms one value stands for (several with expand or base64offset), OR-ed.
    std::vector<Atom> forms;
    Atom a;
    a.field = ref;
    if (item.IsNull()) {
      if (m.exists || m.num || m.cidr || m.fieldref || m.expand || m.ioc) {
        error(where, "null is not a valid value for '" + key + "'");
        ok = false;
        continue;
      }
      a.kind = AtomKind::absent;
      forms.push_back(std::move(a));
    } else if (!item.IsScalar()) {
      error(where, "values of '" + key + "' must be strings, numbers or null");
      ok = false;
      continue;
    } else if (m.exists) {
      a.kind = AtomKind::exists;
      try {
        a.want = item.as<bool>();
      } catch (const YAML::Exception&) {
        error(where, "'exists' takes true or false");
        ok = false;
        continue;
      }
      forms.push_back(std::move(a));
    } else if (m.num) {
      const std::string& s = item.Scalar();
      a.kind = AtomKind::numeric;
      a.op = *m.num;
      const auto number = parse_decimal(s);
      if (!number) {
        error(where, "'" + s + "' is not a finite decimal number");
        ok = false;
        continue;
      }
      a.number = *number;
      forms.push_back(std::move(a));
    } else if (m.cidr) {
      const auto net = core::Cidr::parse(item.Scalar());
      if (!net) {
        error(where, "'" + item.Scalar() + "' is not a CIDR network");
        ok = false;
        continue;
      }
      a.kind = AtomKind::cidr;
      a.cidr = *net;
      forms.push_back(std::move(a));
    } else if (m.ioc) {
      // `field|ioc: ip` — the field's value is an indicator of that type in the IOC index
      // (`any`: of the type its shape says).
      const std::string& s = item.Scalar();
      const auto type = intel::ioc_type(s);
      if (!type && s != "any") {
        error(where, "'" + s + "' is not an indicator type (ip, domain, url, md5, sha1, sha256, email or any)");
        ok = false;
        continue;
      }
      a.kind = AtomKind::ioc;
      a.text = s;
      a.ioc_any = !type;
      a.ioc_type = type.value_or(intel::IocType::ip);
      forms.push_back(std::move(a));
    } else if (m.fieldref) {
      if (item.Scalar().empty()) {
        error(where, "fieldref needs a field name");
        ok = false;
        continue;
      }
      a.kind = AtomKind::fieldref;
      a.text = item.Scalar();
      a.ref = core::FieldRef::of(a.text);
      a.cased = m.cased;
      forms.push_back(std::move(a));
    } else if (m.re) {
      a.kind = AtomKind::pattern;
      a.text = m.re_flags.empty() ? item.Scalar() : "(?" + m.re_flags + ")" + item.Scalar();
      forms.push_back(std::move(a));
    } else {
      std::vector<std::string> values{item.Scalar()};
      if (table) {
        if (auto why = expand_value(item.Scalar(), *table, placeholders_name(c), values); !why.empty()) {
          error(where, why);
          ok = false;
          continue;
        }
      }
      if (auto why = string_forms(values, m, ref, forms); !why.empty()) {
        error(where, why + " (in '" + key + "')");
        ok = false;
        continue;
      }
    }
    std::vector<uint32_t> alts;
    for (auto& f : forms) alts.push_back(add_atom_node(x, intern_atom(std::move(f), where)));
    kids.push_back(alts.size() == 1 ? alts[0] : add_op_node(x, ExprNode::Op::any, alts));
  }
  if (!ok) return std::nullopt;
  if (m.neq) {
    // Sigma 2's neq: the field is there and equals none of the values (a missing field is
    // not "different": it is missing, as `exists: false` says).
    Atom present;
    present.kind = AtomKind::exists;
    present.field = ref;
    const uint32_t any = kids.size() == 1 ? kids[0] : add_op_node(x, ExprNode::Op::any, kids);
    const uint32_t none = add_op_node(x, ExprNode::Op::negate, {any});
    const uint32_t there = add_atom_node(x, intern_atom(std::move(present), at(c, key_node)));
    return add_op_node(x, ExprNode::Op::all, {there, none});
  }
  if (kids.size() == 1) return kids[0];
  return add_op_node(x, m.all ? ExprNode::Op::all : ExprNode::Op::any, kids);
}

uint32_t RuleSetBuilder::build_condition(const CondNode& n, const std::vector<uint32_t>& roots, Expr& x) {
  switch (n.op) {
    case CondNode::Op::ref:
      return roots[n.ref];
    case CondNode::Op::negate:
      return add_op_node(x, ExprNode::Op::negate, {build_condition(n.kids[0], roots, x)});
    case CondNode::Op::all:
    case CondNode::Op::any: {
      std::vector<uint32_t> kids;
      for (const auto& k : n.kids) kids.push_back(build_condition(k, roots, x));
      if (kids.size() == 1) return kids[0];
      return add_op_node(x, n.op == CondNode::Op::all ? ExprNode::Op::all : ExprNode::Op::any, kids);
    }
  }
  return roots.at(0);
}

}  // namespace vigie::detect
