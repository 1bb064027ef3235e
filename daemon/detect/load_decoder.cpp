// Decoders (DESIGN.md §5): `decoder`, `field`, `when`, `patterns: [{regex, fields}]`, `kv:`.
#include <algorithm>
#include <charconv>

#include "detect/builder.hpp"
#include "detect/pattern.hpp"

namespace vigie::detect {
namespace {

// A capture group given by number ("2"); 0 when `spec` is not a plain number that fits an int.
int group_number(const std::string& spec) {
  int n = 0;
  const auto [end, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), n);
  return ec == std::errc() && end == spec.data() + spec.size() && !spec.empty() && spec[0] != '-' ? n : 0;
}

}  // namespace

// kv: { separator, prefix, map: {key: field}, require: [keys] } (detect/kv.hpp).
void RuleSetBuilder::add_kv(const YAML::Node& node, const Context& c, Decoder& d) {
  if (!node.IsMap()) {
    error(at(c, node), "'kv' must be a mapping {separator, prefix, map, require}");
    return;
  }
  check_keys(node, c, {"separator", "quotes", "prefix", "map", "require", "lead", "transform"}, "kv decoder");
  auto kv = std::make_unique<KvDecoder>();
  if (const auto s = node["separator"]) {
    const std::string sep = scalar_of(s).value_or("");
    // ", " and "; " as written in vendors' manuals: the blanks around a separator are trimmed.
    if (sep == " " || sep == "\t")
      kv->syntax.separator = ' ';
    else if (sep == "," || sep == ", " || sep == ";" || sep == "; " || sep == "|")
      kv->syntax.separator = sep[0];
    else
      error(at(c, s), "kv 'separator' must be \" \" (blanks), \",\", \", \", \";\", \"; \" or \"|\"");
  }
  if (const auto q = node["quotes"]) {
    const std::string quotes = scalar_of(q).value_or("");
    if (quotes == "'\"" || quotes == "\"'")
      kv->syntax.single_quotes = true;
    else if (quotes != "\"")
      error(at(c, q), "kv 'quotes' must be '\"' (the default) or '\"\'' (double or single quotes)");
  }
  if (const auto t = node["transform"]) {
    if (!t.IsMap())
      error(at(c, t), "kv 'transform' must be a mapping key: transform (hex, url)");
    else
      for (const auto& e : t) {
        const std::string key = e.first.Scalar();
        const std::string name = scalar_of(e.second).value_or("");
        const auto tr = transform_named(name);
        if (!tr) {
          error(at(c, e.second), "unknown transform '" + name + "' (hex, url)");
          continue;
        }
        const bool stem = !key.empty() && key.back() == '#';
        if (key.size() < (stem ? 2u : 1u) || key.size() > kKvMaxKey) {
          error(at(c, e.first), "kv 'transform' keys are 1-64 bytes, or a stem followed by '#' (a#: a0, a1...)");
          continue;
        }
        if (stem)
          kv->stem_transforms.emplace_back(key.substr(0, key.size() - 1), *tr);
        else
          kv->transforms.emplace(key, *tr);
      }
  }
  if (const auto p = node["prefix"]) {
    kv->prefix = scalar_of(p).value_or("");
    bool clash = false;
    for (std::size_t i = 0; i < core::kFixedFields; ++i)
      if (core::field_name(static_cast<core::Field>(i)).starts_with(kv->prefix)) clash = true;
    if (kv->prefix.empty() || kv->prefix.back() != '.' || clash)
      error(at(c, p), "kv 'prefix' must end with '.' and name no field family of Vigie's own ('" + kv->prefix +
                          "' would let a key of the line overwrite one), e.g. 'fortigate.'");
  }
  if (const auto l = node["lead"]) {
    const std::string target = scalar_of(l).value_or("");
    if (target.empty())
      error(at(c, l), "kv 'lead' must name the field that gets the text before the first pair");
    else
      kv->lead = core::FieldRef::of(target);
  }
  if (const auto m = node["map"]) {
    if (!m.IsMap())
      error(at(c, m), "kv 'map' must be a mapping key: field");
    else
      for (const auto& e : m) {
        const std::string key = e.first.Scalar();
        const std::string target = scalar_of(e.second).value_or("");
        if (key.empty() || key.size() > kKvMaxKey || target.empty()) {
          error(at(c, e.first), "kv 'map' entries are key: field, with keys of 1-64 bytes");
          continue;
        }
        kv->map.emplace(key, core::FieldRef::of(target));
      }
  }
  if (const auto r = node["require"]) {
    const auto keys = scalars_of(r);
    if (!keys)
      error(at(c, r), "kv 'require' must be a key or a list of keys");
    else
      kv->require = *keys;
  }
  if (!kv->require.empty()) {
    // The longest required key, the rarest text ("logtype", not "id"): a necessary condition
    // only (`uid=` holds `id=`); the scan then checks every required key exactly.
    const std::string& longest = *std::max_element(kv->require.begin(), kv->require.end(),
                                                   [](const auto& a, const auto& b) { return a.size() < b.size(); });
    RE2::Options opts;
    opts.set_log_errors(false);
    const std::string eq = kv->syntax.separator == ' ' ? "=" : "[ \\t]*=";
    d.kv_probe = std::make_unique<RE2>(RE2::QuoteMeta(longest) + eq, opts);
    if (!d.kv_probe->ok()) error(at(c, node), "kv 'require': " + d.kv_probe->error());
  }
  if (kv->prefix.empty() && kv->map.empty() && !kv->lead)
    error(at(c, node), "a kv decoder with neither 'prefix', 'map' nor 'lead' sets no field");
  d.kv = std::move(kv);
}

void RuleSetBuilder::add_decoder(const YAML::Node& doc, const Context& c) {
  check_keys(doc, c, {"decoder", "field", "when", "patterns", "kv", "description"}, "decoder");
  Decoder d;
  d.where = at(c, doc);
  d.name = scalar_of(doc["decoder"]).value_or("");
  if (d.name.empty()) error(at(c, doc["decoder"]), "'decoder' must be a non-empty name");
  for (const auto& other : rs_->decoders_)
    if (!d.name.empty() && other.name == d.name)
      error(d.where, "duplicate decoder '" + d.name + "' (first defined at " + other.where + ")");

  std::string source = "message";
  if (const auto f = doc["field"]) {
    const auto s = scalar_of(f);
    if (!s || s->empty())
      error(at(c, f), "'field' must be a field name");
    else
      source = *s;
  }
  auto [it, fresh] = decoder_fields_.emplace(source, static_cast<uint32_t>(rs_->decoder_fields_.size()));
  if (fresh) rs_->decoder_fields_.push_back(DecoderField{core::FieldRef::of(source), -1, {}, false});
  d.source = it->second;

  if (const auto when = doc["when"]) {
    if (!when.IsMap())
      error(at(c, when), "'when' must be a mapping field: value or field: [values]");
    else
      for (const auto& kv : when) {
        const auto values = scalars_of(kv.second);
        if (!values || values->empty()) {
          error(at(c, kv.second), "'when' values must be a string or a non-empty list of strings");
          continue;
        }
        d.when.emplace_back(core::FieldRef::of(kv.first.Scalar()), *values);
      }
  }

  if (const auto kv = doc["kv"]) add_kv(kv, c, d);
  const auto patterns = doc["patterns"];
  if (d.kv && !patterns) {
    rs_->decoders_.push_back(std::move(d));
    return;
  }
  if (!patterns || !patterns.IsSequence() || patterns.size() == 0) {
    error(at(c, patterns ? patterns : doc),
          "a decoder needs 'patterns': a non-empty list of {regex, fields}, or 'kv:'");
    return;
  }
  RE2::Options opts;
  opts.set_log_errors(false);
  for (const auto& p : patterns) {
    if (!p.IsMap()) {
      error(at(c, p), "a pattern must be a mapping {regex, fields}");
      continue;
    }
    check_keys(p, c, {"regex", "fields"}, "decoder pattern");
    const auto regex = p["regex"] ? scalar_of(p["regex"]) : std::nullopt;
    if (!regex) {
      error(at(c, p), "a pattern needs 'regex'");
      continue;
    }
    DecoderPattern dp;
    dp.re = std::make_unique<RE2>(*regex, opts);
    if (!dp.re->ok()) {
      error(at(c, p["regex"]), "bad regex: " + dp.re->error());
      continue;
    }
    dp.lead = required_lead(*dp.re);
    dp.at_start = starts_anchored(dp.re->pattern()) && !dp.re->options().posix_syntax();
    dp.twin = PcreTwin::build(*dp.re);
    const auto& named = dp.re->NamedCapturingGroups();
    if (const auto fields = p["fields"]) {
      if (!fields.IsMap())
        error(at(c, fields), "'fields' must be a mapping target.field: capture or \"=literal\"");
      else
        for (const auto& kv : fields) {
          DecoderAssign a;
          a.target = core::FieldRef::of(kv.first.Scalar());
          std::string spec = scalar_of(kv.second).value_or("");
          // `group|transform`: the captured value is rewritten before it is set.
          if (const auto bar = spec.rfind('|'); !spec.empty() && spec[0] != '=' && bar != std::string::npos) {
            const std::string name = spec.substr(bar + 1);
            const auto tr = transform_named(name);
            if (!tr) {
              error(at(c, kv.second), "unknown transform '" + name + "' (hex, url)");
              continue;
            }
            a.transform = *tr;
            spec.resize(bar);
          }
          if (!spec.empty() && spec[0] == '=') {
            a.literal = spec.substr(1);
            const auto& t = a.target.fixed;
            if (t && (*t == core::Field::source_ip || *t == core::Field::destination_ip) &&
                classify_address(a.literal) != AddressKind::ip) {
              error(at(c, kv.second), "'" + a.literal + "' is not an IP address; " + a.target.name +
                                          " takes IP addresses only (a host name goes to " +
                                          (*t == core::Field::source_ip ? "source.domain" : "destination.domain") +
                                          ")");
              continue;
            }
          } else if (auto g = named.find(spec); g != named.end()) {
            a.group = g->second;
          } else if (const auto n = group_number(spec); n >= 1 && n <= dp.re->NumberOfCapturingGroups()) {
            a.group = n;
          } else {
            error(at(c, kv.second),
                  "no capture group '" + spec + "' in the regex (use a group name, its number, or \"=literal\")");
            continue;
          }
          dp.groups = std::max(dp.groups, a.group);
          dp.assigns.push_back(std::move(a));
        }
    }
    d.patterns.push_back(std::move(dp));
  }
  rs_->decoders_.push_back(std::move(d));
}

}  // namespace vigie::detect
